"""Which pooled confidential figures the marts may publish.

Confidential actions are never counted in the cell of their axis, sector or
status: each mart pools them in a ``confidentiel`` row (per year for money and
cumulated impacts, one row in the status funnel). A pooled figure is withheld

- when it rests on fewer than ``min_partners`` partners (primary rule);
- when one partner makes more than ``dominance_share`` of it (primary rule);
- when, with the others published, it would let someone pin a partner's
  confidential figure closer than the protection interval (secondary rule:
  withheld one at a time until no figure is pinned).

Figures that add up the same contributions (a year's gross and deduplicated
amounts when no co-funder is confidential; a cumulated trajectory in years where
nothing new starts) are decided together: they are one published value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy.engine import Connection

from climate_contract.disclosure.contributions import (
    CARBON,
    JOB_MEASURES,
    MATURITY,
    MONEY,
    Selection,
    YearMatch,
    on_scale,
    read_contributions,
    trajectory_years,
)
from climate_contract.disclosure.history import exposed_already, new_exposures, with_history
from climate_contract.disclosure.rules import DisclosureRules
from climate_contract.warehouse import ModelSchemas

Basis = Literal["gross", "deduplicated"]
BASES: tuple[Basis, ...] = ("gross", "deduplicated")
BELOW_THRESHOLD = "confidential_below_partner_threshold"
DOMINANT_PARTNER = "confidential_dominant_partner"
DERIVABLE = "confidential_derivable_from_published_figures"
WITHHELD = "confidential"
"""What the marts say of every withheld figure, whatever the rule: which rule
withheld it would tell a reader something (that one partner dominates it, say)."""


@dataclass(frozen=True)
class PoolCell:
    """A pooled confidential figure, keyed as ``withheld_cells`` keys it."""

    measure: str
    year: int | None
    basis: Basis
    selection: Selection

    @property
    def cell(self) -> str | None:
        """Which figure of the measure, when its attributes say (a maturity mean): as
        the models' macro ``maturity_cell`` writes it."""
        return ";".join(f"{key}={value}" for key, value in self.selection.keys) or None


def pool_cells(contributions: pd.DataFrame, years: list[int]) -> list[PoolCell]:
    """Every pooled figure the marts compute, for the campaigns with confidential
    contributions."""
    cells: list[PoolCell] = []
    confidential = contributions[contributions["confidential"]]
    for campaign_id, own in confidential.groupby("campaign_id", sort=True):
        live = own[own["is_live"]]
        money_years = {
            None if pd.isna(year) else int(year)
            for year in live.loc[live["measure"] == MONEY, "year"]
        }
        for year in sorted(money_years, key=lambda y: (y is None, y)):
            cells.extend(
                PoolCell(MONEY, year, basis, _pooled(campaign_id, MONEY, basis, "equal", year))
                for basis in BASES
            )
        for indicator in sorted(set(live["measure"]) - {MONEY, *JOB_MEASURES, MATURITY}):
            cells.extend(
                PoolCell(
                    indicator, year, basis, _pooled(campaign_id, indicator, basis, "up_to", year)
                )
                for year in years
                for basis in BASES
            )
        cells.extend(
            PoolCell(
                measure,
                None,
                "deduplicated",
                _pooled(campaign_id, measure, "deduplicated", "any", None),
            )
            for measure in JOB_MEASURES
            if measure in set(live["measure"])
        )
        for funnel_measure, measure in (("funnel_investment_eur", MONEY), ("funnel_tco2e", CARBON)):
            cells.append(
                PoolCell(
                    funnel_measure,
                    None,
                    "deduplicated",
                    _pooled(campaign_id, measure, "deduplicated", "any", None, live_only=False),
                )
            )
    return cells + maturity_cells(contributions)


PAIRINGS = ("previous_campaign_id", "next_campaign_id")
"""How an answer is paired with the same partner's answer on the same theme in the
campaign before or after it (``maturity_change`` compares them)."""


def maturity_cells(contributions: pd.DataFrame) -> list[PoolCell]:
    """Every maturity mean the marts compute: by campaign and theme, for each college
    and for all, over every answer, and over the answers paired with the campaign
    before (and after), as ``maturity_by_theme`` and ``maturity_change`` do."""
    answers = contributions[contributions["measure"] == MATURITY]
    cells = []
    for (campaign_id, theme), own in answers.groupby(["campaign_id", "theme"], sort=True):
        for college in [*sorted(own["college"].unique()), None]:
            grouped = own if college is None else own[own["college"] == college]
            keys = (("theme", theme),) + ((("college", college),) if college else ())
            pairings = [()] + [
                ((pairing, other),)
                for pairing in PAIRINGS
                for other in sorted(grouped[pairing].dropna().unique())
            ]
            cells.extend(
                PoolCell(
                    MATURITY,
                    None,
                    "deduplicated",
                    Selection(
                        campaign_id=str(campaign_id),
                        measure=MATURITY,
                        deduplicated=True,
                        live_only=True,
                        confidential=True,
                        keys=keys + paired,
                    ),
                )
                for paired in pairings
            )
    return cells


