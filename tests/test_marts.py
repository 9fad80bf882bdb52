from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from climate_contract import aggregate, disclosure, pipeline, warehouse
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from climate_contract.validate import check_marts
from tests.scenario import PROJECT, WORKED_EXAMPLE, _action, _impact, _investment

BOILER_CELL = ("energies_renouvelables", "branche_energie")
HOUSING_CELL = ("sobriete_efficacite", "residentiel")


def _collect(settings: Settings, reference, submissions: dict, campaign: str = "2026") -> None:
    settings = settings.model_copy(update={"campaign": campaign})
    for partner_id, rows in submissions.items():
        inbox = settings.shared_root / "inbox" / partner_id
        write_workbook(inbox / f"{campaign}.xlsx", reference, partner_id, campaign, rows)
    pipeline.run_collection(settings)


def _mart(settings: Settings, name: str) -> list[dict]:
    return aggregate.read_mart(warehouse.engine_for(settings.url), name).to_pylist()


def _number(value) -> float | None:
    return None if value is None else float(value)


@pytest.fixture
def worked_example(warehouse_settings: Settings, reference) -> Settings:
    _collect(warehouse_settings, reference, WORKED_EXAMPLE)
    return warehouse_settings


def test_money_is_counted_once_per_shared_project(worked_example: Settings) -> None:
    cells = {
        (r["plan_axis"], r["sector"], r["year"]): r
        for r in _mart(worked_example, "commitments_by_axis_sector_year")
    }

    boiler_2026, boiler_2027 = cells[(*BOILER_CELL, 2026)], cells[(*BOILER_CELL, 2027)]
    assert _number(boiler_2026["investment_eur_gross"]) == 2_500_000
    assert _number(boiler_2026["investment_eur_deduplicated"]) == 2_000_000
    assert _number(boiler_2027["investment_eur_gross"]) == 1_300_000
    assert _number(boiler_2027["investment_eur_deduplicated"]) == 1_000_000
    assert (boiler_2026["partner_count"], boiler_2026["suppressed_reason"]) == (2, None)


def test_impacts_are_counted_once_and_estimates_win_over_declarations(
    worked_example: Settings,
) -> None:
    carbon = {
        (r["plan_axis"], r["year"]): r for r in _mart(worked_example, "carbon_trajectory_vs_target")
    }

    boiler = carbon[("energies_renouvelables", 2028)]
    # lead: 10 000 MWh gas replaced by wood = 2 226 t (its declared 2 000 t stays aside);
    # the bank declares the same project's 2 226 t: gross counts both, deduplicated one.
    assert _number(boiler["avoided_tco2e_per_year_gross"]) == pytest.approx(4_452)
    assert _number(boiler["avoided_tco2e_per_year_deduplicated"]) == pytest.approx(2_226)
    assert _number(carbon[("energies_renouvelables", 2027)]["avoided_tco2e_per_year_gross"]) == 0


def test_the_headline_mart_keeps_a_year_with_carbon_but_no_money(
    worked_example: Settings,
) -> None:
    rows = {
        (r["plan_axis"], r["year"]): r for r in _mart(worked_example, "commitments_by_axis_year")
    }

    boiler_2030 = rows[("energies_renouvelables", 2030)]
    assert _number(boiler_2030["investment_eur_gross"]) == 0
    assert _number(boiler_2030["avoided_tco2e_per_year_deduplicated"]) == pytest.approx(2_226)
    # Every year's carbon adds up to the trajectory's total, money or not.
    total_2030 = sum(
        _number(r["avoided_tco2e_per_year_deduplicated"]) or 0
        for (axis, year), r in rows.items()
        if year == 2030
    )
    assert total_2030 == pytest.approx(2_226 + 478)


