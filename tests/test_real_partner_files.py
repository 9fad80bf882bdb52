"""The national platform's own files, read as they are: each gets the outcome
Territoires en Transitions itself gives it (see the folder's README), with our
checks as findings on top.

Expected actions, amounts and years are written from the files' cells, never
from what the profile code computes.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
import yaml

from climate_contract import pipeline, report, warehouse
from climate_contract.aggregate import read_mart
from climate_contract.findings import Finding, has_errors
from climate_contract.parse import parse_submission
from climate_contract.samples import sample_rows
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from tests.real_world import TERRITOIRES_EN_TRANSITIONS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_FILES = TERRITOIRES_EN_TRANSITIONS
PARTNER = "eau-assainissement"
_NO_ESTIMATES = pa.table({"tco2e_avoided_per_year": pa.array([], pa.float64())})


@pytest.fixture
def tet_reference(reference):
    """The water utility on the platform's layout, its axes mapped by the steward."""
    partners = tuple(
        partner.model_copy(
            update={
                "profile": "territoires-en-transitions",
                "profile_constants": {"plan_axis": "adaptation", "sector": "tertiaire"},
                "axis_map": {
                    "Axe 1. COORDINATION DU CLS - AXE TRANSVERSAL": "sobriete_efficacite",
                    "Axe 4 : Développer une culture vélo": "mobilites",
                },
            }
        )
        if partner.id == PARTNER
        else partner
        for partner in reference.partners
    )
    return dataclasses.replace(reference, partners=partners)


def _read(path: Path, reference) -> tuple[dict[str, list[dict]], list[Finding]]:
    parsed = parse_submission(path, reference, partner_id=PARTNER)
    findings = validate_submission(parsed, reference, PARTNER)
    tables = {name: sheet.table.to_pylist() for name, sheet in parsed.sheets.items()}
    return tables, findings


def _money(investments: list[dict]) -> dict[tuple, float]:
    """Amounts by action row, funding source and funder, years added up."""
    totals: dict[tuple, float] = defaultdict(float)
    for row in investments:
        totals[(row["source_row"], row["funding_source"], row["funder"])] += row["amount_eur"]
    return {key: round(total, 2) for key, total in totals.items()}


def test_the_one_action_plan_is_accepted_with_its_status_priority_budget_and_dates(
    tet_reference,
) -> None:
    tables, findings = _read(REAL_FILES / "one_fiche_plan.xlsx", tet_reference)

    assert not has_errors(findings), findings
    (action,) = tables["actions"]
    assert action["title"] == "Action 1. Création d'un comité de suivi d'élus autour du CLS"
    assert (action["status"], action["priority"]) == ("prevue", "Élevé")
    assert (action["start_year"], action["end_year"]) == (2025, 2030)
    assert action["partner_axis"].startswith("Axe 1. COORDINATION DU CLS - AXE TRANSVERSAL > ")
    assert action["plan_axis"] == "sobriete_efficacite"  # by the steward's axis table
    investments = tables["investments"]
    assert _money(investments) == {
        (4, "subvention", "John Doe"): 1000,
        (4, "subvention", "Bernard"): 25000,
        (4, "subvention", "François"): 666,
        (4, "fonds_propres", None): 5_000_000 - 1000 - 25000 - 666,
    }
    assert {row["year"] for row in investments} == set(range(2025, 2031))
    assert {row["tax_basis"] for row in investments} == {"HT"}
    # The hint row (line 3) is the layout's, not an action.
    assert not any(f.row == 3 for f in findings)
    # One total spread over six years is one amount, not six unusual ones.
    assert not any(f.rule == "montant_inhabituel" for f in findings)


def test_sub_actions_keep_their_parent_and_the_marker_row_is_no_action(tet_reference) -> None:
    tables, findings = _read(REAL_FILES / "plan_with_sous_actions_valid.xlsx", tet_reference)

    assert not has_errors(findings), findings
    actions = {a["title"]: a for a in tables["actions"]}
    assert list(actions) == [
        "Action normale",
        "Action 1",
        "Sous-action 1.1",
        "Sous-action 1.2",
        "Action 2",
        "Action 3",
        "Sous-action 3.1",
    ]
    assert "Données" not in actions
    ref = {title: action["action_ref"] for title, action in actions.items()}
    assert {
        title: a["parent_action_ref"] for title, a in actions.items() if a["parent_action_ref"]
    } == {
        "Sous-action 1.1": ref["Action 1"],
        "Sous-action 1.2": ref["Action 1"],
        "Sous-action 3.1": ref["Action 3"],
    }
    assert [
        (actions[t]["status"], actions[t]["end_year"])
        for t in ("Sous-action 1.1", "Sous-action 1.2", "Sous-action 3.1")
    ] == [
        ("en_cours", 2025),
        ("realisee", 2026),
        ("en_pause", 2027),
    ]
    # Status is optional in this layout: blank is a warning and "non renseigné".
    assert actions["Action normale"]["status"] == "non_renseigne"
    assert any(f.rule == "statut_non_renseigne" and f.row == 4 for f in findings)
    assert actions["Action 3"]["partner_axis"] == "Axe 2 > Sous-axe 2.1"
    assert tables["investments"] == []


