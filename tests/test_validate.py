from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from climate_contract.contract import SHEETS
from climate_contract.findings import has_errors
from climate_contract.parse import parse_submission
from climate_contract.samples import sample_rows
from climate_contract.settings import EXPECTATIONS_DIR
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission

ACTION = {
    "action_ref": "A-1",
    "title": "Rénovation du siège",
    "plan_axis": "sobriete_efficacite",
    "sector": "tertiaire",
    "status": "engagee",
    "start_year": 2026,
    "end_year": 2028,
    "role": "porteur",
    "confidential": False,
}
INVESTMENT = {
    "action_ref": "A-1",
    "year": 2026,
    "amount_eur": 100_000,
    "tax_basis": "HT",
    "nature": "investissement",
}
IMPACT = {
    "action_ref": "A-1",
    "indicator": "ges_evites",
    "value": 12.5,
    "unit": "tCO2e/an",
    "first_full_year": 2028,
}


def _findings(tmp_path: Path, reference, rows, name="partenaire.xlsx"):
    path = write_workbook(tmp_path / name, reference, "chu", "2026", rows)
    return validate_submission(parse_submission(path, reference), reference)


def _where(findings):
    return {(f.rule, f.sheet, f.row, f.column, f.value) for f in findings}


def test_a_sample_submission_has_no_finding(tmp_path: Path, reference) -> None:
    assert _findings(tmp_path, reference, sample_rows("chu", "2026")) == []


def test_wrong_code_negative_amount_duplicate_reference_and_orphan_are_rejected(
    tmp_path: Path, reference
) -> None:
    rows = {
        "actions": [ACTION, ACTION | {"title": "Doublon", "sector": "spatial"}],
        "investments": [INVESTMENT | {"amount_eur": -5000}, INVESTMENT | {"action_ref": "A-9"}],
        "impacts": [IMPACT],
    }

    findings = _findings(tmp_path, reference, rows)

    assert has_errors(findings)
    assert _where(findings) == {
        ("reference_unique", "Actions", 2, "A", "A-1"),
        ("reference_unique", "Actions", 3, "A", "A-1"),
        ("code_autorise", "Actions", 3, "E", "spatial"),
        ("positif", "Investissements", 2, "C", "-5000"),
        ("action_declaree", "Investissements", 3, "A", "A-9"),
    }
    wrong_code = next(f for f in findings if f.rule == "code_autorise")
    assert wrong_code.header.fr == "Secteur PCAET"
    assert "« spatial »" in wrong_code.message.fr
    assert "Transport routier" in wrong_code.message.fr  # the allowed values, as labels


def test_years_out_of_order_or_range_are_errors(tmp_path: Path, reference) -> None:
    rows = {
        "actions": [ACTION | {"start_year": 2029, "end_year": 2027}],
        "investments": [INVESTMENT | {"year": 1990}],
        "impacts": [IMPACT],
    }

    assert _where(_findings(tmp_path, reference, rows)) == {
        ("annees_ordonnees", "Actions", 2, "H", "2027"),
        # Refused where it is read, then not told again as outside the action's years.
        ("annee_plausible", "Investissements", 2, "B", "1990"),
    }


def test_missing_required_column_and_empty_actions_are_reported_once(
    tmp_path: Path, reference
) -> None:
    path = write_workbook(
        tmp_path / "sans-colonne.xlsx", reference, "chu", "2026", {"investments": [INVESTMENT]}
    )
    workbook = openpyxl.load_workbook(path)
    workbook["Investissements"].delete_cols(3)  # Montant (€)
    workbook.save(path)

    findings = validate_submission(parse_submission(path, reference), reference)

    assert sorted((f.rule, f.sheet, f.row, f.header and f.header.fr) for f in findings) == [
        ("action_declaree", "Investissements", 2, "Référence de l'action"),
        ("aucune_action", "Actions", 1, None),
        ("colonne_obligatoire", "Investissements", 1, "Montant (€)"),
    ]


def test_a_required_cell_left_empty_is_an_error(tmp_path: Path, reference) -> None:
    rows = {"actions": [ACTION | {"title": None}], "investments": [INVESTMENT], "impacts": [IMPACT]}

    assert _where(_findings(tmp_path, reference, rows)) == {
        ("valeur_obligatoire", "Actions", 2, "B", None)
    }


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda sheet: sheet.name)
def test_suites_check_every_required_and_coded_column_of_the_contract(sheet) -> None:
    suite = json.loads((EXPECTATIONS_DIR / f"{sheet.name}.json").read_text(encoding="utf-8"))
    checked = {(e["type"], e["kwargs"].get("column")) for e in suite["expectations"]}
    for column in sheet.columns:
        if column.required:
            assert ("expect_column_to_exist", column.name) in checked
            assert ("expect_column_values_to_not_be_null", column.name) in checked
        if column.kind == "code":
            assert ("expect_column_values_to_be_in_set", column.name) in checked
    for expectation in suite["expectations"]:
        assert {"rule", "message_fr", "message_en"} <= expectation["meta"].keys()


def test_the_same_title_twice_is_a_warning_that_lets_the_file_through(
    tmp_path: Path, reference
) -> None:
    rows = {
        "actions": [ACTION, ACTION | {"action_ref": "A-2"}],
        "investments": [INVESTMENT, INVESTMENT | {"action_ref": "A-2"}],
        "impacts": [IMPACT, IMPACT | {"action_ref": "A-2"}],
    }

    findings = _findings(tmp_path, reference, rows)

    assert not has_errors(findings)
    assert {(f.severity, f.rule, f.row, f.column) for f in findings} == {
        ("warning", "intitule_en_double", 2, "B"),
        ("warning", "intitule_en_double", 3, "B"),
    }


def test_cross_sheet_warnings_let_the_file_through(tmp_path: Path, reference) -> None:
    rows = {
        "actions": [ACTION, ACTION | {"action_ref": "A-2", "title": "Sans chiffres"}],
        "investments": [
            INVESTMENT | {"year": 2025},  # before the action starts (2026)
            INVESTMENT | {"year": 2027, "amount_eur": 90_000},
            INVESTMENT | {"year": 2028, "amount_eur": 110_000},
            INVESTMENT | {"year": 2028, "amount_eur": 95_000_000},  # k€ typed as €?
        ],
        "impacts": [IMPACT],
    }

    findings = _findings(tmp_path, reference, rows)

    assert not has_errors(findings)
    assert _where(findings) == {
        ("annee_hors_action", "Investissements", 2, "B", "2025"),
        ("montant_inhabituel", "Investissements", 5, "C", None),
        ("action_sans_investissement", "Actions", 3, "A", "A-2"),
        ("action_sans_impact", "Actions", 3, "A", "A-2"),
    }


def test_a_workbook_made_for_another_partner_is_refused(tmp_path: Path, reference) -> None:
    rows = {"actions": [ACTION], "investments": [INVESTMENT], "impacts": [IMPACT]}
    path = write_workbook(tmp_path / "opera.xlsx", reference, "opera", "2026", rows)
    parsed = parse_submission(path, reference)

    assert parsed.declared_partner == "opera"
    assert validate_submission(parsed, reference, "opera") == []
    (refusal,) = validate_submission(parsed, reference, "chu")
    assert (refusal.severity, refusal.rule, refusal.sheet) == (
        "error",
        "partenaire_different",
        "Instructions",
    )
    assert "« opera »" in refusal.message.fr
    assert "« chu »" in refusal.message.fr
