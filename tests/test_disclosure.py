"""Confidential figures against someone subtracting published cells.

Partners declare confidential actions with odd amounts (so that no public
figure equals one by chance); an attacker who reads every mart tries the
differencing attacks that recovered such figures before: a cell minus another
(gross minus deduplicated, one year's carbon minus the year before), an axis
minus its sectors, the status funnel minus the axes, a total minus its rows.
The attacker is written here, from the marts alone, not from the audit's code.
"""

from __future__ import annotations

import html
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from climate_contract import aggregate, disclosure, pipeline, validate, warehouse
from climate_contract.disclosure import history
from climate_contract.disclosure.plan import BELOW_THRESHOLD, DERIVABLE
from climate_contract.report import officials
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from tests.conftest import postgres_database
from tests.scenario import DISCLOSURE_SCENARIO, _action, _impact, _investment

POOL = disclosure.POOL
MONEY = "investment_eur"


SECRETS = {
    "BQ-1 amount": 512_345.67,
    "BQ-2 amount": 812_345.67,
    "banque-regionale money": 512_345.67 + 812_345.67,
    "CH-1 amount": 733_221.11,
    "CA-1 amount": 655_432.19,
    "PI-1 amount": 444_111.22,
    "PI-2 amount": 299_876.54,
    "promoteur-immobilier money": 444_111.22 + 299_876.54,
    "BQ-2 carbon": 153.7,
    "CH-1 carbon": 211.3,
    "CA-1 carbon": 377.7,
    "PI-2 carbon": 91.9,
}


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def collected(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, reference
) -> Iterator[Settings]:
    """The partners' files collected once per warehouse kind, marts built."""
    data_dir = tmp_path_factory.mktemp(request.param) / "data"

    def collect(url: str | None) -> Settings:
        settings = Settings(data_dir=data_dir, warehouse_url=url, settle_seconds=0)
        for partner_id, rows in DISCLOSURE_SCENARIO.items():
            inbox = settings.shared_folder("inbox", partner_id)
            write_workbook(inbox / "2026.xlsx", reference, partner_id, "2026", rows)
        outcomes = pipeline.run_collection(settings)
        assert {o.status for o in outcomes} == {"accepted"}
        return settings

    if request.param == "duckdb":
        yield collect(None)
        return
    with postgres_database() as url:
        yield collect(url)


def _marts(
    connection: sa.Connection, schemas: warehouse.ModelSchemas = warehouse.LIVE_MODELS
) -> dict[str, list[dict]]:
    return {
        name: [
            dict(row._mapping)
            for row in connection.execute(sa.text(f"SELECT * FROM {schemas.marts}.{name}"))
        ]
        for name in aggregate.mart_names()
    }


def _published_marts(settings: Settings) -> dict[str, list[dict]]:
    with warehouse.engine_for(settings.url).connect() as connection:
        return _marts(connection)


def _withholding_rules(settings: Settings) -> dict[tuple[str, int | None], tuple]:
    """The rule that withheld each pooled figure (gross, deduplicated), by measure
    and year: what the steward sees in intermediate.withheld_cells."""
    with warehouse.engine_for(settings.url).connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT measure, year, gross_rule, deduplicated_rule "
                "FROM intermediate.withheld_cells"
            )
        ).all()
    return {(row.measure, row.year): (row.gross_rule, row.deduplicated_rule) for row in rows}