def test_a_plan_without_axes_keeps_every_euro_in_the_year_not_given_bucket(tet_reference) -> None:
    tables, findings = _read(REAL_FILES / "plan_sans_axes.xlsx", tet_reference)

    assert not has_errors(findings), findings
    assert len(tables["actions"]) == 46  # rows 4 to 49
    assert tables["actions"][0]["title"].startswith("1. Déroulement de l")
    assert {a["plan_axis"] for a in tables["actions"]} == {"adaptation"}  # the default
    investments = tables["investments"]
    assert sum(row["amount_eur"] for row in investments) == 2400 + 1200 + 4219 + 60000 + 500
    assert {row["year"] for row in investments} == {None}
    undated = {f.row for f in findings if f.rule == "annee_non_renseignee"}
    assert undated == {9, 15, 16, 31, 44}


def test_a_budget_written_as_a_range_is_refused_at_its_cell(tet_reference) -> None:
    tables, findings = _read(REAL_FILES / "plan_budget_issue.xlsx", tet_reference)

    errors = [f for f in findings if f.severity == "error"]
    assert [(f.sheet, f.row, f.column, f.value) for f in errors] == [
        ("Plan daction", 4, "X", "Entre 200 et 500")
    ]
    assert "fourchette" in errors[0].message.fr
    assert errors[0].header.fr == "Budget prévisionnel total € HT"
    # Axis headings (rows 6, 8, 9 and 12) are the plan's structure, not actions.
    assert [a["source_row"] for a in tables["actions"]] == [3, 4, 5, 7, 10, 11]
    assert {a["plan_axis"] for a in tables["actions"] if a["source_row"] >= 7} == {"mobilites"}


@pytest.mark.parametrize("name", ["modele-import-pa.xlsx", "modele-import-pa.ods"])
def test_the_template_s_hint_and_example_rows_are_never_data(tet_reference, name: str) -> None:
    tables, findings = _read(REAL_FILES / name, tet_reference)

    assert tables["actions"] == []
    assert tables["investments"] == []
    (error,) = [f for f in findings if f.severity == "error"]
    assert error.rule == "aucune_action"
    # Skipping the example is said: were it an action, the partner would know.
    assert [(f.rule, f.row) for f in findings if f.severity == "warning"] == [("ligne_exemple", 5)]
    assert error.sheet in {"Fichier dimport", "Fichier_dimport"}
    assert error.sheet in error.message.fr
    assert "Actions" not in error.message.fr  # a sheet of our template, not theirs


def test_the_export_layout_is_recognised_and_its_amounts_recorded_incl_vat(
    tet_reference, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "export_plan_action.xlsx")
    sheet = workbook.active
    headers = [cell.value for cell in sheet[2]]
    row = [None] * len(headers)
    row[headers.index("Axe (x)")] = "Axe 4 : Développer une culture vélo"
    row[headers.index("Titre de la fiche action")] = "Stationnements vélo"
    row[headers.index("Financeur 1")] = "Région"
    row[headers.index("Montant € TTC")] = 12000
    row[headers.index("Budget prévisionnel total € TTC")] = 30000
    row[headers.index("Statut ")] = "En retard"
    row[headers.index("Date de début")] = 2027
    for column, value in enumerate(row, start=1):
        sheet.cell(row=3, column=column, value=value)
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    tables, findings = _read(path, tet_reference)

    assert not has_errors(findings), findings
    (action,) = tables["actions"]
    assert (action["title"], action["status"], action["plan_axis"]) == (
        "Stationnements vélo",
        "en_retard",
        "mobilites",
    )
    assert _money(tables["investments"]) == {
        (3, "subvention", "Région"): 12000,
        (3, "fonds_propres", None): 18000,
    }
    assert {row["tax_basis"] for row in tables["investments"]} == {"TTC"}
    assert {row["year"] for row in tables["investments"]} == {2027}