def _pooled(
    campaign_id: str,
    measure: str,
    basis: Basis,
    year_match: YearMatch,
    year: int | None,
    live_only: bool = True,
) -> Selection:
    return Selection(
        campaign_id=str(campaign_id),
        measure=measure,
        deduplicated=basis == "deduplicated",
        live_only=live_only,
        confidential=True,
        year_match=year_match,
        year=year,
    )


def primary_reason(
    contributions: pd.DataFrame, members: frozenset[int], rules: DisclosureRules
) -> str | None:
    """Why a sum of these confidential contributions may not be published at all."""
    rows = contributions.iloc[sorted(members)]
    by_partner = rows.groupby("partner_id")["value"].sum().abs()
    by_partner = by_partner[by_partner > 1e-9]
    if by_partner.empty:
        return None
    if len(by_partner) < rules.min_partners:
        return BELOW_THRESHOLD
    # No answer on a scale dominates a mean: a level is no size.
    if not on_scale(rows) and by_partner.max() > rules.dominance_share * by_partner.sum():
        return DOMINANT_PARTNER
    return None


def plan_withheld_cells(
    connection: Connection, schemas: ModelSchemas, rules: DisclosureRules
) -> None:
    """Decide which pooled figures are withheld and write them as the table
    ``withheld_cells`` of the build's intermediate schema, in the caller's
    transaction."""
    contributions = read_contributions(connection, schemas)
    cells = pool_cells(contributions, trajectory_years(connection, schemas))
    reasons = withheld_sums(contributions, cells, rules, with_history(connection, contributions))
    rows: dict[tuple[str, str, int | None, str | None], dict] = {}
    for cell in cells:
        reason = reasons.get(_members(contributions, cell))
        if reason is None:
            continue
        key = (cell.selection.campaign_id, cell.measure, cell.year, cell.cell)
        row = rows.setdefault(
            key,
            {
                "campaign_id": key[0],
                "measure": key[1],
                "year": key[2],
                "cell": key[3],
                "gross_reason": None,
                "deduplicated_reason": None,
                "gross_rule": None,
                "deduplicated_rule": None,
            },
        )
        row[f"{cell.basis}_reason"] = WITHHELD
        row[f"{cell.basis}_rule"] = reason
    table = schemas.withheld_cells()
    table.drop(connection, checkfirst=True)
    table.create(connection)
    if rows:
        connection.execute(table.insert(), list(rows.values()))


def _members(contributions: pd.DataFrame, cell: PoolCell) -> frozenset[int]:
    return frozenset(cell.selection.rows(contributions).tolist())


def _linked(rows: frozenset[int], sums: list[frozenset[int]]) -> frozenset[int]:
    """``rows`` and every contribution a chain of ``sums`` links to them: the sums
    that may be withheld to protect them (one withdrawn since an earlier
    publication is in no current sum, but in earlier ones that share others)."""
    linked = set(rows)
    grown = True
    while grown:
        grown = False
        for members in sums:
            if members & linked and not members <= linked:
                linked |= members
                grown = True
    return frozenset(linked)


def withheld_sums(
    contributions: pd.DataFrame,
    cells: list[PoolCell],
    rules: DisclosureRules,
    history: tuple[pd.DataFrame, list[frozenset[int]]],
) -> dict[frozenset[int], str]:
    """For each distinct sum of contributions the cells would publish that must be
    withheld, why; ``history`` is the contributions with those published earlier,
    and the sums published earlier (``history.with_history``)."""
    everything, earlier = history
    sums: dict[frozenset[int], list[PoolCell]] = defaultdict(list)
    for cell in cells:
        members = _members(contributions, cell)
        if members:
            sums[members].append(cell)
    withheld: dict[frozenset[int], str] = {}
    for members in sums:
        reason = primary_reason(contributions, members, rules)
        if reason is not None:
            withheld[members] = reason
    values = everything["value"].to_numpy(dtype=float)
    already = exposed_already(everything, earlier, rules.protection_share)
    while True:
        published = [members for members in sums if members not in withheld]
        found = new_exposures(everything, published, earlier, rules.protection_share, already)
        if not found:
            return withheld
        chosen: list[frozenset[int]] = []
        for exposure in found:
            if any(m & exposure.contributions for m in chosen):
                continue  # recomputed next round, with this round's choices withheld
            candidates = [m for m in published if m & exposure.contributions] or [
                m for m in published if m & _linked(exposure.contributions, [*published, *earlier])
            ]
            choice = min(
                candidates,
                key=lambda m: (
                    any(cell.basis == "deduplicated" for cell in sums[m]),
                    contributions.iloc[sorted(m)]["partner_id"].nunique(),
                    abs(values[list(m)].sum()),
                    sorted(m),
                ),
            )
            withheld[choice] = DERIVABLE
            chosen.append(choice)
