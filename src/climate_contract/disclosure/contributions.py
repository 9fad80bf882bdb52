"""What every published figure is made of: the contributions behind it.

A contribution is one line of ``intermediate.investment_lines`` (an amount of an action
in a year), of ``intermediate.impact_lines`` (what an action delivers each year from
its first year of full effect), of ``intermediate.job_lines`` (the jobs an action
creates or consolidates, an activity it creates) or of ``intermediate.maturity_lines``
(a partner's maturity level on a theme: its ``action_ref`` is the theme). A published
figure is the sum of a selection of contributions; the disclosure plan and its audit
reason on those selections.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract import contract
from climate_contract.warehouse import ModelSchemas

MONEY = "investment_eur"
CARBON = "ges_evites"
JOB_MEASURES = ("jobs_created", "jobs_consolidated", "activities_created")
"""The measures of ``intermediate.job_lines`` (the contract's optional jobs part)."""
MATURITY = "maturity_level"
"""The measure of ``intermediate.maturity_lines`` (the optional self-assessment part):
an answer on a scale whose ends everyone knows (``scale_lowest``, ``scale_highest``)."""
SCALE_ENDS = list(contract.SCALE_ENDS)
"""The columns of an answer's scale ends (null for amounts)."""


def on_scale(rows: pd.DataFrame) -> bool:
    """Whether every one of these contributions is an answer on a scale."""
    return set(SCALE_ENDS) <= set(rows) and bool(rows[SCALE_ENDS].notna().all(axis=None))


CONTRIBUTION_MODELS = (
    "investment_lines",
    "impact_lines",
    "job_lines",
    "maturity_lines",
    "trajectory_years",
)
"""The models the disclosure plan reads: built before it."""

YearMatch = Literal["equal", "up_to", "any"]
"""How a figure's year selects contributions: the same year (money of a year,
``NULL`` being "year not given"), every contribution in effect by then
(cumulated impacts), or all years (totals)."""

_CONTRIBUTIONS = """
SELECT
    campaign_id, partner_id, action_ref, submission_id, source_sheet, source_row,
    'investment_eur' AS measure, year, funder, nature, funding_source,
    plan_axis, sector, NULL AS commune_code, status, is_live, confidential,
    investment_counted AS counted, amount_eur AS value, {no_answer}
FROM {schema}.investment_lines
UNION ALL
SELECT
    campaign_id, partner_id, action_ref, submission_id, source_sheet, source_row,
    indicator AS measure, first_full_year AS year, NULL AS funder, NULL AS nature,
    NULL AS funding_source,
    plan_axis, NULL AS sector, NULL AS commune_code, status, is_live, confidential,
    impacts_counted AS counted, quantity AS value, {no_answer}
FROM {schema}.impact_lines
UNION ALL
SELECT
    campaign_id, partner_id, action_ref, submission_id, source_sheet, source_row,
    measure, NULL AS year, NULL AS funder, NULL AS nature, NULL AS funding_source,
    plan_axis, NULL AS sector, commune_code, status, is_live, confidential, counted, value,
    {no_answer}
FROM {schema}.job_lines
UNION ALL
SELECT
    campaign_id, partner_id, theme AS action_ref, submission_id, source_sheet, source_row,
    'maturity_level' AS measure, NULL AS year, NULL AS funder, NULL AS nature,
    NULL AS funding_source, NULL AS plan_axis, NULL AS sector, NULL AS commune_code,
    NULL AS status, TRUE AS is_live, TRUE AS confidential, TRUE AS counted, level AS value,
    theme, college, previous_campaign_id, next_campaign_id, scale_lowest, scale_highest
FROM {schema}.maturity_lines
"""
_NO_ANSWER = (
    "NULL AS theme, NULL AS college, NULL AS previous_campaign_id, NULL AS next_campaign_id, "
    # Typed: PostgreSQL types NULLs met first as text.
    "CAST(NULL AS INTEGER) AS scale_lowest, CAST(NULL AS INTEGER) AS scale_highest"
)
"""The attributes of an answer, which the lines of actions do not have."""


def read_contributions(connection: Connection, schemas: ModelSchemas) -> pd.DataFrame:
    """Every contribution, one row each, numbered from 0."""
    query = _CONTRIBUTIONS.format(schema=schemas.intermediate, no_answer=_NO_ANSWER)
    result = connection.execute(sa.text(query))
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for number in ("value", *SCALE_ENDS):
        frame[number] = frame[number].astype(float)
    frame["year"] = frame["year"].astype("Int64")
    for flag in ("is_live", "confidential", "counted"):
        frame[flag] = frame[flag].astype(bool)
    # A row of a partner's own layout may hold several amounts of one measure (one
    # per year or funder): numbered in an order the file alone decides.
    source = ["submission_id", "source_sheet", "source_row", "measure"]
    frame = frame.sort_values([*source, "year", "funder", "value"], na_position="first")
    frame["line"] = frame.groupby(source, sort=False).cumcount()
    return frame.reset_index(drop=True)


def trajectory_years(connection: Connection, schemas: ModelSchemas) -> list[int]:
    return list(
        connection.execute(
            sa.text(f"SELECT year FROM {schemas.intermediate}.trajectory_years")
        ).scalars()
    )


@dataclass(frozen=True)
class Selection:
    """The contributions a published figure adds up."""

    campaign_id: str
    measure: str
    deduplicated: bool
    live_only: bool
    confidential: bool
    """The pooled confidential contributions, or else the public ones."""
    year_match: YearMatch = "any"
    year: int | None = None
    keys: tuple[tuple[str, str], ...] = ()
    """Attributes the contributions must have, e.g. ``(("plan_axis", "mobilite"),)``."""

    def mask(self, contributions: pd.DataFrame) -> np.ndarray:
        mask = np.zeros(len(contributions), dtype=bool)
        mask[self.rows(contributions)] = True
        return mask

    def rows(self, contributions: pd.DataFrame) -> np.ndarray:
        """The positions of the contributions the figure adds up, in order."""
        index = _indexed(contributions)
        rows = index.groups.get((self.campaign_id, self.measure, self.confidential))
        if rows is None:
            return np.empty(0, dtype=np.intp)
        keep = np.ones(len(rows), dtype=bool)
        if self.deduplicated:
            keep &= index.counted[rows]
        if self.live_only:
            keep &= index.is_live[rows]
        years = index.years[rows]
        if self.year_match == "equal":
            keep &= np.isnan(years) if self.year is None else years == self.year
        elif self.year_match == "up_to":
            # Nothing is in effect by a year not given (a missing year is never <=).
            keep &= years <= (np.nan if self.year is None else self.year)
        for attribute, value in self.keys:
            keep &= index.column(attribute)[rows] == value
        return rows[keep]


@dataclass
class _Index:
    """The contributions grouped by what every selection names (campaign, measure,
    confidentiality), and the columns the rest of a selection reads, as arrays: a
    figure then reads its own group, not every contribution (the plan and audit
    select once per published cell, thousands of cells at a national scale)."""

    frame: weakref.ref[pd.DataFrame]
    groups: dict[tuple, np.ndarray]
    counted: np.ndarray
    is_live: np.ndarray
    years: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        if name not in self.columns:
            frame = self.frame()
            assert frame is not None, "an index outlives its frame only while unused"
            self.columns[name] = frame[name].to_numpy(dtype=object, na_value=None)
        return self.columns[name]


_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _indexed(contributions: pd.DataFrame) -> _Index:
    """The index of a frame of contributions, made once per frame (a frame is never
    changed once read)."""
    held = _INDEXES.get(id(contributions))
    if held is not None and held[0]() is contributions:
        return held[1]
    grouped = contributions.groupby(["campaign_id", "measure", "confidential"], sort=False)
    key = id(contributions)
    reference = weakref.ref(contributions, lambda _: _INDEXES.pop(key, None))
    index = _Index(
        reference,
        {key: rows.astype(np.intp) for key, rows in grouped.indices.items()},
        contributions["counted"].to_numpy(dtype=bool),
        contributions["is_live"].to_numpy(dtype=bool),
        contributions["year"].to_numpy(dtype=float, na_value=np.nan),
    )
    _INDEXES[key] = (reference, index)
    return index