def test_ttc_amounts_are_counted_before_tax_never_added_to_ht_as_declared(
    warehouse_settings: Settings, reference
) -> None:
    rows = {
        "actions": [_action("U-1", "Isolation", "sobriete_efficacite", "tertiaire")],
        "investments": [
            _investment("U-1", 2026, 100_000),
            _investment("U-1", 2026, 1_200_000) | {"tax_basis": "TTC"},
        ],
        "impacts": [],
    }
    _collect(warehouse_settings, reference, {"universite": rows})

    (cell,) = _mart(warehouse_settings, "commitments_by_axis_sector_year")
    assert _number(cell["investment_eur_gross"]) == pytest.approx(100_000 + 1_000_000)
    (summary,) = _mart(warehouse_settings, "partner_summary")
    assert _number(summary["investment_eur_gross"]) == pytest.approx(1_100_000)


def test_money_by_nature_and_funding_source_counts_once_and_pools_confidential_actions(
    warehouse_settings: Settings, reference
) -> None:
    def funded(partner_id: str, ref: str, **columns: str) -> None:
        for row in submissions[partner_id]["investments"]:
            if row["action_ref"] == ref:
                row.update(columns)

    submissions = copy.deepcopy(WORKED_EXAMPLE)
    funded("reseau-chaleur", "RC-1", funding_source="emprunt")
    funded("bailleur-social", "BS-2", nature="fonctionnement", funding_source="subvention")
    # BQ-1 and BS-1 (co-funders of the boiler) give no funding source; BQ-2 is
    # confidential, alone in its pool.
    _collect(warehouse_settings, reference, submissions)

    rows = _mart(warehouse_settings, "commitments_by_funding_year")
    cells = {
        (r["nature"], r["funding_source"], r["year"]): (
            _number(r["investment_eur_gross"]),
            _number(r["investment_eur_deduplicated"]),
            r["partner_count"],
            r["suppressed_reason"],
        )
        for r in rows
    }
    assert cells == {
        ("investissement", "emprunt", 2026): (2_000_000, 2_000_000, 1, None),
        ("investissement", "emprunt", 2027): (1_000_000, 1_000_000, 1, None),
        # Co-funders' money funds the lead's project: counted once, there.
        ("investissement", "non_renseigne", 2026): (500_000, 0, 1, None),
        ("investissement", "non_renseigne", 2027): (300_000, 0, 1, None),
        ("fonctionnement", "subvention", 2026): (1_200_000, 1_200_000, 1, None),
        ("confidentiel", "confidentiel", 2026): (None, None, 1, "confidential"),
    }
    labels = {(r["nature_label"], r["funding_source_label"]) for r in rows}
    assert ("Investissement", "Non renseignée") in labels
    assert ("Fonctionnement", "Subvention") in labels


def test_a_shared_project_mart_lists_who_declared_what(worked_example: Settings) -> None:
    rows = _mart(worked_example, "shared_projects")

    assert {
        (r["partner_id"], r["role"], _number(r["investment_eur"]), r["investment_counted"])
        for r in rows
    } == {
        ("reseau-chaleur", "porteur", 3_000_000, True),
        ("bailleur-social", "cofinanceur", 300_000, False),
        ("banque-regionale", "cofinanceur", 500_000, False),
    }
    assert len(rows) == 3
    assert {r["shared_project_key"] for r in rows} == {PROJECT}


