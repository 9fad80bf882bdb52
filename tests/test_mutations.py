"""Planted errors: each one, alone, must make the build refuse the marts.

A warehouse is collected once; each mutant is a copy of it with one error
planted, in ``core`` (as a faulty load or a hand edit would leave it) or in a
copy of the dbt project, a model or a macro (as a faulty change would). Each
must be refused and leave the live marts as they were; the unmutated copy must
build: a check that refuses everything catches nothing. One test per error, so
that a survivor is named; the catch rate is in docs/marts.md.
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
from tests.scenario import (
    DISCLOSURE_SCENARIO,
    LEVER_SCENARIO,
    collect_the_self_assessment_of_2025,
)


@dataclass(frozen=True)
class Mutation:
    name: str
    core: str | None = None
    """SQL that plants the error in the warehouse."""
    model: str | None = None
    """The file of the dbt project (a model, a macro) that is changed..."""
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
        model="models/marts/commitments_by_axis_year.sql",
        replace=(
            'ELSE {{ published("m.deduplicated", "m.deduplicated_reason") }}',
            'ELSE {{ published("m.gross", "m.deduplicated_reason") }}',
        ),
    ),
    Mutation(
        "suppression removed",
        model="models/intermediate/pooled_investment_lines.sql",
        replace=(
            "    w.gross_reason,\n    w.deduplicated_reason",
            "    NULL AS gross_reason,\n    NULL AS deduplicated_reason",
        ),
    ),
    Mutation(
        "share computed on gross",
        model="models/marts/carbon_trajectory_vs_target.sql",
        replace=(
            "THEN c.deduplicated / (t.baseline_value - t.target_value)",
            "THEN c.gross / (t.baseline_value - t.target_value)",
        ),
    ),
    Mutation(
        "confidential action counted in its axis",
        model="models/intermediate/pooled_investment_lines.sql",
        replace=(
            '{{ pooled("l.plan_axis", "l.confidential") }}',
            "l.plan_axis",
        ),
    ),
    Mutation(
        "confidential action counted in its nature and funding source",
        model="models/intermediate/pooled_investment_lines.sql",
        replace=(
            '{{ pooled("l.nature", "l.confidential") }} AS nature,\n'
            '    {{ pooled("l.funding_source", "l.confidential") }} AS funding_source,',
            "l.nature AS nature,\n    l.funding_source AS funding_source,",
        ),
    ),
    Mutation(
        "abandoned actions' money counted",
        model="models/intermediate/pooled_investment_lines.sql",
        replace=("WHERE l.is_live", "WHERE TRUE"),
    ),
    Mutation(
        "impacts counted a year late",
        model="models/intermediate/impact_cells.sql",
        replace=(
            "AND l.first_full_year <= y.year\n    GROUP BY k.campaign_id, k.indicator, k.plan_axis",
            "AND l.first_full_year < y.year\n    GROUP BY k.campaign_id, k.indicator, k.plan_axis",
        ),
    ),
    Mutation(
        "a withheld pool published in the totals",
        model="models/intermediate/impact_cells.sql",
        replace=('{{ published("c.gross", "w.gross_reason") }} AS gross', "c.gross AS gross"),
    ),
    Mutation(
        "duplicated mart rows",
        model="models/marts/commitments_by_axis_sector_year.sql",
        replace=(
            "FROM cells AS c\n",
            "FROM cells AS c\nCROSS JOIN (VALUES (1), (2)) AS twice (n)\n",
        ),
    ),
    Mutation(
        "confidential actions in the partner summary",
        model="models/marts/partner_summary.sql",
        replace=("WHERE NOT a.confidential", "WHERE TRUE"),
    ),
    Mutation(
        "the rule 'the estimate beats the declaration' inverted",
        model="models/intermediate/carbon_lines.sql",
        replace=("AND NOT EXISTS (", "AND EXISTS ("),
    ),
    Mutation(
        "the suppression rule (a macro) publishes every figure",
        model="macros/rules.sql",
        replace=(
            "CASE WHEN {{ withheld_reason }} IS NULL THEN {{ figure }} END",
            "{{ figure }}",
        ),
    ),
    Mutation(
        "the pooling rule (a macro) leaves confidential actions in their cells",
        model="macros/rules.sql",
        replace=(
            "CASE WHEN {{ confidential }} THEN '{{ var(\"confidential_pool\") }}' "
            "ELSE {{ column }} END",
            "{{ column }}",
        ),
    ),
    Mutation(
        "co-funders' money counted in the status funnel",
        model="models/marts/status_funnel.sql",
        replace=(
            "COALESCE(SUM(investment_eur) FILTER (WHERE investment_counted), 0)",
            "COALESCE(SUM(investment_eur), 0)",
        ),
    ),
    Mutation(
        "co-funders' jobs counted again",
        model="models/marts/jobs_by_territory.sql",
        replace=("WHERE is_live AND counted", "WHERE is_live"),
    ),
    Mutation(
        "abandoned actions' jobs counted",
        model="models/marts/jobs_by_territory.sql",
        replace=("WHERE is_live AND counted", "WHERE counted"),
    ),
    Mutation(
        "an activity counted twice in the jobs lines",
        model="models/intermediate/job_lines.sql",
        replace=("CAST(1 AS NUMERIC(20, 6))", "CAST(2 AS NUMERIC(20, 6))"),
    ),
    Mutation(
        "confidential jobs counted in their axis",
        model="models/intermediate/job_lines.sql",
        replace=("    confidential,\n", "    FALSE AS confidential,\n"),
    ),
    Mutation(
        "jobs created read from the wrong column in core",
        "UPDATE core.actions SET jobs_created = jobs_consolidated WHERE action_ref = 'BS-1'",
    ),
    Mutation(
        "a maturity level changed in core",
        "UPDATE core.self_assessment SET maturity_level = '1' "
        "WHERE partner_id = 'universite' AND theme = 'energie' AND campaign_id = '2026'",
    ),
    Mutation(
        "withheld maturity means published",
        model="models/marts/maturity_by_theme.sql",
        replace=("w.cell = {{", "w.cell = 'none' AND w.cell = {{"),
    ),
    Mutation(
        "maturity compared with the next campaign",
        model="models/intermediate/maturity_lines.sql",
        replace=("LAG(campaign_id) OVER", "LEAD(campaign_id) OVER"),
    ),
    Mutation(
        "every partner of one college",
        model="models/intermediate/maturity_lines.sql",
        replace=("COALESCE(p.college, ", "COALESCE(NULL, "),
    ),
    Mutation(
        "confidential actions counted in a roadmap lever",
        model="models/intermediate/roadmap_observations.sql",
        replace=("WHERE f.is_live AND NOT f.confidential", "WHERE f.is_live"),
    ),
    Mutation(
        "abandoned actions counted in a roadmap lever",
        model="models/intermediate/roadmap_observations.sql",
        replace=("WHERE f.is_live AND NOT f.confidential", "WHERE NOT f.confidential"),
    ),
    Mutation(
        "co-funders' money counted again in a roadmap lever",
        model="models/intermediate/roadmap_observations.sql",
        replace=("WHERE l.investment_counted", "WHERE TRUE"),
    ),
    Mutation(
        "a lever given every plan axis",
        model="models/intermediate/roadmap_observations.sql",
        replace=("ON f.plan_axis = axes.plan_axis", "ON TRUE"),
    ),
    Mutation(
        "contracts counted from the year after their signature",
        model="models/intermediate/roadmap_observations.sql",
        replace=(
            "EXTRACT(YEAR FROM p.contract_signed_on) <= y.year",
            "EXTRACT(YEAR FROM p.contract_signed_on) < y.year",
        ),
    ),
    Mutation(
        "the steward's values read a year late",
        model="models/intermediate/roadmap_observations.sql",
        replace=(
            "        v.year,\n        v.value",
            "        v.year + 1 AS year,\n        v.value",
        ),
    ),
    Mutation(
        "a milestone judged against its target instead of the trajectory",
        model="models/marts/roadmap_progress.sql",
        replace=(
            "direction * observed_value >= direction * expected_value",
            "direction * observed_value >= direction * target_value",
        ),
    ),
    Mutation(
        "a change published beside a withheld mean",
        model="models/marts/maturity_change.sql",
        replace=(
            "m.current_mean_level - m.previous_mean_level AS change_in_mean_level",
            "COALESCE(m.current_mean_level, 0) - COALESCE(m.previous_mean_level, 0) "
            "AS change_in_mean_level",
        ),
    ),
)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory, reference) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("collected") / "data", settle_seconds=0)
    collect_the_self_assessment_of_2025(settings, reference)
    for partner_id, rows in (DISCLOSURE_SCENARIO | LEVER_SCENARIO).items():
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
        project = folder / "sql"
        shutil.copytree(aggregate.project.PROJECT_DIR, project)
        changed = project / mutation.model
        text = changed.read_text(encoding="utf-8")
        old, new = mutation.replace
        assert old in text, f"{mutation.name}: the text to replace is not in {mutation.model}"
        changed.write_text(text.replace(old, new, 1), encoding="utf-8")
        monkeypatch.setattr(aggregate.project, "PROJECT_DIR", project)


def _refused(settings: Settings) -> list[str] | None:
    try:
        pipeline.rebuild_marts(settings)
    except MartChecksFailed as refusal:
        return refusal.failures
    return None


def test_the_unmutated_warehouse_builds(collected: Settings, tmp_path: Path) -> None:
    assert _refused(_copy(collected, tmp_path)) is None


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.name)
def test_the_planted_error_is_refused_and_the_live_marts_stay(
    mutation: Mutation, collected: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _copy(collected, tmp_path)
    engine = warehouse.engine_for(settings.url)
    before = {name: aggregate.read_mart(engine, name) for name in aggregate.mart_names()}
    _planted(mutation, settings, monkeypatch, tmp_path)

    assert _refused(settings) is not None, f"survived: {mutation.name}"
    after = {name: aggregate.read_mart(engine, name) for name in aggregate.mart_names()}
    assert after == before
    engine.dispose()
