from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from climate_contract.contract import ACTIONS, INVESTMENTS, SHEETS, Column
from climate_contract.findings import Finding, cap_findings, has_errors
from climate_contract.parse import ParsedSheet, ParsedSubmission, parse_submission
from climate_contract.samples import sample_rows
from climate_contract.settings import EXPECTATIONS_DIR
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from climate_contract.validate.suites import contract_expectations, load_suite
from climate_contract.wording import Wording

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
def test_suites_check_every_column_as_the_contract_says_and_the_files_restate_none(
    sheet,
) -> None:
    suite = load_suite(sheet.name)
    checked = {
        (e.expectation_type, e.configuration.kwargs.get("column")) for e in suite.expectations
    }
    for column in sheet.columns:
        if column.required:
            assert ("expect_column_to_exist", column.name) in checked
            assert ("expect_column_values_to_not_be_null", column.name) in checked
        if column.kind == "code":
            assert ("expect_column_values_to_be_in_set", column.name) in checked
        if column.bounds is not None:
            assert ("expect_column_values_to_be_between", column.name) in checked
    for expectation in suite.expectations:
        assert {"rule", "message_fr", "message_en"} <= expectation.meta.keys()
    written = json.loads((EXPECTATIONS_DIR / f"{sheet.name}.json").read_text(encoding="utf-8"))
    generated = {
        (e["type"], e["kwargs"]["column"], e["meta"]["rule"]) for e in contract_expectations(sheet)
    }
    restated = [
        e
        for e in written["expectations"]
        if (e["type"], e["kwargs"].get("column"), e["meta"]["rule"]) in generated
    ]
    assert restated == []


def test_a_column_added_to_the_contract_is_checked_without_touching_the_suites() -> None:
    """A required, coded column added to the Actions sheet: its suite checks it, as
    the contract says, with no line added to expectations/actions.json."""
    added = Column(
        "funder_kind",
        "Type de financeur",
        "Funder kind",
        "code",
        True,
        Wording("Public ou privé.", "Public or private."),
        "nature",
    )
    grown = replace(ACTIONS, columns=(*ACTIONS.columns, added))

    kinds = {
        (e["type"], e["meta"]["rule"])
        for e in contract_expectations(grown)
        if e["kwargs"]["column"] == "funder_kind"
    }

    assert kinds == {
        ("expect_column_to_exist", "colonne_obligatoire"),
        ("expect_column_values_to_not_be_null", "valeur_obligatoire"),
        ("expect_column_values_to_be_in_set", "code_autorise"),
    }


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


def test_the_suites_state_no_bound_of_their_own() -> None:
    for sheet in SHEETS:
        text = (EXPECTATIONS_DIR / f"{sheet.name}.json").read_text(encoding="utf-8")
        for literal in ("2015", "2060", "1e11", "100000000000", "1e12"):
            assert literal not in text, (sheet.name, literal)


def test_the_suites_check_bounds_with_the_contract_s_parameters(reference) -> None:
    """Values that reach the suites without the parser's check (a sheet built in code)
    are still held to the contract's bounds, and told them."""
    columns = {
        "action_ref": ["A-1", "A-1", "A-1", "A-1"],
        "year": [2014, 2015, 2060, 2061],
        "amount_eur": [-0.01, 0.0, 1e11, 1.000001e11],
        "tax_basis": ["HT"] * 4,
        "nature": ["investissement"] * 4,
        "funding_source": [None] * 4,
        "funder": [None] * 4,
    }
    table = pa.table(
        columns | {"source_row": [2, 3, 4, 5]},
        schema=pa.schema(
            [(column.name, column.arrow_type) for column in INVESTMENTS.columns]
            + [("source_row", pa.int64())]
        ),
    )
    letters = {"action_ref": "A", "year": "B", "amount_eur": "C"}
    parsed = ParsedSubmission(Path("built.xlsx"))
    parsed.sheets["investments"] = ParsedSheet(INVESTMENTS, "Investissements", table, 1, letters)

    findings = validate_submission(parsed, reference)

    assert _where(findings) == {
        ("annee_plausible", "Investissements", 2, "B", "2014"),
        ("annee_plausible", "Investissements", 5, "B", "2061"),
        ("montant_hors_bornes", "Investissements", 2, "C", "-0.01"),
        ("montant_hors_bornes", "Investissements", 5, "C", "100000100000"),
    }
    year = next(f for f in findings if f.rule == "annee_plausible")
    assert "entre 2015 et 2060" in year.message.fr
    assert "between 2015 and 2060" in year.message.en
    amount = next(f for f in findings if f.rule == "montant_hors_bornes")
    assert "entre 0 et 100\u202f000\u202f000\u202f000" in amount.message.fr


