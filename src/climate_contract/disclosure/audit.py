"""The disclosure audit: run on the built marts before they are published.

Every published figure is expressed as the sum of the contributions behind it
(``FIGURES`` says which, mart by mart, independently of the models' SQL), then:

- each figure must equal that sum: a model that counts a confidential action in
  its axis, forgets one, or drifts from ``core`` fails here;
- each published sum of confidential contributions must pass the primary rules;
- no confidential figure may be pinned, by everything published together, now
  and in earlier publications, closer than the protection interval
  (``protection.exposures``, ``history``).

The build fails, and nothing is published, on any finding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract import warehouse
from climate_contract.aggregate.project import POOL, TOTAL
from climate_contract.disclosure.contributions import (
    CARBON,
    JOB_MEASURES,
    MATURITY,
    MONEY,
    Selection,
    YearMatch,
    on_scale,
    read_contributions,
)
from climate_contract.disclosure.history import new_exposures, record_published, with_history
from climate_contract.disclosure.plan import primary_reason
from climate_contract.disclosure.protection import Exposure
from climate_contract.disclosure.rules import DisclosureRules
from climate_contract.warehouse import LIVE_MODELS, ModelSchemas


@dataclass(frozen=True)
class PublishedFigure:
    """A column of a mart, and the contributions each of its cells adds up."""

    mart: str
    column: str
    measure: str | None
    """None: the row's ``indicator``."""
    deduplicated: bool
    year_match: YearMatch
    keys: tuple[str, ...]
    """Columns matched on the contributions' attributes of the same name."""
    live_only: bool = True

    def selections(self, row: dict[str, Any], pool_published: bool) -> list[Selection]:
        measure = self.measure or row["indicator"]
        pooled = any(row[key] == POOL for key in self.keys)
        keys = tuple((key, row[key]) for key in self.keys if not pooled and row[key] != TOTAL)
        common = {
            "campaign_id": row["campaign_id"],
            "measure": measure,
            "deduplicated": self.deduplicated,
            "live_only": self.live_only,
            "year_match": self.year_match,
            "year": row.get("year"),
        }
        if pooled:
            return [Selection(confidential=True, **common)]
        public = Selection(confidential=False, keys=keys, **common)
        if any(row[key] == TOTAL for key in self.keys) and pool_published:
            return [public, Selection(confidential=True, **common)]
        return [public]

    def published_sum(self, row: dict[str, Any]) -> float | None:
        """The sum the cell publishes; None when it is withheld."""
        return None if row[self.column] is None else float(row[self.column])


@dataclass(frozen=True)
class MeanFigure:
    """A column of a mart publishing the mean of confidential answers (maturity
    levels): the sum of the cell's contributions over its ``count`` column."""

    mart: str
    column: str
    count: str
    keys: tuple[str, ...]
    """Columns matched on the answers' attributes of the same name ('all' matches all)."""
    campaign: str = "campaign_id"
    """The column naming the campaign of the answers."""
    paired: tuple[str, str] | None = None
    """The answers' pairing attribute, and the column whose value it must have: the
    campaign the answers are compared with."""

    def selections(self, row: dict[str, Any], pool_published: bool) -> list[Selection]:
        keys = tuple((key, row[key]) for key in self.keys if row[key] != TOTAL)
        if self.paired is not None:
            keys += ((self.paired[0], row[self.paired[1]]),)
        return [
            Selection(
                campaign_id=row[self.campaign],
                measure=MATURITY,
                deduplicated=True,
                live_only=True,
                confidential=True,
                keys=keys,
            )
        ]

    def published_sum(self, row: dict[str, Any]) -> float | None:
        """The sum the cell publishes as a mean; None when it is withheld."""
        mean = row[self.column]
        return None if mean is None else float(mean) * row[self.count]


def _figures(
    mart: str,
    keys: tuple[str, ...],
    year_match: YearMatch,
    live_only: bool = True,
    **columns: tuple[str | None, bool],
) -> list[PublishedFigure]:
    return [
        PublishedFigure(mart, column, measure, deduplicated, year_match, keys, live_only)
        for column, (measure, deduplicated) in columns.items()
    ]