def test_confidential_actions_count_only_in_the_pool_which_one_partner_cannot_fill(
    worked_example: Settings,
) -> None:
    cells = {
        (r["plan_axis"], r["sector"], r["year"]): r
        for r in _mart(worked_example, "commitments_by_axis_sector_year")
    }
    # The landlord's 1.2 M€ only: the bank's confidential 0.8 M€ is not in its axis.
    housing = cells[(*HOUSING_CELL, 2026)]
    assert _number(housing["investment_eur_gross"]) == 1_200_000
    assert (housing["partner_count"], housing["suppressed_reason"]) == (1, None)
    pool = cells[(disclosure.POOL, disclosure.POOL, 2026)]
    assert pool["investment_eur_gross"] is None
    assert pool["investment_eur_deduplicated"] is None
    assert pool["suppressed_reason"] == "confidential"

    carbon = {
        (r["plan_axis"], r["year"]): r for r in _mart(worked_example, "carbon_trajectory_vs_target")
    }
    assert _number(carbon[("sobriete_efficacite", 2027)]["avoided_tco2e_per_year_gross"]) == (
        pytest.approx(478)
    )
    assert carbon[(disclosure.POOL, 2027)]["avoided_tco2e_per_year_deduplicated"] is None
    # The total adds published rows only: never the bank's 150 t, and says so.
    total_2027, total_2028 = carbon[("all", 2027)], carbon[("all", 2028)]
    assert _number(total_2027["avoided_tco2e_per_year_deduplicated"]) == pytest.approx(478)
    assert _number(total_2028["avoided_tco2e_per_year_deduplicated"]) == pytest.approx(2_704)
    assert _number(total_2028["avoided_tco2e_per_year_gross"]) == pytest.approx(4_452 + 478)
    assert total_2028["total_withholds_confidential_cells"] is True
    assert carbon[("all", 2026)]["total_withholds_confidential_cells"] is False


def test_the_rules_are_settings(worked_example: Settings) -> None:
    relaxed = worked_example.model_copy(
        update={
            "confidentiality_min_partners": 1,
            "confidentiality_dominance_share": 1.0,
            "confidentiality_protection_share": 0.0,
        }
    )
    pipeline.rebuild_marts(relaxed)

    cells = {
        (r["plan_axis"], r["sector"], r["year"]): r
        for r in _mart(worked_example, "commitments_by_axis_sector_year")
    }
    assert (
        _number(cells[(disclosure.POOL, disclosure.POOL, 2026)]["investment_eur_gross"]) == 800_000
    )


def test_confidential_actions_never_show_at_partner_or_action_level(
    worked_example: Settings,
) -> None:
    summary = {r["partner_id"]: r for r in _mart(worked_example, "partner_summary")}

    bank = summary["banque-regionale"]
    assert (bank["action_count"], _number(bank["investment_eur_gross"])) == (1, 500_000)
    assert _number(bank["retained_tco2e_per_year_counted"]) == 0
    assert "Prêts verts" not in str(_mart(worked_example, "shared_projects"))


def test_partner_summary_keeps_declared_and_estimated_carbon_side_by_side(
    worked_example: Settings,
) -> None:
    lead = {r["partner_id"]: r for r in _mart(worked_example, "partner_summary")}["reseau-chaleur"]

    assert _number(lead["declared_tco2e_per_year"]) == pytest.approx(2_000)
    assert _number(lead["estimated_tco2e_per_year"]) == pytest.approx(2_226)
    assert _number(lead["retained_tco2e_per_year_counted"]) == pytest.approx(2_226)


def test_targets_are_interpolated_linearly_between_milestones(worked_example: Settings) -> None:
    carbon = {
        (r["plan_axis"], r["year"]): r for r in _mart(worked_example, "carbon_trajectory_vs_target")
    }

    # Sample targets: 1 800 kt in 2010, 1 080 kt in 2030, 0 in 2050.
    assert _number(carbon[("all", 2020)]["target_emissions_tco2e"]) == pytest.approx(1_440_000)
    assert _number(carbon[("all", 2030)]["target_emissions_tco2e"]) == pytest.approx(1_080_000)
    assert _number(carbon[("all", 2040)]["target_emissions_tco2e"]) == pytest.approx(540_000)
    row_2028 = carbon[("all", 2028)]
    required = 1_800_000 - (1_800_000 - 720_000 * 18 / 20)
    assert _number(row_2028["required_reduction_tco2e"]) == pytest.approx(required)
    assert _number(row_2028["share_of_required_reduction_covered"]) == pytest.approx(
        2_704 / required
    )
    # Sample inventory: 1 560 kt observed in 2018, 1 440 kt in 2021 (the latest by 2028).
    assert carbon[("all", 2020)]["observed_inventory_year"] == 2018
    assert row_2028["observed_inventory_year"] == 2021
    remaining = 1_440_000 - (1_800_000 - required)
    assert _number(row_2028["remaining_gap_tco2e"]) == pytest.approx(remaining)
    assert _number(row_2028["share_of_remaining_gap_covered"]) == pytest.approx(2_704 / remaining)
    assert carbon[("all", 2017)]["observed_inventory_year"] is None


