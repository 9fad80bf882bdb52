"""Planted errors: each one, alone, must make the build refuse the marts.

A warehouse is collected once; each mutant is a copy of it with one error
planted, in ``core`` (as a faulty load or a hand edit would leave it) or in a
model's SQL (as a faulty change would). The unmutated copy must build: a check
that refuses everything catches nothing. The catch rate is asserted, and the
survivors named.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import aggregate, pipeline, warehouse
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from climate_contract.validate import MartChecksFailed
from tests.scenario import DISCLOSURE_SCENARIO


@dataclass(frozen=True)
class Mutation:
    name: str
    core: str | None = None
    """SQL that plants the error in the warehouse."""
    model: str | None = None
    """The model whose SQL is changed..."""
    replace: tuple[str, str] = ("", "")
    """...by replacing this text with that."""


MUTATIONS = (
    Mutation(
        "amount x10 in core",
        "UPDATE core.investments SET amount_eur = amount_eur * 10 WHERE action_ref = 'BS-1'",
    ),
    Mutation(
        "duplicated row in core",
        "INSERT INTO core.investments SELECT * FROM core.investments WHERE action_ref = 'U-1'",
    ),
    Mutation("deleted row in core", "DELETE FROM core.impacts WHERE action_ref = 'U-1'"),
    Mutation(
        "estimate x1000 in core",
        "UPDATE core.estimated_emissions "
        "SET tco2e_avoided_per_year = tco2e_avoided_per_year * 1000",
    ),
    Mutation(
        "confidential flag removed in core",
        "UPDATE core.actions SET confidential = FALSE WHERE action_ref = 'CH-1'",
    ),
    Mutation(
        "year shifted in core",
        "UPDATE core.investments SET year = year + 1 WHERE action_ref = 'BS-1'",
    ),
    Mutation(
        "lead turned co-funder in core",
        "UPDATE core.actions SET role = 'cofinanceur' WHERE action_ref = 'RC-1'",
    ),
    Mutation(
        "deduplicated = gross in the headline mart",
        model="marts.commitments_by_axis_year",
        replace=(
            "WHEN m.deduplicated_reason IS NULL THEN m.deduplicated",
            "WHEN m.deduplicated_reason IS NULL THEN m.gross",
        ),
    ),
    Mutation(
        "suppression removed",
        model="core.pooled_investment_lines",
        replace=(
            "    w.gross_reason,\n    w.deduplicated_reason",
            "    NULL AS gross_reason,\n    NULL AS deduplicated_reason",
        ),
    ),
    Mutation(
        "share computed on gross",
        model="marts.carbon_trajectory_vs_target",
        replace=(
            "THEN c.deduplicated / (t.baseline_value - t.target_value)",
            "THEN c.gross / (t.baseline_value - t.target_value)",
        ),
    ),
    Mutation(
        "confidential action counted in its axis",
        model="core.pooled_investment_lines",
        replace=(
            "CASE WHEN l.confidential THEN 'confidentiel' ELSE l.plan_axis END",
            "l.plan_axis",
        ),
    ),
    Mutation(
        "abandoned actions' money counted",
        model="core.pooled_investment_lines",
        replace=("WHERE l.is_live", "WHERE TRUE"),
    ),
    Mutation(
        "impacts counted a year late",
        model="core.impact_cells",
        replace=(
            "AND l.first_full_year <= y.year\n    GROUP BY k.campaign_id, k.indicator, k.plan_axis",
            "AND l.first_full_year < y.year\n    GROUP BY k.campaign_id, k.indicator, k.plan_axis",
        ),
    ),
    Mutation(
        "a withheld pool published in the totals",
        model="core.impact_cells",
        replace=("CASE WHEN w.gross_reason IS NULL THEN c.gross END AS gross", "c.gross AS gross"),
    ),
    Mutation(
        "duplicated mart rows",
        model="marts.commitments_by_axis_sector_year",
        replace=(
            "FROM cells AS c\n",
            "FROM cells AS c\nCROSS JOIN (VALUES (1), (2)) AS twice (n)\n",
        ),
    ),
    Mutation(
        "confidential actions in the partner summary",
        model="marts.partner_summary",
        replace=("WHERE NOT a.confidential", "WHERE TRUE"),
    ),
    Mutation(
        "estimate added to the declaration",
        model="core.carbon_lines",
        replace=("AND NOT EXISTS (", "AND EXISTS ("),
    ),
    Mutation(
        "co-funders' money counted in the status funnel",
        model="marts.status_funnel",
        replace=(
            "COALESCE(SUM(investment_eur) FILTER (WHERE investment_counted), 0)",
            "COALESCE(SUM(investment_eur), 0)",
        ),
    ),
)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory, reference) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("collected") / "data", settle_seconds=0)
    for partner_id, rows in DISCLOSURE_SCENARIO.items():
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, "2026", rows)
    assert {o.status for o in pipeline.run_collection(settings)} == {"accepted"}
    warehouse.engine_for(settings.url).dispose()
    return settings


def _copy(collected: Settings, folder: Path) -> Settings:
    source = Path(collected.url.removeprefix("duckdb:///"))
    copy = folder / "warehouse.duckdb"
    shutil.copy(source, copy)
    return collected.model_copy(update={"warehouse_url": f"duckdb:///{copy}"})


def _planted(
    mutation: Mutation, settings: Settings, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    if mutation.core is not None:
        with warehouse.engine_for(settings.url).begin() as connection:
            assert connection.execute(sa.text(mutation.core)).rowcount != 0
    if mutation.model is not None:
        models = aggregate.marts._models()
        text = models[mutation.model].read_text(encoding="utf-8")
        old, new = mutation.replace
        assert old in text, f"{mutation.name}: the text to replace is not in {mutation.model}"
        changed = folder / f"{mutation.model}.sql"
        changed.write_text(text.replace(old, new, 1), encoding="utf-8")
        monkeypatch.setattr(aggregate.marts, "_models", lambda: models | {mutation.model: changed})


def _refused(settings: Settings) -> list[str] | None:
    try:
        pipeline.rebuild_marts(settings)
    except MartChecksFailed as refusal:
        return refusal.failures
    return None


def test_the_unmutated_warehouse_builds(collected: Settings, tmp_path: Path) -> None:
    assert _refused(_copy(collected, tmp_path)) is None


def test_every_planted_error_is_refused(
    collected: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    survivors = []
    for index, mutation in enumerate(MUTATIONS):
        folder = tmp_path / str(index)
        folder.mkdir()
        settings = _copy(collected, folder)
        with monkeypatch.context() as patch:
            _planted(mutation, settings, patch, folder)
            if _refused(settings) is None:
                survivors.append(mutation.name)
        warehouse.engine_for(settings.url).dispose()

    caught = len(MUTATIONS) - len(survivors)
    assert survivors == [], f"caught {caught}/{len(MUTATIONS)}; survived: {survivors}"