@pytest.mark.parametrize("name", ["Fichier_dimport", "Fichier d'import", "FICHIER D IMPORT"])
def test_sheet_names_compare_without_case_accents_punctuation_or_spaces(
    tet_reference, tmp_path: Path, name: str
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    workbook["Fichier dimport"].title = name
    path = tmp_path / "renamed.xlsx"
    workbook.save(path)

    tables, findings = _read(path, tet_reference)

    assert not has_errors(findings), findings
    assert len(tables["actions"]) == 1


def test_an_orphan_sub_action_is_an_error_that_names_it(tet_reference, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "plan_with_sous_actions_valid.xlsx")
    workbook.active.delete_rows(5)  # the row of "Action 1" itself
    path = tmp_path / "orphan.xlsx"
    workbook.save(path)

    _, findings = _read(path, tet_reference)

    orphans = [f for f in findings if f.rule == "sous_action_orpheline"]
    assert [(f.row, f.column) for f in orphans] == [(5, "E"), (6, "E")]
    assert "« Sous-action 1.1 »" in orphans[0].message.fr
    assert "« Action 1 »" in orphans[0].message.fr


def test_a_parent_s_budget_includes_its_sub_actions_so_no_euro_counts_twice(
    tet_reference, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "plan_with_sous_actions_valid.xlsx")
    sheet = workbook.active
    budget = [cell.value for cell in sheet[2]].index("Budget prévisionnel total € HT") + 1
    start = [cell.value for cell in sheet[2]].index("Date de début") + 1
    for row, amount in ((5, 100_000), (6, 30_000), (7, 20_000)):  # Action 1 and its two
        sheet.cell(row=row, column=budget, value=amount)
        sheet.cell(row=row, column=start, value=2025)
    path = tmp_path / "budgets.xlsx"
    workbook.save(path)

    tables, findings = _read(path, tet_reference)

    assert not has_errors(findings), findings
    by_row = _money(tables["investments"])
    assert by_row == {
        (5, "fonds_propres", None): 50_000,
        (6, "fonds_propres", None): 30_000,
        (7, "fonds_propres", None): 20_000,
    }
    assert sum(by_row.values()) == 100_000


def test_a_date_stored_as_a_number_is_its_date(tet_reference, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    sheet = workbook["Fichier dimport"]
    sheet["AA4"] = 46357  # 2026-12-01, as General format shows a date
    sheet["AB4"] = 47848  # 2030-12-31
    path = tmp_path / "serial.xlsx"
    workbook.save(path)

    tables, findings = _read(path, tet_reference)

    assert not has_errors(findings), findings
    (action,) = tables["actions"]
    assert (action["start_year"], action["end_year"]) == (2026, 2030)


@pytest.mark.parametrize("typed", ["1,234", "5.000"])
def test_an_ambiguous_amount_is_refused_never_guessed(
    tet_reference, tmp_path: Path, typed: str
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    workbook["Fichier dimport"]["X4"] = typed
    path = tmp_path / "ambiguous.xlsx"
    workbook.save(path)

    _, findings = _read(path, tet_reference)

    (error,) = [f for f in findings if f.severity == "error"]
    assert (error.row, error.column, error.value) == (4, "X", typed)
    digits = typed.replace(",", "").replace(".", "")
    assert digits in error.message.fr


def test_an_unknown_layout_says_which_expected_headers_were_found(
    tet_reference, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    workbook["Fichier dimport"]["X2"] = "Coût"
    path = tmp_path / "renamed-budget.xlsx"
    workbook.save(path)

    _, findings = _read(path, tet_reference)

    (finding,) = [f for f in findings if f.rule == "disposition_inconnue"]
    assert (finding.sheet, finding.row) == ("Fichier dimport", 2)
    said = finding.message.fr.split("; ")[-1] if "; " in finding.message.fr else finding.message.fr
    assert "porte « Axe (x) », « Titre de l'action »" in said
    assert "mais pas « Budget prévisionnel total € HT »" in said


def test_real_plans_go_through_the_pipeline_and_every_euro_reaches_the_marts(
    make_settings, tmp_path: Path
) -> None:
    """Three partners on the platform's layout drop its real files: plans load, a
    plan without dates keeps its money in the "year not given" row of the marts,
    and the report of a file without cells to mark promises no annotated copy."""
    reference_dir = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", reference_dir)
    partners = yaml.safe_load((reference_dir / "partners.yaml").read_text(encoding="utf-8"))
    dropped = {
        "reseau-electrique": "one_fiche_plan.xlsx",
        "bailleur-social": "plan_sans_axes.xlsx",
        "chu": "modele-import-pa.ods",
    }
    for partner in partners:
        if partner["id"] in dropped:
            partner["profile"] = "territoires-en-transitions"
            partner["profile_constants"] = {"plan_axis": "adaptation", "sector": "tertiaire"}
    (reference_dir / "partners.yaml").write_text(yaml.safe_dump(partners), encoding="utf-8")
    settings = make_settings().model_copy(update={"reference_dir": reference_dir})
    for partner_id, name in dropped.items():
        inbox = settings.shared_folder("inbox", partner_id)
        inbox.mkdir(parents=True, exist_ok=True)
        shutil.copy(REAL_FILES / name, inbox / name)
    pipeline.refresh_reference(settings)

    outcomes = pipeline.process_batch(pipeline.discover(settings), settings)
    pipeline.rebuild_marts(settings)

    assert {o.partner_id: o.status for o in outcomes} == {
        "reseau-electrique": "accepted",
        "bailleur-social": "accepted",
        "chu": "rejected",
    }
    marts = read_mart(warehouse.engine_for(settings.url), "commitments_by_axis_year").to_pylist()
    by_year: dict[int | None, float] = defaultdict(float)
    for row in marts:
        by_year[row["year"]] += float(row["investment_eur_gross"] or 0)
    assert round(sum(by_year.values()), 2) == 5_000_000 + 68_319
    assert by_year[None] == 68_319  # plan_sans_axes: budgets without dates
    outbox = settings.shared_folder("outbox", "chu")
    (page,) = outbox.glob("*.html")
    assert "copie « à corriger »" not in page.read_text(encoding="utf-8")
    assert not list(outbox.glob("*.xlsx"))


def test_the_accepted_report_shows_how_a_plan_s_amounts_were_spread(
    tet_reference, tmp_path: Path
) -> None:
    parsed = parse_submission(REAL_FILES / "one_fiche_plan.xlsx", tet_reference, partner_id=PARTNER)
    findings = validate_submission(parsed, tet_reference, PARTNER)
    feedback = report.Feedback(
        partner_name="Eau",
        campaign_id="2026",
        file_name="one_fiche_plan.xlsx",
        received_at=datetime(2026, 3, 1),
        accepted=not has_errors(findings),
        findings=findings,
    )

    page = report.write_report(tmp_path, feedback, parsed, _NO_ESTIMATES).read_text("utf-8")

    counted = page[page.index('id="montants"') :]
    # 5 000 000 € over 2025-2030: John Doe's 1 000 €, and the rest as own funds.
    assert "<td>4</td><td>John Doe</td><td>2025-2030</td>" in counted
    assert "1\u202f000,00" in counted
    assert "4\u202f973\u202f334,00" in counted
    assert "fonds propres" in counted


@pytest.mark.parametrize(("status", "year"), [("non_renseigne", 2027), ("en_cours", None)])
def test_our_own_template_keeps_its_stricter_rules(
    reference, tmp_path: Path, status: str, year: int | None
) -> None:
    rows = sample_rows("chu", "2026")
    rows["actions"][0]["status"] = status
    rows["investments"][0]["year"] = year
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", "2026", rows)

    findings = validate_submission(parse_submission(path, reference, partner_id="chu"), reference)

    errors = {(f.rule, f.sheet) for f in findings if f.severity == "error"}
    sheet = "Actions" if year else "Investissements"
    assert ("valeur_obligatoire", sheet) in errors


@pytest.mark.parametrize(
    "name",
    [
        "one_fiche_plan.xlsx",
        "plan_budget_issue.xlsx",
        "plan_sans_axes.xlsx",
        "plan_with_sous_actions_valid.xlsx",
        "modele-import-pa.xlsx",
        "modele-import-pa.ods",
    ],
)
def test_one_finding_per_cell(tet_reference, name: str) -> None:
    _, findings = _read(REAL_FILES / name, tet_reference)

    cells = [(f.sheet, f.row, f.column) for f in findings if f.column]
    assert len(cells) == len(set(cells)), findings


def test_an_action_whose_text_mentions_an_example_is_still_read(
    tet_reference, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    workbook["Fichier dimport"]["D4"] = "Exemple à suivre : un comité d'élus"
    workbook["Fichier dimport"]["F4"] = "Ex : comme à Dijon"
    path = tmp_path / "exemple.xlsx"
    workbook.save(path)

    tables, findings = _read(path, tet_reference)

    assert [a["title"] for a in tables["actions"]] == ["Exemple à suivre : un comité d'élus"]
    assert not has_errors(findings), findings
