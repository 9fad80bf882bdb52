"""Partners' own layouts through mapping profiles: Territoires en Transitions."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from climate_contract.findings import has_errors
from climate_contract.parse import parse_submission
from climate_contract.validate import validate_submission
from tests.real_world import TERRITOIRES_EN_TRANSITIONS

HEADERS = [
    "Axe (x)",
    "Sous-axe (x.x)",
    "Sous-sous axe (x.x.x)",
    "Titre de l'action ",
    "Titre de la sous-action",
    "Descriptif",
    "Instances de gouvernance",
    "Objectifs",
    "Indicateurs liés",
    "Structure pilote",
    "Moyens humains et techniques",
    "Partenaires",
    "Direction ou service pilote",
    "Personne pilote",
    "Élu·e référent·e",
    "Participation Citoyenne",
    "Financements",
    "Financeur 1",
    "Montant € HT",
    "Financeur 2",
    "Montant € HT",
    "Financeur 3",
    "Montant € HT",
    "Budget prévisionnel total € HT ",
    "Statut",
    "Niveau de priorité",
    "Date de début",
    "Date de fin",
]
COLUMN = {header.strip(): index for index, header in enumerate(HEADERS)}
# The three funders' amounts share one header: each is found by its position.
REAL_FILES = TERRITOIRES_EN_TRANSITIONS
FUNDER_AMOUNTS = [index for index, header in enumerate(HEADERS) if header == "Montant € HT"]


def _action(title: str, **cells) -> list:
    row = [None] * len(HEADERS)
    row[COLUMN["Axe (x)"]] = "1 - Bâtiments"
    row[COLUMN["Titre de l'action"]] = title
    row[COLUMN["Structure pilote"]] = "Régie"
    for header, value in cells.items():
        row[COLUMN[header]] = value
    return row


def _tet_workbook(path: Path, actions: list[list], sheet: str = "Plan d'action") -> Path:
    """A plan on the platform's own sheet (its title, header and hint rows, from a
    real file), with the real template's filled-in example on row 4, then ``actions``
    from row 5."""
    workbook = openpyxl.load_workbook(REAL_FILES / "one_fiche_plan.xlsx")
    worksheet = workbook["Fichier dimport"]
    worksheet.title = sheet
    worksheet.delete_rows(4, worksheet.max_row)
    template = openpyxl.load_workbook(REAL_FILES / "modele-import-pa.xlsx", read_only=True)
    example = next(template["Fichier dimport"].iter_rows(min_row=5, max_row=5, values_only=True))
    worksheet.append(list(example))
    for row in actions:
        worksheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def tet_reference(reference):
    """The registry with the water utility on the Territoires en Transitions profile."""
    partners = tuple(
        partner.model_copy(
            update={
                "profile": "territoires-en-transitions",
                "profile_constants": {"plan_axis": "adaptation", "sector": "tertiaire"},
            }
        )
        if partner.id == "eau-assainissement"
        else partner
        for partner in reference.partners
    )
    return dataclasses.replace(reference, partners=partners)


def test_a_territoires_en_transitions_plan_is_read_into_the_contract(
    tmp_path: Path, tet_reference
) -> None:
    path = _tet_workbook(
        tmp_path / "export-tet.xlsx",
        [
            _action(
                "Désimperméabiliser les cours",
                **{
                    "Statut": "En cours",
                    "Date de début": date(2026, 3, 1),
                    "Date de fin": "31/12/2027",
                    "Financeur 1": "Agence de l'eau",
                    "Montant € HT": "60 k€",
                    "Budget prévisionnel total € HT": "100 000",
                },
            ),
            _action(
                "Désimperméabiliser les cours",
                **{  # the same title twice
                    "Statut": "a venir",
                    "Date de début": "2027",
                    "Budget prévisionnel total € HT": 5000,
                },
            ),
        ],
    )

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    assert not has_errors(findings), findings
    actions = parsed.sheets["actions"].table.to_pylist()
    assert [(a["action_ref"], a["status"], a["start_year"], a["end_year"]) for a in actions] == [
        ("TET-5", "en_cours", 2026, 2027),
        ("TET-6", "prevue", 2027, None),
    ]
    assert {a["plan_axis"] for a in actions} == {"adaptation"}
    assert actions[0]["source_row"] == 5
    investments = parsed.sheets["investments"].table.to_pylist()
    assert [
        (i["action_ref"], i["year"], i["amount_eur"], i["funding_source"], i["tax_basis"])
        for i in investments
    ] == [
        ("TET-5", 2026, 30_000.0, "subvention", "HT"),
        ("TET-5", 2027, 30_000.0, "subvention", "HT"),
        ("TET-5", 2026, 20_000.0, "fonds_propres", "HT"),
        ("TET-5", 2027, 20_000.0, "fonds_propres", "HT"),
        ("TET-6", 2027, 5_000.0, "fonds_propres", "HT"),
    ]
    assert "intitule_en_double" in {f.rule for f in findings}


def test_a_messy_plan_gets_findings_in_its_own_rows_and_columns(
    tmp_path: Path, tet_reference
) -> None:
    path = _tet_workbook(
        tmp_path / "plan.xlsx",
        [
            _action(
                "Rénover",
                **{
                    "Statut": "Suspendu",
                    "Date de début": "bientôt",
                    "Budget prévisionnel total € HT": "Entre 200 et 500",
                },
            )
        ],
        sheet="Fichier d'import",
    )

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    located = {(f.rule, f.sheet, f.row, f.column) for f in findings if f.severity == "error"}
    status_letter = openpyxl.utils.get_column_letter(COLUMN["Statut"] + 1)
    start_letter = openpyxl.utils.get_column_letter(COLUMN["Date de début"] + 1)
    budget_letter = openpyxl.utils.get_column_letter(COLUMN["Budget prévisionnel total € HT"] + 1)
    assert ("code_autorise", "Fichier d'import", 5, status_letter) in located
    assert ("type", "Fichier d'import", 5, start_letter) in located
    assert ("type", "Fichier d'import", 5, budget_letter) in located


def test_a_faulty_funder_amount_is_located_in_that_funder_s_column(
    tmp_path: Path, tet_reference
) -> None:
    first_amount, second_amount, _ = FUNDER_AMOUNTS
    unreadable = _action("Planter", **{"Statut": "En cours", "Date de début": 2026})
    unreadable[first_amount] = "beaucoup"
    negative = _action("Désimperméabiliser", **{"Statut": "En cours", "Date de début": 2027})
    negative[first_amount] = 8000
    negative[second_amount] = -5000
    negative[COLUMN["Budget prévisionnel total € HT"]] = 10_000
    path = _tet_workbook(tmp_path / "plan.xlsx", [unreadable, negative])

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    errors = {(f.rule, f.row, f.column): f.value for f in findings if f.severity == "error"}
    letter = openpyxl.utils.get_column_letter
    assert errors == {
        ("type", 5, letter(first_amount + 1)): "beaucoup",
        ("positif", 6, letter(second_amount + 1)): "-5000",
    }


@pytest.mark.parametrize(("total", "rule"), [(-10_000, "positif"), ("1e999", "nombre_invalide")])
def test_a_total_budget_below_zero_or_infinite_is_refused_in_its_cell(
    tmp_path: Path, tet_reference, total: float | str, rule: str
) -> None:
    """Not funders exceeding it, nor money quietly dropped: the cell is wrong."""
    first_amount, _, _ = FUNDER_AMOUNTS
    row = _action("Planter", **{"Statut": "En cours", "Date de début": 2026})
    row[first_amount] = 8000
    row[COLUMN["Budget prévisionnel total € HT"]] = total
    path = _tet_workbook(tmp_path / "plan.xlsx", [row])

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    budget_letter = openpyxl.utils.get_column_letter(COLUMN["Budget prévisionnel total € HT"] + 1)
    assert (rule, 5, budget_letter) in {(f.rule, f.row, f.column) for f in findings}
    assert "financements_superieurs_au_budget" not in {f.rule for f in findings}


def test_funders_giving_more_than_the_total_budget_is_a_warning(
    tmp_path: Path, tet_reference
) -> None:
    first_amount, second_amount, _ = FUNDER_AMOUNTS
    row = _action("Planter", **{"Statut": "En cours", "Date de début": 2026})
    row[first_amount], row[second_amount] = 8000, 5000
    row[COLUMN["Budget prévisionnel total € HT"]] = 10_000
    path = _tet_workbook(tmp_path / "plan.xlsx", [row])

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    (warning,) = [f for f in findings if f.rule == "financements_superieurs_au_budget"]
    budget_letter = openpyxl.utils.get_column_letter(COLUMN["Budget prévisionnel total € HT"] + 1)
    assert (warning.severity, warning.row, warning.column) == ("warning", 5, budget_letter)
    assert "3\u202f000 €" in warning.message.fr
    amounts = parsed.sheets["investments"].table["amount_eur"].to_pylist()
    assert sum(amounts) == 13_000  # the funders' amounts, no negative own funds


def test_a_known_layout_is_recognised_without_the_registry_saying_so(
    tmp_path: Path, reference
) -> None:
    path = _tet_workbook(tmp_path / "plan.xlsx", [_action("Isoler", **{"Date de début": 2026})])

    parsed = parse_submission(path, reference, partner_id="chu")

    assert [a["title"] for a in parsed.sheets["actions"].table.to_pylist()] == ["Isoler"]
    assert not any(f.rule == "sheet_missing" for f in parsed.findings)


def test_a_second_sheet_of_the_layout_is_refused_not_dropped(tmp_path: Path, tet_reference) -> None:
    """Two plans exported into one workbook: only one sheet would be read."""
    path = _tet_workbook(tmp_path / "plan.xlsx", [_action("Isoler", **{"Date de début": 2026})])
    workbook = openpyxl.load_workbook(path)
    workbook.copy_worksheet(workbook["Plan d'action"]).title = "Plan 2"
    workbook.save(path)

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")

    (refusal,) = [f for f in parsed.findings if f.rule == "plusieurs_plans"]
    assert (refusal.severity, refusal.sheet) == ("error", "Plan 2")
    assert "« Plan d'action » et « Plan 2 »" in refusal.message.fr


def test_a_header_alias_finds_the_column_of_another_version_of_the_layout(
    tmp_path: Path, tet_reference
) -> None:
    path = _tet_workbook(
        tmp_path / "v2.xlsx",
        [_action("Isoler", **{"Date de début": 2026, "Descriptif": "Combles"})],
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet.cell(row=2, column=COLUMN["Descriptif"] + 1, value="Description")
    workbook.save(path)

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")

    assert parsed.sheets["actions"].table["description"].to_pylist() == ["Combles"]


@pytest.mark.parametrize(
    ("start", "end", "wrong"),
    [("2026", "99999999", "Date de fin"), ("20226", "2030", "Date de début")],
)
def test_a_year_typo_in_a_plan_is_a_handful_of_findings_not_a_range_of_years(
    tmp_path: Path, tet_reference, start: str, end: str, wrong: str
) -> None:
    path = _tet_workbook(
        tmp_path / "plan.xlsx",
        [
            _action(
                "Rénover",
                **{
                    "Statut": "En cours",
                    "Date de début": start,
                    "Date de fin": end,
                    "Budget prévisionnel total € HT": 120_000,
                },
            )
        ],
    )

    parsed = parse_submission(path, tet_reference, partner_id="eau-assainissement")
    findings = validate_submission(parsed, tet_reference, "eau-assainissement")

    wrong_letter = openpyxl.utils.get_column_letter(COLUMN[wrong] + 1)
    assert ("annee_plausible", 5, wrong_letter) in {(f.rule, f.row, f.column) for f in findings}
    assert len(findings) <= 5
    cells = [(f.rule, f.row, f.column) for f in findings if f.column is not None]
    assert len(set(cells)) == len(cells)  # a cell read for two sheets is told once
    assert parsed.sheets["investments"].table.num_rows == 1


def test_a_partner_on_its_own_layout_answers_the_self_assessment_on_the_template_s_sheet(
    tmp_path: Path, tet_reference
) -> None:
    """The platform's export has no self-assessment: the partner adds the template's
    sheet beside it, read as the template's, checked as anyone's."""
    path = _tet_workbook(
        tmp_path / "export-tet.xlsx", [_action("Désimperméabiliser les cours", Statut="En cours")]
    )
    workbook = openpyxl.load_workbook(path)
    answers = workbook.create_sheet("Autodiagnostic")
    answers.append(["Thème", "Niveau de maturité", "Justification"])
    answers.append(["Eau", "3 - Structuré : objectifs chiffrés, plan d'action et suivi", None])
    answers.append(["Énergie", 9, "Hors de l'échelle"])
    workbook.save(path)

    campaign = tet_reference.campaign("2026")
    parsed = parse_submission(
        path, tet_reference, partner_id="eau-assainissement", campaign=campaign
    )
    findings = validate_submission(parsed, tet_reference, "eau-assainissement", "2026")

    assert parsed.profile == "territoires-en-transitions"
    answers = parsed.sheets["self_assessment"].table.drop_columns(["scale_lowest", "scale_highest"])
    assert answers.to_pylist() == [
        {"theme": "eau", "maturity_level": "3", "justification": None, "source_row": 2},
        {
            "theme": "energie",
            "maturity_level": "9",
            "justification": "Hors de l'échelle",
            "source_row": 3,
        },
    ]
    assert [(f.rule, f.sheet, f.row) for f in findings if f.severity == "error"] == [
        ("code_autorise", "Autodiagnostic", 3)
    ]