def _figure(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def recovered(
    *publications: dict[str, list[dict]], secrets: dict[str, float] = SECRETS
) -> set[str]:
    """The secrets an attacker derives from one or several publications of the
    marts: any published number, any difference of two (of one publication or of
    two), an axis minus its sectors, the funnel minus the axes, a total minus its
    rows."""
    derived: list[float] = []
    for marts in publications:
        derived.extend(_derived(marts))
    figures = np.unique(np.abs(np.array(derived)))
    found = set()
    for name, secret in secrets.items():
        # a - b = secret, for a and b published or derived (b = 0: a itself).
        candidates = np.concatenate([figures, [0.0]])
        targets = candidates + secret
        index = np.clip(np.searchsorted(figures, targets), 1, len(figures) - 1)
        nearest = np.minimum(np.abs(figures[index] - targets), np.abs(figures[index - 1] - targets))
        if (nearest <= 1e-6 * secret).any():
            found.add(name)
    return found


def _derived(marts: dict[str, list[dict]]) -> list[float]:
    derived: list[float] = []
    for rows in marts.values():
        for row in rows:
            derived.extend(f for f in map(_figure, row.values()) if f is not None)
    money = ("investment_eur_gross", "investment_eur_deduplicated")
    sectors: dict[tuple, float] = defaultdict(float)
    for row in marts["commitments_by_axis_sector_year"]:
        for column in money:
            sectors[(row["plan_axis"], row["year"], column)] += _figure(row[column]) or 0
    for row in marts["commitments_by_axis_year"]:
        for column in money:
            if row[column] is not None:
                derived.append(
                    float(row[column]) - sectors[(row["plan_axis"], row["year"], column)]
                )
    funnel = sum(_figure(r["investment_eur_deduplicated"]) or 0 for r in marts["status_funnel"])
    axes = sum(
        _figure(r["investment_eur_deduplicated"]) or 0 for r in marts["commitments_by_axis_year"]
    )
    derived.append(funnel - axes)
    for mart, column in (
        ("carbon_trajectory_vs_target", "avoided_tco2e_per_year_deduplicated"),
        ("carbon_trajectory_vs_target", "avoided_tco2e_per_year_gross"),
    ):
        rows_by_year: dict[int, float] = defaultdict(float)
        totals = {}
        for row in marts[mart]:
            if row["plan_axis"] == "all":
                totals[row["year"]] = _figure(row[column]) or 0
            else:
                rows_by_year[row["year"]] += _figure(row[column]) or 0
        derived.extend(totals[year] - rows_by_year[year] for year in totals)
    return derived


def test_no_differencing_attack_recovers_a_confidential_figure(collected: Settings) -> None:
    marts = _published_marts(collected)

    assert recovered(marts) == set()
    # ...while the pools that can be published are: the attack had something to work on.
    pools = {(r["year"]): r for r in marts["commitments_by_axis_year"] if r["plan_axis"] == POOL}
    assert float(pools[2026]["investment_eur_deduplicated"]) == pytest.approx(
        812_345.67 + 733_221.11 + 655_432.19
    )
    assert pools[2026]["investment_eur_gross"] is None  # minus it, the co-funder
    # The marts give one reason for all: which rule withheld a figure is the steward's.
    assert {pools[2026]["suppressed_reason"], pools[2027]["suppressed_reason"]} == {"confidential"}
    rules = _withholding_rules(collected)
    assert rules[(MONEY, 2026)] == (DERIVABLE, None)
    assert rules[(MONEY, 2027)] == (BELOW_THRESHOLD, BELOW_THRESHOLD)
    carbon = {r["year"]: r for r in marts["carbon_trajectory_vs_target"] if r["plan_axis"] == POOL}
    assert float(carbon[2030]["avoided_tco2e_per_year_deduplicated"]) == pytest.approx(742.7)
    assert carbon[2031]["avoided_tco2e_per_year_deduplicated"] is None


def _report_figures(page: str) -> np.ndarray:
    """Every figure the French report shows a reader, in its text and in its charts'
    text alternatives, as numbers (rounded as shown)."""
    shown = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    spoken = " ".join(re.findall(r'aria-label="([^"]*)"', page))
    text = html.unescape(re.sub(r"<[^>]+>", " ", shown) + " " + spoken)
    figures = re.findall(r"\d{1,3}(?:[\u202f\u00a0]\d{3})+(?:,\d+)?|\d+(?:,\d+)?", text)
    return np.array([float(re.sub(r"[\u202f\u00a0]", "", f).replace(",", ".")) for f in figures])


def revealed_by_report(page: str, secrets: dict[str, float] = SECRETS) -> set[str]:
    """The money secrets a reader finds in the report: a figure, or the difference
    of two, within rounding of one."""
    figures = np.unique(np.abs(_report_figures(page)))
    candidates = np.concatenate([figures, [0.0]])
    found = set()
    for name, secret in secrets.items():
        if secret < 1_000:  # carbon: rounded to the tonne, too close to other small figures
            continue
        targets = candidates + secret
        index = np.clip(np.searchsorted(figures, targets), 1, len(figures) - 1)
        nearest = np.minimum(np.abs(figures[index] - targets), np.abs(figures[index - 1] - targets))
        if (nearest <= 1.0).any():
            found.add(name)
    return found


def test_the_campaign_report_reveals_no_confidential_figure(collected: Settings, reference) -> None:
    published = collected.data_dir / "published"
    page = (published / "2026" / "rapport.html").read_text()
    assert revealed_by_report(page) == set()
    # The pooled figures that can be published are in it, rounded...
    assert "2\u202f200\u202f999" in page  # 812 345.67 + 733 221.11 + 655 432.19
    # ...and a confidential amount in a withheld cell would be found.
    tables = {
        name: pq.read_table(published / "current" / f"{name}.parquet")
        for name in aggregate.mart_names()
    }
    money = tables["commitments_by_axis_year"].to_pylist()
    for row in money:
        if row["plan_axis"] == POOL and row["year"] == 2027:
            assert row["investment_eur_deduplicated"] is None
            row["investment_eur_deduplicated"] = SECRETS["CH-1 amount"]
    tables["commitments_by_axis_year"] = pa.Table.from_pylist(
        money, schema=tables["commitments_by_axis_year"].schema
    )
    publication = officials.Publication(date(2026, 11, 24), "0" * 64, {}, 3, 0.75)
    leaking = officials.render_html(
        officials.campaign_report(tables, "2026", reference, publication)
    )
    assert revealed_by_report(leaking) == {"CH-1 amount"}


def test_without_the_disclosure_plan_the_attacks_work_and_the_audit_refuses_the_build(
    collected: Settings,
) -> None:
    def withhold_nothing(connection: sa.Connection, schemas: warehouse.ModelSchemas) -> None:
        table = schemas.withheld_cells()
        table.drop(connection, checkfirst=True)
        table.create(connection)

    rules = pipeline.disclosure_rules(collected)
    build = aggregate.build_models(collected, withhold_nothing, date.today())
    assert build.failures == []
    with warehouse.engine_for(collected.url).connect() as connection:
        exposed = recovered(_marts(connection, warehouse.BUILD_MODELS))
        failures = disclosure.audit_publication(connection, rules, warehouse.BUILD_MODELS).failures

    assert {"BQ-1 amount", "PI-2 amount", "PI-2 carbon"} <= exposed
    assert any("breaks its rule (confidential_below_partner_threshold)" in f for f in failures)
    pinned = [f for f in failures if f.startswith("disclosure audit")]
    assert any("banque-regionale (BQ-1: investment_eur 2026)" in f for f in pinned)
    assert any("promoteur-immobilier (PI-2: ges_evites 2031)" in f for f in pinned)


def test_a_model_counting_a_confidential_action_in_its_axis_fails_the_audit(
    collected: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = _published_marts(collected)
    project = tmp_path / "sql"
    shutil.copytree(aggregate.project.PROJECT_DIR, project)
    leaking = project / "models" / "intermediate" / "pooled_investment_lines.sql"
    leaking.write_text(
        leaking.read_text(encoding="utf-8")
        .replace('{{ pooled("l.plan_axis", "l.confidential") }}', "l.plan_axis")
        .replace('{{ pooled("l.sector", "l.confidential") }}', "l.sector")
    )
    monkeypatch.setattr(aggregate.project, "PROJECT_DIR", project)

    with pytest.raises(validate.MartChecksFailed) as refused:
        pipeline.rebuild_marts(collected)

    said = str(refused.value)
    assert (
        "commitments_by_axis_sector_year.investment_eur_deduplicated: 3 cell(s) differ from the "
        "contributions behind them" in said
    )
    assert _published_marts(collected) == before


def test_a_confidential_co_funder_cannot_subtract_its_own_share_to_find_another_s(
    make_settings, reference
) -> None:
    """Two confidential co-funders of a public lead: gross minus deduplicated is
    their sum; each knows its own part, so that sum must not be published."""
    boiler = ("energies_renouvelables", "branche_energie")
    project = {"role": "cofinanceur", "shared_project_key": "PP-CHAUFFERIE"}
    partners = {
        "reseau-chaleur": {
            "actions": [_action("RC-1", "Chaufferie", *boiler, shared_project_key="PP-CHAUFFERIE")],
            "investments": [_investment("RC-1", 2026, 2_000_000)],
            "impacts": [],
        },
        "banque-regionale": _alone("BQ-1", 512_345.67, **project),
        "universite": _alone("U-1", 498_765.43, **project),
        "chu": _alone("CH-1", 733_221.11),
        "cooperative-agricole": _alone("CA-1", 655_432.19),
        "promoteur-immobilier": _alone("PI-1", 544_111.22),
    }
    settings = make_settings()
    for partner_id, rows in partners.items():
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, "2026", rows)
    assert {o.status for o in pipeline.run_collection(settings)} == {"accepted"}

    (pool,) = [
        r for r in _published_marts(settings)["commitments_by_axis_year"] if r["plan_axis"] == POOL
    ]
    assert float(pool["investment_eur_deduplicated"]) == pytest.approx(
        733_221.11 + 655_432.19 + 544_111.22
    )
    assert pool["investment_eur_gross"] is None
    assert _withholding_rules(settings)[(MONEY, 2026)] == (DERIVABLE, None)


def _alone(ref: str, amount: float, **extra: str) -> dict:
    """A partner with one confidential action of ``amount`` in 2026."""
    return {
        "actions": [
            _action(ref, f"Action {ref}", "sobriete_efficacite", "residentiel", confidential=True)
            | extra
        ],
        "investments": [_investment(ref, 2026, amount)],
        "impacts": [],
    }


def test_a_later_publication_does_not_give_away_who_joined_or_left_the_pool(
    make_settings, reference
) -> None:
    """Subtracting an earlier publication: a confidential partner joining the pool,
    then one withdrawing its action, must not show in the difference."""
    settings = make_settings()

    def publish(rows_by_partner: dict[str, dict]) -> dict[str, list[dict]]:
        for partner_id, rows in rows_by_partner.items():
            inbox = settings.shared_folder("inbox", partner_id)
            write_workbook(
                inbox / f"{len(list(inbox.parent.rglob('*')))}.xlsx",
                reference,
                partner_id,
                "2026",
                rows,
            )
        assert {o.status for o in pipeline.run_collection(settings)} == {"accepted"}
        return _published_marts(settings)

    public = {
        "actions": [_action("BS-1", "Rénovation", "sobriete_efficacite", "residentiel")],
        "investments": [_investment("BS-1", 2026, 1_200_000)],
        "impacts": [],
    }
    first = publish(
        {
            "bailleur-social": public,
            "chu": _alone("CH-1", 733_221.11),
            "cooperative-agricole": _alone("CA-1", 655_432.19),
            "promoteur-immobilier": _alone("PI-1", 544_111.22),
        }
    )
    joined = publish({"banque-regionale": _alone("BQ-1", 412_345.67)})
    public_instead = {
        "actions": [_action("CH-2", "Éclairage", "sobriete_efficacite", "tertiaire")],
        "investments": [_investment("CH-2", 2026, 100_000)],
        "impacts": [],
    }
    left = publish({"chu": public_instead})

    secrets = {"BQ-1 joining": 412_345.67, "CH-1 leaving": 733_221.11}
    assert recovered(first, joined, left, secrets=secrets) == set()
    (pool,) = [r for r in first["commitments_by_axis_year"] if r["plan_axis"] == POOL]
    assert pool["investment_eur_deduplicated"] is not None  # the attack had a start


def test_money_in_the_contract_s_last_years_does_not_stop_the_build(
    make_settings, reference
) -> None:
    """A year beyond the trajectories' old horizon (2050) once made every later
    build fail: the headline mart and the audit disagreed on its carbon."""
    settings = make_settings()
    partners = {
        "reseau-chaleur": {
            "actions": [_action("RC-1", "Chaufferie", "energies_renouvelables", "branche_energie")],
            "investments": [_investment("RC-1", 2026, 1_000_000)],
            "impacts": [_impact("RC-1", "ges_evites", 2_000, "tCO2e/an", 2028)],
        },
        "opera": {
            "actions": [_action("OP-1", "Toiture", "energies_renouvelables", "tertiaire")],
            "investments": [_investment("OP-1", 2055, 10_000)],
            "impacts": [],
        },
    }
    for partner_id, rows in partners.items():
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, "2026", rows)

    assert {o.status for o in pipeline.run_collection(settings)} == {"accepted"}

    rows = {
        (r["plan_axis"], r["year"]): r
        for r in _published_marts(settings)["commitments_by_axis_year"]
    }
    assert float(rows[("energies_renouvelables", 2055)]["avoided_tco2e_per_year_deduplicated"]) == (
        pytest.approx(2_000)
    )


