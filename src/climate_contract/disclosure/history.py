"""What was published before stays public.

A reader who kept an earlier publication can subtract it from the new one: a
pool that gains one confidential partner, or loses one, gives that partner's
figure away. Each build therefore records the confidential pools it publishes
(``core.published_pools``: each pool's contributions, by the submission, sheet
and row they come from, with their values), and the plan and the audit reason on
those earlier sums together with the new ones. A contribution is the same
unknown in every publication as long as its submission's rows are loaded: a
newer file brings new unknowns, and a withdrawn row stays an unknown of the sums
that held it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract import warehouse
from climate_contract.disclosure.contributions import SCALE_ENDS
from climate_contract.disclosure.protection import Exposure, exposures

IDENTITY = ("submission_id", "source_sheet", "source_row", "measure", "line")
"""What makes a contribution the same one from a publication to the next (a row
of a partner's own layout may hold several amounts: ``line`` tells them apart)."""
DESCRIBED = ("partner_id", "action_ref", "year", "value")
"""What is kept of it besides, to reason on it and name it once withdrawn."""


def with_history(
    connection: Connection, contributions: pd.DataFrame
) -> tuple[pd.DataFrame, list[frozenset[int]]]:
    """``contributions`` followed by the earlier-published ones no longer loaded, and
    the sums published earlier, as sets of row numbers of that frame."""
    table = warehouse.published_pools
    recorded = connection.execute(sa.select(table)).mappings().all()
    # A contribution is the same unknown only with the same value: a referential
    # change (a VAT rate, a unit's scale) makes it another.
    position = {
        (*row[:-1], round(float(row[-1]), 6)): index
        for index, row in enumerate(contributions[[*IDENTITY, "value"]].itertuples(index=False))
    }
    withdrawn: list[dict] = []
    sums: dict[str, set[int]] = defaultdict(set)
    for row in recorded:
        identity = (*(row[key] for key in IDENTITY), round(float(row["value"]), 6))
        if identity not in position:
            position[identity] = len(contributions) + len(withdrawn)
            withdrawn.append(
                {key: row[key] for key in (*IDENTITY, *DESCRIBED)} | {"confidential": True}
            )
        sums[row["pool_signature"]].add(position[identity])
    frame = (
        pd.concat([contributions, _on_their_scale(pd.DataFrame(withdrawn), contributions)])
        if withdrawn
        else contributions
    ).reset_index(drop=True)
    return frame, [frozenset(members) for members in sums.values()]


def _on_their_scale(withdrawn: pd.DataFrame, contributions: pd.DataFrame) -> pd.DataFrame:
    """Withdrawn answers on a scale (maturity levels) keep the scale's ends that the
    current answers of their measure have: what an attacker knows of them."""
    if not set(SCALE_ENDS) <= set(contributions):
        return withdrawn
    ends = contributions.dropna(subset=SCALE_ENDS).groupby("measure")[SCALE_ENDS].first()
    return withdrawn.join(ends, on="measure")


def exposed_already(
    contributions: pd.DataFrame, earlier: list[frozenset[int]], protection_share: float
) -> set[tuple[str, frozenset[int]]]:
    """The figures the ``earlier`` sums alone pin down: out already, they cannot be
    taken back, and are not held against a new publication."""
    return {
        (exposure.partner_id, exposure.contributions)
        for exposure in exposures(contributions, earlier, protection_share)
    }


def new_exposures(
    contributions: pd.DataFrame,
    published: list[frozenset[int]],
    earlier: list[frozenset[int]],
    protection_share: float,
    already: set[tuple[str, frozenset[int]]] | None = None,
) -> list[Exposure]:
    """Figures that ``published`` pins down together with the ``earlier`` sums, and
    that the earlier sums alone did not (``already``, computed if not given)."""
    if already is None:
        already = exposed_already(contributions, earlier, protection_share)
    return [
        exposure
        for exposure in exposures(contributions, [*published, *earlier], protection_share)
        if (exposure.partner_id, exposure.contributions) not in already
    ]


def _plain(value: object) -> object:
    """A frame's value as the database driver takes it."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def record_published(
    connection: Connection, contributions: pd.DataFrame, published: list[frozenset[int]]
) -> None:
    """Add the confidential sums of this publication to ``core.published_pools``,
    in the caller's transaction (so only if the build is kept)."""
    table = warehouse.published_pools
    known = set(connection.execute(sa.select(table.c.pool_signature).distinct()).scalars())
    rows = []
    for members in published:
        members_rows = contributions.iloc[sorted(members)]
        described = sorted(
            (tuple(str(row[key]) for key in IDENTITY), repr(float(row["value"])))
            for _, row in members_rows.iterrows()
        )
        signature = hashlib.sha256(repr(described).encode()).hexdigest()
        if signature in known:
            continue
        known.add(signature)
        rows.extend(
            {key: _plain(row[key]) for key in (*IDENTITY, *DESCRIBED)}
            | {"pool_signature": signature}
            for _, row in members_rows.iterrows()
        )
    if rows:
        connection.execute(table.insert(), rows)
