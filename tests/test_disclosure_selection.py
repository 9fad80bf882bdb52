"""Which contributions a published figure adds up, against the plain definition.

``Selection.rows`` reads an index of the contributions (grouped by campaign, measure
and confidentiality) instead of comparing every contribution for every figure. A
mistake there would hide a contribution from the disclosure plan and its audit, so
it is checked against the definition, written here with pandas over the whole
frame, on random contributions holding what real ones hold: missing years and
attributes, several campaigns, confidential and public, counted or not.
"""

from __future__ import annotations

import gc
import random

import numpy as np
import pandas as pd
import pytest

from climate_contract.disclosure.contributions import Selection

CAMPAIGNS = ["2025", "2026"]
MEASURES = ["investment_eur", "ges_evites"]
AXES = ["mobilites", "energies", None]
YEARS = [2024, 2025, 2026, None]


def _contributions(rng: random.Random, size: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "campaign_id": [rng.choice(CAMPAIGNS) for _ in range(size)],
            "measure": [rng.choice(MEASURES) for _ in range(size)],
            "confidential": [rng.random() < 0.3 for _ in range(size)],
            "counted": [rng.random() < 0.8 for _ in range(size)],
            "is_live": [rng.random() < 0.9 for _ in range(size)],
            "year": pd.array([rng.choice(YEARS) for _ in range(size)], dtype="Int64"),
            "plan_axis": pd.array([rng.choice(AXES) for _ in range(size)], dtype="str"),
            "value": [rng.uniform(0, 1000) for _ in range(size)],
        }
    )
    return frame


def _by_definition(selection: Selection, frame: pd.DataFrame) -> list[int]:
    chosen = (
        (frame["campaign_id"] == selection.campaign_id)
        & (frame["measure"] == selection.measure)
        & (frame["confidential"] == selection.confidential)
    )
    if selection.deduplicated:
        chosen &= frame["counted"]
    if selection.live_only:
        chosen &= frame["is_live"]
    if selection.year_match == "equal":
        chosen &= (
            frame["year"].isna()
            if selection.year is None
            else (frame["year"] == selection.year).fillna(False)
        )
    elif selection.year_match == "up_to":
        chosen &= (
            False if selection.year is None else (frame["year"] <= selection.year).fillna(False)
        )
    for attribute, value in selection.keys:
        chosen &= (frame[attribute] == value).fillna(False)
    return [position for position, kept in enumerate(chosen) if kept]


def _selections(rng: random.Random) -> list[Selection]:
    return [
        Selection(
            campaign_id=rng.choice([*CAMPAIGNS, "2030"]),
            measure=rng.choice(MEASURES),
            deduplicated=rng.random() < 0.5,
            live_only=rng.random() < 0.5,
            confidential=rng.random() < 0.5,
            year_match=rng.choice(["equal", "up_to", "any"]),
            year=rng.choice(YEARS),
            keys=rng.choice([(), (("plan_axis", "mobilites"),), (("plan_axis", "energies"),)]),
        )
        for _ in range(200)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_a_figure_selects_what_the_definition_selects(seed: int) -> None:
    rng = random.Random(seed)
    frame = _contributions(rng, 400)

    for selection in _selections(rng):
        expected = _by_definition(selection, frame)
        assert selection.rows(frame).tolist() == expected, selection
        assert np.flatnonzero(selection.mask(frame)).tolist() == expected, selection


def test_another_frame_is_never_read_through_an_earlier_frame_s_index() -> None:
    """Frames read one after the other (the plan's, then the audit's) each select
    their own contributions, even when one takes the place of a collected one."""
    rng = random.Random(7)
    selection = Selection("2026", "investment_eur", False, False, False)
    for _ in range(20):
        frame = _contributions(rng, rng.randint(0, 50))
        assert selection.rows(frame).tolist() == _by_definition(selection, frame)
        del frame
        gc.collect()