def test_biodiversity_results_are_compared_with_their_targets(
    warehouse_settings: Settings, reference
) -> None:
    rows = {
        "actions": [_action("P-1", "Cours oasis", "biodiversite", "tertiaire")],
        "investments": [_investment("P-1", 2026, 100_000)],
        "impacts": [
            _impact("P-1", "surface_desimpermeabilisee", 5_000, "m2", 2027),
            _impact("P-1", "arbres_plantes", 300, "arbres", 2028),
        ],
    }
    _collect(warehouse_settings, reference, {"universite": rows})

    cells = {
        (r["indicator"], r["plan_axis"], r["year"]): r
        for r in _mart(warehouse_settings, "biodiversity_vs_target")
    }
    desealed = cells[("surface_desimpermeabilisee", "all", 2030)]
    assert (desealed["unit"], _number(desealed["delivered_deduplicated"])) == ("ha", 0.5)
    assert _number(desealed["target_value"]) == 50
    assert _number(desealed["share_of_target"]) == pytest.approx(0.01)
    trees_2027 = cells[("arbres_plantes", "all", 2027)]
    assert _number(trees_2027["delivered_deduplicated"]) == 0
    assert _number(trees_2027["target_value"]) == pytest.approx(30_000 * 4 / 7)


def test_status_funnel_counts_actions_by_status(worked_example: Settings) -> None:
    funnel = {r["status"]: r for r in _mart(worked_example, "status_funnel")}

    committed = funnel["engagee"]
    assert (committed["action_count"], committed["partner_count"]) == (4, 3)
    assert _number(committed["investment_eur_deduplicated"]) == 2_000_000 + 1_000_000 + 1_200_000
    pool = funnel[disclosure.POOL]
    assert (pool["action_count"], pool["investment_eur_deduplicated"]) == (1, None)


def test_year_over_year_changes_for_partners_in_two_campaigns(
    warehouse_settings: Settings, reference
) -> None:
    before = {
        "actions": [
            _action("U-1", "Isolation", "sobriete_efficacite", "tertiaire", status="prevue"),
            _action("U-2", "Navettes", "mobilites", "transport_routier"),
            _action("U-3", "Éclairage", "sobriete_efficacite", "tertiaire"),
        ],
        "investments": [_investment("U-1", 2025, 100_000), _investment("U-3", 2025, 10_000)],
        "impacts": [],
    }
    after = {
        "actions": [
            _action("U-1", "Isolation", "sobriete_efficacite", "tertiaire", status="en_cours"),
            _action("U-3", "Éclairage", "sobriete_efficacite", "tertiaire"),
            _action("U-4", "Panneaux", "energies_renouvelables", "tertiaire"),
        ],
        "investments": [_investment("U-1", 2026, 150_000), _investment("U-3", 2026, 12_000)],
        "impacts": [],
    }
    _collect(warehouse_settings, reference, {"universite": before}, campaign="2025")
    _collect(warehouse_settings, reference, {"universite": after}, campaign="2026")

    changes = {r["action_ref"]: r for r in _mart(warehouse_settings, "year_over_year_changes")}

    assert {ref: r["change"] for ref, r in changes.items()} == {
        "U-1": "status_changed",
        "U-2": "dropped",
        "U-3": "figures_changed",
        "U-4": "added",
    }
    assert (changes["U-1"]["status_before"], changes["U-1"]["status_after"]) == (
        "prevue",
        "en_cours",
    )
    assert _number(changes["U-3"]["investment_eur_change"]) == 2_000
    assert {r["previous_campaign_id"] for r in changes.values()} == {"2025"}