FIGURES: tuple[PublishedFigure | MeanFigure, ...] = (
    *_figures(
        "commitments_by_axis_sector_year",
        ("plan_axis", "sector"),
        "equal",
        investment_eur_gross=(MONEY, False),
        investment_eur_deduplicated=(MONEY, True),
    ),
    *_figures(
        "commitments_by_funding_year",
        ("nature", "funding_source"),
        "equal",
        investment_eur_gross=(MONEY, False),
        investment_eur_deduplicated=(MONEY, True),
    ),
    *_figures(
        "commitments_by_axis_year",
        ("plan_axis",),
        "equal",
        investment_eur_gross=(MONEY, False),
        investment_eur_deduplicated=(MONEY, True),
    ),
    *_figures(
        "commitments_by_axis_year",
        ("plan_axis",),
        "up_to",
        avoided_tco2e_per_year_deduplicated=(CARBON, True),
    ),
    *_figures(
        "carbon_trajectory_vs_target",
        ("plan_axis",),
        "up_to",
        avoided_tco2e_per_year_gross=(CARBON, False),
        avoided_tco2e_per_year_deduplicated=(CARBON, True),
    ),
    *_figures(
        "biodiversity_vs_target",
        ("plan_axis",),
        "up_to",
        delivered_gross=(None, False),
        delivered_deduplicated=(None, True),
    ),
    *_figures(
        "status_funnel",
        ("status",),
        "any",
        live_only=False,
        investment_eur_deduplicated=(MONEY, True),
        tco2e_per_year_deduplicated=(CARBON, True),
    ),
    *_figures(
        "jobs_by_territory",
        ("commune_code", "plan_axis"),
        "any",
        **{measure: (measure, True) for measure in JOB_MEASURES},
    ),
    MeanFigure("maturity_by_theme", "mean_level", "partner_count", ("theme", "college")),
    MeanFigure(
        "maturity_change",
        "current_mean_level",
        "paired_partner_count",
        ("theme", "college"),
        paired=("previous_campaign_id", "previous_campaign_id"),
    ),
    MeanFigure(
        "maturity_change",
        "previous_mean_level",
        "paired_partner_count",
        ("theme", "college"),
        campaign="previous_campaign_id",
        paired=("next_campaign_id", "campaign_id"),
    ),
    *_figures(
        "partner_summary",
        ("partner_id",),
        "any",
        investment_eur_gross=(MONEY, False),
        investment_eur_counted=(MONEY, True),
        retained_tco2e_per_year_gross=(CARBON, False),
        retained_tco2e_per_year_counted=(CARBON, True),
    ),
)


@dataclass(frozen=True)
class Audit:
    """What the audit found, and the confidential pools the marts publish."""

    failures: list[str]
    contributions: pd.DataFrame
    confidential_pools: list[frozenset[int]]

    def record(self, connection: Connection) -> None:
        """Record the confidential pools as published, in the transaction that
        publishes the marts: later publications are audited against them."""
        record_published(connection, self.contributions, self.confidential_pools)


def audit_publication(
    connection: Connection, rules: DisclosureRules, schemas: ModelSchemas
) -> Audit:
    """Audit the marts in ``schemas``: every finding as a sentence for the steward
    (none when they may be published). Earlier publications count: what they
    published is part of what an attacker knows."""
    contributions = read_contributions(connection, schemas)
    values = contributions["value"].to_numpy(dtype=float)
    marts: dict[str, list[dict[str, Any]]] = {}
    failures: list[str] = []
    confidential_sums: dict[frozenset[int], str] = {}
    for figure in FIGURES:
        if figure.mart not in marts:
            result = connection.execute(sa.text(f"SELECT * FROM {schemas.marts}.{figure.mart}"))
            marts[figure.mart] = [dict(row._mapping) for row in result]
        rows = marts[figure.mart]
        pools = _published_pools(figure, rows)
        mismatches = []
        for row in rows:
            published = figure.published_sum(row)
            if published is None:
                continue
            members, pooled = _members(figure, row, pools, contributions)
            expected = float(values[members].sum())
            if abs(published - expected) > 1e-6 * max(1.0, abs(expected)):
                mismatches.append((row, published, expected))
            if pooled.any():
                confidential_sums.setdefault(
                    frozenset(np.flatnonzero(pooled).tolist()), f"{figure.mart}.{figure.column}"
                )
        if mismatches:
            row, published, expected = mismatches[0]
            failures.append(
                f"{figure.mart}.{figure.column}: {len(mismatches)} cell(s) differ from the "
                f"contributions behind them, e.g. {_describe(row, figure.keys)} publishes "
                f"{published:.6g} where they add up to {expected:.6g}"
            )
    for members, where in sorted(confidential_sums.items(), key=lambda item: item[1]):
        reason = primary_reason(contributions, members, rules)
        if reason is not None:
            failures.append(f"{where}: a published confidential pool breaks its rule ({reason})")
    everything, earlier = with_history(connection, contributions)
    failures.extend(
        _exposure_sentence(everything, exposure, rules)
        for exposure in new_exposures(
            everything, list(confidential_sums), earlier, rules.protection_share
        )
    )
    return Audit(failures, contributions, list(confidential_sums))


