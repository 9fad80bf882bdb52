"""Selecting a published figure's contributions: the index against whole-frame masks.

Reads the contributions of a built warehouse (its ``build_*`` schemas, as the
disclosure plan does) and times, side by side in one process, random selections
made by ``Selection.rows`` and by comparing every contribution's columns (the way
selections were made before, numpy masks over the whole frame), checking that both
give the same rows.

    .venv/bin/python benchmarks/disclosure_selection.py duckdb:///path/warehouse.duckdb
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
import pandas as pd
import sqlalchemy as sa

from climate_contract.disclosure.contributions import Selection, read_contributions
from climate_contract.warehouse import BUILD_MODELS


def whole_frame(selection: Selection, frame: pd.DataFrame) -> np.ndarray:
    mask = (
        (frame["campaign_id"] == selection.campaign_id).to_numpy()
        & (frame["measure"] == selection.measure).to_numpy()
        & (frame["confidential"] == selection.confidential).to_numpy()
    )
    if selection.deduplicated:
        mask &= frame["counted"].to_numpy()
    if selection.live_only:
        mask &= frame["is_live"].to_numpy()
    years = frame["year"]
    if selection.year_match == "equal":
        mask &= (
            years.isna().to_numpy()
            if selection.year is None
            else (years == selection.year).fillna(False).to_numpy(dtype=bool)
        )
    elif selection.year_match == "up_to":
        if selection.year is None:
            mask &= False
        else:
            mask &= (years <= selection.year).fillna(False).to_numpy(dtype=bool)
    for attribute, value in selection.keys:
        mask &= (frame[attribute] == value).fillna(False).to_numpy(dtype=bool)
    return np.flatnonzero(mask)


def main() -> None:
    engine = sa.create_engine(sys.argv[1])
    with engine.connect() as connection:
        frame = read_contributions(connection, BUILD_MODELS)
    rng = random.Random(1)
    campaigns = frame["campaign_id"].dropna().unique().tolist()
    measures = frame["measure"].unique().tolist()
    axes = [(), *((("plan_axis", axis),) for axis in frame["plan_axis"].dropna().unique())]
    selections = [
        Selection(
            rng.choice(campaigns),
            rng.choice(measures),
            rng.random() < 0.5,
            rng.random() < 0.5,
            rng.random() < 0.3,
            rng.choice(["equal", "up_to", "any"]),
            rng.choice([2026, 2028, 2030, None]),
            rng.choice(axes),
        )
        for _ in range(500)
    ]
    started = time.perf_counter()
    masked = [whole_frame(selection, frame).tolist() for selection in selections]
    by_mask = time.perf_counter() - started
    started = time.perf_counter()
    indexed = [selection.rows(frame).tolist() for selection in selections]
    by_index = time.perf_counter() - started
    assert masked == indexed, "the index selects other rows than the masks"
    print(
        f"{len(frame)} contributions, {len(selections)} selections: whole-frame masks "
        f"{by_mask:.2f} s, index {by_index:.2f} s (first call builds it), "
        f"ratio {by_mask / by_index:.1f}"
    )


if __name__ == "__main__":
    main()