def test_campaign_coverage_says_who_is_missing_rejected_or_late(
    warehouse_settings: Settings, reference
) -> None:
    good = WORKED_EXAMPLE["bailleur-social"]
    bad = {"actions": [_action("X", "X", "inconnu", "tertiaire")]}
    _collect(warehouse_settings, reference, {"bailleur-social": good, "chu": bad})

    coverage = {r["partner_id"]: r for r in _mart(warehouse_settings, "campaign_coverage")}
    expected_2026 = {p.id for p in reference.partners if "2026" in p.campaigns}

    assert {pid for pid, r in coverage.items() if r["campaign_id"] == "2026"} == expected_2026
    landlord, hospital, opera = coverage["bailleur-social"], coverage["chu"], coverage["opera"]
    assert (landlord["accepted"], landlord["latest_status"]) == (True, "accepted")
    assert (hospital["submitted"], hospital["accepted"], hospital["latest_status"]) == (
        True,
        False,
        "rejected",
    )
    assert hospital["latest_error_count"] >= 1
    # Files dropped today come after the 2026 deadline (31 March 2026).
    late_now = datetime.now(UTC).date() > reference.campaigns[-1].deadline
    assert (opera["submitted"], opera["late"], landlord["late"]) == (False, late_now, late_now)


def test_mart_checks_pass_on_real_data_and_catch_a_tampered_mart(
    worked_example: Settings,
) -> None:
    # The checks read the last build, kept in the build schemas after it was published.
    build = warehouse.BUILD_MODELS
    engine = warehouse.engine_for(worked_example.url)
    with engine.begin() as connection:
        assert check_marts(connection, build) == []
        connection.execute(
            sa.text(
                f"UPDATE {build.marts}.commitments_by_axis_sector_year "
                "SET investment_eur_deduplicated = 0 "
                "WHERE sector = 'branche_energie' AND year = 2026"
            )
        )
        failures = check_marts(connection, build)
        connection.rollback()

    assert len(failures) == 1
    assert failures[0].startswith("investment_reconciliation")


def test_a_published_figure_lists_the_file_rows_behind_it(worked_example: Settings) -> None:
    with warehouse.engine_for(worked_example.url).connect() as connection:
        behind = disclosure.lineage(
            connection,
            "commitments_by_axis_year",
            "investment_eur_gross",
            {"plan_axis": "energies_renouvelables", "year": "2026"},
        )

    assert {(r["partner_id"], r["file_name"], r["sheet"], r["row"]) for r in behind} == {
        ("reseau-chaleur", "2026.xlsx", "Investissements", 2),
        ("banque-regionale", "2026.xlsx", "Investissements", 2),
    }
    assert sum(r["value"] for r in behind) == pytest.approx(2_500_000)
    assert {float(r["published"]) for r in behind} == {2_500_000}


def test_a_project_its_lead_abandoned_stays_abandoned_and_disagreements_are_listed(
    warehouse_settings: Settings, reference
) -> None:
    boiler = ("Chaufferie", "energies_renouvelables", "branche_energie")
    lead = {
        "actions": [_action("RC-1", *boiler, shared_project_key=PROJECT, status="abandonnee")],
        "investments": [_investment("RC-1", 2026, 1_000_000)],
        "impacts": [_impact("RC-1", "ges_evites", 2_000, "tCO2e/an", 2028)],
    }
    cofunder = {
        "actions": [
            _action("BQ-1", *boiler, role="cofinanceur", shared_project_key=PROJECT, end_year=2029)
        ],
        "investments": [_investment("BQ-1", 2026, 1_500_000)],
        "impacts": [_impact("BQ-1", "ges_evites", 2_500, "tCO2e/an", 2028)],
    }
    _collect(warehouse_settings, reference, {"reseau-chaleur": lead, "banque-regionale": cofunder})

    (cell,) = _mart(warehouse_settings, "commitments_by_axis_sector_year")
    # The co-funder's claim does not take over the abandoned project.
    assert (
        _number(cell["investment_eur_gross"]),
        _number(cell["investment_eur_deduplicated"]),
    ) == (
        1_500_000,
        0,
    )
    found = {
        (r["partner_id"], r["aspect"]): (r["lead_value"], r["declared_value"])
        for r in _mart(warehouse_settings, "shared_project_disagreements")
    }
    assert found == {
        ("banque-regionale", "status"): ("abandonnee", "engagee"),
        ("banque-regionale", "years"): ("2026-2027", "2026-2029"),
        ("banque-regionale", "amount"): ("1000000.00", "1500000.00"),
        ("banque-regionale", "impacts"): ("2000.00", "2500.00"),
    }