def _published_pools(
    figure: PublishedFigure | MeanFigure, rows: list[dict[str, Any]]
) -> dict[tuple, bool]:
    """Whether each pooled row publishes the figure, by what its total rows share."""
    return {
        _sibling_key(row): row[figure.column] is not None
        for row in rows
        if row.get("plan_axis") == POOL
    }


def _members(
    figure: PublishedFigure | MeanFigure,
    row: dict[str, Any],
    pools: dict[tuple, bool],
    contributions: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """The contributions behind a cell, and those of them that are confidential."""
    members = np.zeros(len(contributions), dtype=bool)
    pooled = np.zeros(len(contributions), dtype=bool)
    for selection in figure.selections(row, pools.get(_sibling_key(row), False)):
        mask = selection.mask(contributions)
        members |= mask
        if selection.confidential:
            pooled |= mask
    return members, pooled


def lineage(
    connection: Connection, mart: str, column: str, where: dict[str, str]
) -> list[dict[str, Any]]:
    """For each cell of ``mart`` whose columns have the values of ``where`` (compared
    as text), the rows of partners' files behind its ``column``: submission, file,
    sheet, row, action and the value each adds. Confidential ones included: this is
    the steward's view, never published."""
    figure = next((f for f in FIGURES if (f.mart, f.column) == (mart, column)), None)
    if figure is None:
        known = ", ".join(f"{f.mart}.{f.column}" for f in FIGURES)
        raise ValueError(f"{mart}.{column} is not a published sum; known: {known}")
    contributions = read_contributions(connection, LIVE_MODELS)
    files = dict(
        connection.execute(
            sa.select(warehouse.submissions.c.submission_id, warehouse.submissions.c.file_name)
        ).all()
    )
    rows = [
        dict(row._mapping)
        for row in connection.execute(sa.text(f"SELECT * FROM {LIVE_MODELS.marts}.{mart}"))
    ]
    pools = _published_pools(figure, rows)
    behind = []
    for row in rows:
        if any(str(row.get(key)) != value for key, value in where.items()):
            continue
        members, _ = _members(figure, row, pools, contributions)
        cell = {
            key: row[key]
            for key in ("campaign_id", *figure.keys, "indicator", "year")
            if key in row
        }
        for contribution in contributions[members].itertuples():
            behind.append(
                cell
                | {
                    "published": row[column],
                    "partner_id": contribution.partner_id,
                    "file_name": files.get(contribution.submission_id),
                    "sheet": contribution.source_sheet,
                    "row": contribution.source_row,
                    "action_ref": contribution.action_ref,
                    "confidential": contribution.confidential,
                    "value": contribution.value,
                }
            )
    return behind


def _sibling_key(row: dict[str, Any]) -> tuple:
    return (row["campaign_id"], row.get("indicator"), row.get("year"))


def _describe(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    shown = ["campaign_id", *keys, *(k for k in ("indicator", "year") if k in row)]
    return "(" + ", ".join(f"{key}={row[key]}" for key in shown) + ")"


def _exposure_sentence(
    contributions: pd.DataFrame, exposure: Exposure, rules: DisclosureRules
) -> str:
    rows = contributions.iloc[sorted(exposure.contributions)]
    what: dict[str, set[str]] = defaultdict(set)
    for row in rows.itertuples():
        what[row.action_ref].add(f"{row.measure} {'-' if pd.isna(row.year) else row.year}")
    described = "; ".join(
        f"{ref}: {', '.join(sorted(items))}" for ref, items in sorted(what.items())
    )
    by = f" by {exposure.insider}, knowing its own" if exposure.insider else ""
    derived = f"disclosure audit: a confidential figure of {exposure.partner_id} ({described}) "
    if on_scale(rows):
        return (
            f"{derived}can be derived from published figures{by}: it lies between "
            f"{exposure.lowest:g} and {exposure.highest:g}, where protection requires "
            "another level than the answer"
        )
    slack = min(exposure.value - exposure.lowest, exposure.highest - exposure.value) / abs(
        exposure.value
    )
    return (
        f"{derived}can be derived from published figures{by} to within {slack:.0%} of its "
        f"value (protection requires {rules.protection_share:.0%})"
    )