def test_an_earlier_figure_whose_value_changed_since_is_another_unknown(make_settings) -> None:
    """A referential change (a VAT rate, a unit's scale) changes a contribution's value
    under the same identity: the earlier sum holds the earlier value."""
    settings = make_settings()
    pipeline.refresh_reference(settings)
    identity = {
        "submission_id": "s1",
        "source_sheet": "Investissements",
        "source_row": 2,
        "line": 0,
    }
    earlier = identity | {"measure": MONEY, "partner_id": "chu", "action_ref": "A", "year": 2026}
    now = pd.DataFrame([earlier | {"value": 1_000_000 / 1.2, "confidential": True}])
    with warehouse.engine_for(settings.url).begin() as connection:
        connection.execute(
            warehouse.published_pools.insert(),
            [earlier | {"value": 1_000_000.0, "pool_signature": "earlier"}],
        )
        frame, sums = history.with_history(connection, now)

    assert list(frame["value"]) == pytest.approx([1_000_000 / 1.2, 1_000_000])
    assert sums == [frozenset({1})]


def test_several_amounts_of_one_row_are_several_contributions_of_a_published_pool(
    make_settings,
) -> None:
    """A partner's own layout may put one amount per year (or per funder) on one row:
    each is its own unknown, recorded and found again as such."""
    settings = make_settings()
    pipeline.refresh_reference(settings)
    row = {"submission_id": "s1", "source_sheet": "Plan", "source_row": 7, "measure": MONEY}
    amounts = pd.DataFrame(
        [
            row
            | {"partner_id": "chu", "action_ref": "A", "year": year, "funder": None}
            | {"value": value, "confidential": True}
            for year, value in ((2027, 300_000.0), (2026, 200_000.0))
        ]
    )
    amounts["line"] = [1, 0]  # numbered by year, as read_contributions numbers them
    with warehouse.engine_for(settings.url).begin() as connection:
        history.record_published(connection, amounts, [frozenset({0, 1})])
        frame, sums = history.with_history(connection, amounts)

    assert len(frame) == 2  # both found again, none taken for a withdrawn one
    assert sums == [frozenset({0, 1})]