def test_a_year_typed_with_one_digit_too_many_gives_a_handful_of_findings(
    tmp_path: Path, reference
) -> None:
    rows = {
        "actions": [ACTION | {"start_year": 20226, "end_year": 2030}],
        "investments": [INVESTMENT | {"year": year} for year in range(2026, 2031)],
        "impacts": [IMPACT],
    }

    findings = _findings(tmp_path, reference, rows)

    assert ("annee_plausible", "Actions", 2, "G", "20226") in _where(findings)
    assert len(findings) <= 10
    message = next(f for f in findings if f.rule == "annee_plausible").message
    assert "entre 2015 et 2060" in message.fr


def _finding(severity: str, rule: str, row: int) -> Finding:
    return Finding(severity, rule, Wording("à corriger", "to correct"), sheet="Actions", row=row)


def test_findings_are_capped_errors_first_with_a_line_saying_what_was_left_out() -> None:
    warnings = [_finding("warning", "intitule_en_double", row) for row in range(2, 1002)]
    errors = [_finding("error", "type", row) for row in range(2, 302)]
    errors += [_finding("error", "annee_plausible", 400)]

    capped = cap_findings(warnings + errors, limit=200)

    assert len(capped) == 200
    assert capped[:199] == errors[:199]
    summary = capped[-1]
    assert (summary.severity, summary.rule) == ("error", "constats_non_listes")
    # 1,301 findings, 199 listed: 102 errors and the 1,000 warnings are not.
    assert "1\u202f102 autres constats" in summary.message.fr
    assert "(annee_plausible, intitule_en_double, type)" in summary.message.fr
    assert "1,102 more findings" in summary.message.en
    assert cap_findings(capped, limit=200) == capped


def test_findings_under_the_cap_are_left_as_they_are() -> None:
    findings = [_finding("warning", "intitule_en_double", 2), _finding("error", "type", 3)]

    assert cap_findings(findings, limit=2) == findings


def test_a_submission_with_thousands_of_faults_gets_a_capped_answer(
    tmp_path: Path, reference
) -> None:
    rows = {
        "actions": [ACTION],
        "investments": [INVESTMENT | {"year": 1990} for _ in range(400)],
        "impacts": [IMPACT],
    }

    findings = _findings(tmp_path, reference, rows)

    assert len(findings) == 200
    assert findings[-1].rule == "constats_non_listes"
    assert "201 autres constats" in findings[-1].message.fr


def test_checking_a_file_logs_what_happened_not_great_expectations_bookkeeping(
    tmp_path: Path, reference
) -> None:
    workbook = tmp_path / "partner.xlsx"
    write_workbook(workbook, reference, "universite", "2026", sample_rows("universite", "2026"))
    # A fresh interpreter logging at INFO, as an Airflow task does.
    child = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "logging.basicConfig(\n"
        "    level=logging.INFO, stream=sys.stdout, format='%(name)s %(message)s'\n"
        ")\n"
        "from climate_contract.parse import parse_submission\n"
        "from climate_contract.reference import load_reference_data\n"
        "from climate_contract.settings import Settings\n"
        "from climate_contract.validate import validate_submission\n"
        "reference = load_reference_data(Settings().reference_dir)\n"
        f"parsed = parse_submission(Path({str(workbook)!r}), reference)\n"
        "print('findings', len(validate_submission(parsed, reference, 'universite', '2026')))\n"
        "logging.getLogger('great_expectations.planted').warning('a GX warning')\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=300
    ).stdout.splitlines()

    assert "findings 0" in shown
    assert "great_expectations.planted a GX warning" in shown
    assert [line for line in shown if line.startswith("great_expectations")] == [
        "great_expectations.planted a GX warning"
    ]