def test_what_confidentiality_costs_is_counted(worked_example: Settings) -> None:
    """One confidential action (the bank's 800 000 EUR of 2026, 150 tCO2e a year from
    2027): every pool it is alone in is withheld, years where a pool holds nothing
    cost nothing."""
    summary = {r["measure"]: r for r in _mart(worked_example, "suppression_summary")}

    def counts(measure: str) -> tuple[int, int, int]:
        row = summary[measure]
        return row["pooled_figures"], row["gross_withheld"], row["deduplicated_withheld"]

    assert counts("investment_eur") == (1, 1, 1)
    # 2015-2060: nothing in the pool before 2027, the bank alone from 2027 (34 years).
    assert counts("ges_evites") == (46, 34, 34)
    assert counts("funnel_investment_eur") == (1, 0, 1)
    assert counts("funnel_tco2e") == (1, 0, 1)


def test_every_mart_and_column_is_described_in_the_database(worked_example: Settings) -> None:
    engine = warehouse.engine_for(worked_example.url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.execute(
                sa.text(
                    "SELECT c.relname, a.attname, obj_description(c.oid, 'pg_class'), "
                    "col_description(c.oid, a.attnum) FROM pg_class AS c "
                    "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
                    "JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 "
                    "WHERE n.nspname = 'marts' AND c.relkind = 'r'"
                )
            ).all()
        else:
            rows = connection.execute(
                sa.text(
                    "SELECT t.table_name, c.column_name, t.comment, c.comment "
                    "FROM duckdb_tables() AS t JOIN duckdb_columns() AS c "
                    "ON t.schema_name = c.schema_name AND t.table_name = c.table_name "
                    "WHERE t.schema_name = 'marts'"
                )
            ).all()

    assert {row[0] for row in rows} == set(aggregate.mart_names())
    assert [row[:2] for row in rows if not row[2] or not row[3]] == []
    described = {(row[0], row[1]): row[3] for row in rows}
    assert "EUR before tax" in described[("commitments_by_axis_year", "investment_eur_gross")]


def test_a_mart_no_model_makes_any_more_is_not_left_readable(worked_example: Settings) -> None:
    """A mart renamed, removed or moved to the steward's layer must not stay in
    the analysts' schema with its last data, unchecked."""
    engine = warehouse.engine_for(worked_example.url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE marts.former_partner_totals AS SELECT * FROM marts.partner_summary"
            )
        )

    pipeline.rebuild_marts(worked_example)

    with engine.connect() as connection:
        left = set(sa.inspect(connection).get_table_names(schema="marts"))
    assert left == set(aggregate.mart_names())


def test_a_build_during_which_a_file_was_loaded_is_built_again(
    worked_example: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its models may have read core before and after the load: it is not
    published, the next attempt is."""
    engine = warehouse.engine_for(worked_example.url)
    original = aggregate.build_models
    builds = []

    def build_while_a_file_is_loaded(*args, **kwargs):
        build = original(*args, **kwargs)
        builds.append(build)
        if len(builds) == 1:
            with engine.begin() as connection:
                connection.execute(
                    warehouse.submissions.update()
                    .where(warehouse.submissions.c.partner_id == "reseau-chaleur")
                    .values(processed_at=datetime.now(UTC).replace(tzinfo=None))
                )
        return build

    monkeypatch.setattr(aggregate, "build_models", build_while_a_file_is_loaded)
    pipeline.rebuild_marts(worked_example)

    assert len(builds) == 2
    assert not pipeline.marts_are_stale(worked_example)
