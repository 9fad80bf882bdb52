from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.estimate import compare_with_declared, estimate_emissions
from climate_contract.parse import parse_submission
from climate_contract.reference import load_reference_data
from climate_contract.settings import PROJECT_ROOT
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from tests.scenario import WORKED_EXAMPLE, _action, _impact


def _impacts(*rows) -> pa.Table:
    return pa.Table.from_pylist(
        [row | {"source_row": number} for number, row in enumerate(rows, start=2)]
    )


@pytest.mark.parametrize(
    ("indicator", "value", "unit", "tonnes"),
    [
        # avoided: quantity x factor
        ("gaz_economise", 2_000, "MWh/an", 2_000_000 * 0.239 / 1000),
        ("gaz_economise", 2, "GWh/an", 2_000_000 * 0.239 / 1000),
        ("gaz_economise", 2_000_000, "kWh/an", 2_000_000 * 0.239 / 1000),
        ("fioul_economise", 10, "m3/an", 10_000 * 3.25 / 1000),
        ("fioul_economise", 10_000, "L/an", 10_000 * 3.25 / 1000),
        ("dechets_evites", 500, "t/an", 500 * 162 / 1000),
        ("dechets_evites", 500_000, "kg/an", 500 * 162 / 1000),
        ("km_voiture_evites", 100_000, "km/an", 100_000 * 0.256 / 1000),
        # substituted: quantity x (old factor - new factor)
        (
            "electricite_photovoltaique_produite",
            1_000,
            "MWh/an",
            1_000_000 * (0.058 - 0.0439) / 1000,
        ),
        ("gaz_remplace_par_bois", 10_000, "MWh/an", 10_000_000 * (0.239 - 0.0164) / 1000),
        ("voyageurs_km_voiture_vers_tram", 1e6, "voyageurs.km/an", 1e6 * (0.160 - 0.00329) / 1000),
        ("verre_recycle", 100, "t/an", 100 * (162 - (-519)) / 1000),
    ],
)
def test_activity_data_becomes_tco2e_avoided_per_year(reference, indicator, value, unit, tonnes):
    (estimate,) = estimate_emissions(
        _impacts(_impact("A-1", indicator, value, unit, 2028)), reference
    ).to_pylist()

    assert estimate["tco2e_avoided_per_year"] == pytest.approx(tonnes)
    activity = reference.emission_factors.activities[indicator]
    assert (estimate["rule"], estimate["factor_code"], estimate["replacement_factor_code"]) == (
        activity.rule,
        activity.factor,
        activity.replacement,
    )
    assert estimate["referential_version"].startswith("base-carbone-v23.6#")


def test_direct_results_and_mismatched_units_are_not_estimated(reference) -> None:
    impacts = _impacts(
        _impact("A-1", "ges_evites", 12, "tCO2e/an", 2028),
        _impact("A-1", "gaz_economise", 12, "t/an", 2028),
    )

    assert estimate_emissions(impacts, reference).num_rows == 0


def test_a_unit_that_does_not_fit_the_activity_is_an_error(tmp_path: Path, reference) -> None:
    rows = {
        "actions": [_action("A-1", "Isolation", "sobriete_efficacite", "tertiaire")],
        "impacts": [_impact("A-1", "gaz_economise", 300, "L/an", 2028)],
    }
    path = write_workbook(tmp_path / "f.xlsx", reference, "chu", "2026", rows)

    findings = validate_submission(parse_submission(path, reference), reference)

    errors = [f for f in findings if f.severity == "error"]
    assert [(f.severity, f.rule, f.sheet, f.row, f.column, f.value) for f in errors] == [
        ("error", "unite_adaptee", "Impacts", 2, "D", "L/an")
    ]


def test_a_declared_tco2e_far_from_its_estimate_is_a_warning(tmp_path: Path, reference) -> None:
    rows = {
        "actions": [_action("A-1", "Chaufferie", "energies_renouvelables", "branche_energie")],
        "impacts": [
            _impact("A-1", "gaz_remplace_par_bois", 10_000, "MWh/an", 2028),  # 2 226 t
            _impact("A-1", "ges_evites", 5_000, "tCO2e/an", 2028),
        ],
    }
    path = write_workbook(tmp_path / "f.xlsx", reference, "chu", "2026", rows)
    impacts = parse_submission(path, reference).sheets["impacts"]
    estimates = estimate_emissions(impacts.table, reference)

    (warning,) = compare_with_declared(impacts, estimates, reference, tolerance=0.3)
    assert (warning.severity, warning.rule, warning.row, warning.column) == (
        "warning",
        "estimation_divergente",
        3,
        "C",
    )
    assert "5\u202f000,0" in warning.message.fr
    assert "2\u202f226,0" in warning.message.fr
    assert compare_with_declared(impacts, estimates, reference, tolerance=1.5) == []


def test_the_steward_extends_the_referential_and_estimates_record_the_version(
    tmp_path: Path, make_settings, reference
) -> None:
    extension = tmp_path / "facteurs-locaux.yaml"
    extension.write_text(
        "version: territoire-2026\n"
        "factors:\n"
        "  - {code: bois_plaquettes, label: Plaquettes locales, unit: kWh, kgco2e_per_unit: 0.03,"
        " source: Étude locale, source_ids: ETUDE-1, source_year: 2025}\n"
        "activities:\n"
        "  - {code: bois_local_economise, fr: Bois local économisé, en: Local wood saved,"
        " rule: avoided, factor: bois_plaquettes}\n",
        encoding="utf-8",
    )
    extended = load_reference_data(PROJECT_ROOT / "reference", extension)

    assert extended.emission_factors.version.startswith(reference.emission_factors.version + "+")
    assert "bois_local_economise" in extended.codes("indicator")
    (estimate,) = estimate_emissions(
        _impacts(_impact("A-1", "gaz_remplace_par_bois", 1_000, "MWh/an", 2028)), extended
    ).to_pylist()
    assert estimate["tco2e_avoided_per_year"] == pytest.approx(1_000_000 * (0.239 - 0.03) / 1000)

    settings = make_settings().model_copy(update={"emission_factors_extension": extension})
    for partner_id, rows in WORKED_EXAMPLE.items():
        inbox = settings.shared_root / "inbox" / partner_id
        write_workbook(inbox / "f.xlsx", extended, partner_id, "2026", rows)
    pipeline.run_collection(settings)
    with warehouse.engine_for(settings.url).connect() as connection:
        recorded = connection.execute(
            sa.text(
                "SELECT DISTINCT e.referential_version, f.kgco2e_per_unit "
                "FROM core.estimated_emissions AS e JOIN ref.emission_factors AS f "
                "ON f.referential_version = e.referential_version "
                "AND f.factor_code = e.replacement_factor_code "
                "WHERE e.indicator = 'gaz_remplace_par_bois'"
            )
        ).all()
    assert recorded == [(extended.emission_factors.version, pytest.approx(0.03))]


def test_a_referential_naming_an_unknown_factor_is_refused(tmp_path: Path) -> None:
    extension = tmp_path / "bad.yaml"
    extension.write_text(
        "version: x\nfactors: []\nactivities:\n"
        "  - {code: a, fr: A, en: A, rule: avoided, factor: does_not_exist}\n"
    )

    with pytest.raises(ValueError, match="does_not_exist"):
        load_reference_data(PROJECT_ROOT / "reference", extension)
