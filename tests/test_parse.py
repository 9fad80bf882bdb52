from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from climate_contract.contract import ACTIONS, IMPACTS, INVESTMENTS
from climate_contract.parse import parse_submission
from climate_contract.parse.values import CellError, to_boolean, to_decimal, to_integer


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path


def _english_headers(sheet) -> list[str]:
    return [column.header_en for column in sheet.columns]


def test_english_headers_below_a_title_row_are_found(tmp_path: Path, reference) -> None:
    path = _workbook(
        tmp_path / "english.xlsx",
        {
            "actions": [
                ["Climate contract 2026: my organisation"],
                [],
                _english_headers(ACTIONS),
                [
                    "A-1",
                    "Heat pumps",
                    None,
                    "1. Energy sufficiency and efficiency",
                    "Residential",
                    "in progress",
                    "2026",
                    2028.0,
                    "Dijon",
                    "Lead",
                    None,
                    "no",
                ],
            ],
            "Investments": [
                _english_headers(INVESTMENTS),
                ["A-1", 2026, "1 234,56", "HT", "Capital expenditure", "Grant"],
            ],
            "IMPACTS ": [
                _english_headers(IMPACTS),
                ["A-1", "Natural gas saved", 12.5, "MWh/yr", 2028],
            ],
        },
    )

    parsed = parse_submission(path, reference)

    (corrected,) = parsed.findings  # "in progress" for "In progress": read, and said
    assert (corrected.severity, corrected.rule, corrected.row, corrected.column) == (
        "warning",
        "valeur_corrigee",
        4,
        "F",
    )
    assert "« En cours »" in corrected.message.fr
    actions = parsed.sheets["actions"]
    assert actions.header_row == 3
    (action,) = actions.table.to_pylist()
    assert action | {"source_row": None} == {
        "action_ref": "A-1",
        "title": "Heat pumps",
        "description": None,
        "plan_axis": "sobriete_efficacite",
        "sector": "residentiel",
        "status": "en_cours",
        "start_year": 2026,
        "end_year": 2028,
        "municipality": "Dijon",
        "role": "porteur",
        "shared_project_key": None,
        "confidential": False,
        "parent_action_ref": None,
        "partner_axis": None,
        "priority": None,
        "jobs_created": None,
        "jobs_consolidated": None,
        "activity_created": None,
        "source_row": None,
        "commune_code": "21231",
    }
    assert action["source_row"] == 4
    (investment,) = parsed.sheets["investments"].table.to_pylist()
    assert investment["amount_eur"] == pytest.approx(1234.56)
    assert investment["funding_source"] == "subvention"
    (impact,) = parsed.sheets["impacts"].table.to_pylist()
    assert (impact["indicator"], impact["unit"]) == ("gaz_economise", "MWh/an")


def test_unreadable_cells_become_findings_with_sheet_row_and_column(
    tmp_path: Path, reference
) -> None:
    headers = [column.header_fr for column in INVESTMENTS.columns]
    path = _workbook(
        tmp_path / "bad-cells.xlsx",
        {
            "Actions": [[c.header_fr for c in ACTIONS.columns]],
            "Investissements": [
                headers,
                ["A-1", "l'an prochain", "beaucoup", "HT", "Investissement"],
            ],
            "Impacts": [[c.header_fr for c in IMPACTS.columns]],
        },
    )

    parsed = parse_submission(path, reference)

    assert [(f.sheet, f.row, f.column, f.header.fr, f.value, f.rule) for f in parsed.findings] == [
        ("Investissements", 2, "B", "Année", "l'an prochain", "type"),
        ("Investissements", 2, "C", "Montant (€)", "beaucoup", "type"),
    ]
    assert all(f.severity == "error" and f.message.fr for f in parsed.findings)
    assert parsed.sheets["investments"].table["year"].to_pylist() == [None]


def test_a_missing_sheet_is_a_finding(tmp_path: Path, reference) -> None:
    path = _workbook(
        tmp_path / "only-actions.xlsx", {"Actions": [[c.header_fr for c in ACTIONS.columns]]}
    )

    parsed = parse_submission(path, reference)
    in_english = parse_submission(path, reference, partner_id="centre-commercial")

    assert {(f.rule, f.sheet) for f in parsed.findings} == {
        ("sheet_missing", "Investissements"),
        ("sheet_missing", "Impacts"),
    }
    # Named as in the template the partner was given.
    assert {f.sheet for f in in_english.findings} == {"Investments", "Impacts"}


@pytest.mark.parametrize("name", ["corrupt.xlsx", "corrupt.ods"])
def test_a_corrupt_file_is_a_finding_not_a_crash(tmp_path: Path, reference, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")

    parsed = parse_submission(path, reference)

    assert [f.rule for f in parsed.findings] == ["fichier_illisible"]
    assert parsed.sheets == {}


def test_a_windows_csv_with_semicolons_and_decimal_commas_is_read(
    tmp_path: Path, reference
) -> None:
    lines = [
        "Actions",
        ";".join(c.header_fr for c in ACTIONS.columns),
        "A-1;Chaufferie bois;;2. Énergies renouvelables et de récupération;Branche énergie;"
        "Engagée;2026;2027;Dijon;Porteur;;Non",
        "",
        "Investissements",
        ";".join(c.header_fr for c in INVESTMENTS.columns),
        "A-1;2026;2 500 000,50;HT;Investissement;Emprunt",
        "",
        "Impacts",
        ";".join(c.header_fr for c in IMPACTS.columns),
        "A-1;Émissions de GES évitées;1 200,5;tCO2e/an;2028",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))

    parsed = parse_submission(path, reference)

    assert parsed.findings == []
    assert parsed.sheets["actions"].table["source_row"].to_pylist() == [3]
    assert parsed.sheets["investments"].table["amount_eur"].to_pylist() == [2500000.5]
    assert parsed.sheets["investments"].table["source_row"].to_pylist() == [7]
    assert parsed.sheets["impacts"].table["value"].to_pylist() == [1200.5]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1 234,56", 1234.56),
        ("1.234,56", 1234.56),
        ("1234.56", 1234.56),
        ("2 000 000 €", 2e6),
        (12.0, 12.0),
        (7, 7.0),
        ("-3,5", -3.5),
    ],
)
def test_decimal_as_typed(typed, number: float) -> None:
    assert to_decimal(typed) == pytest.approx(number)


@pytest.mark.parametrize("typed", ["beaucoup", "12 k ou 13", True])
def test_decimal_refuses_what_is_not_a_number(typed) -> None:
    with pytest.raises(CellError):
        to_decimal(typed)


def test_integer_and_boolean_as_typed() -> None:
    assert to_integer("2026") == 2026
    assert to_integer(2026.0) == 2026
    with pytest.raises(CellError):
        to_integer("2026,5")
    assert [to_boolean(v) for v in ("Oui", "non", "VRAI", "x", 0, "No")] == [
        True,
        False,
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(CellError):
        to_boolean("peut-être")


def test_files_over_the_limits_are_refused_before_reading(tmp_path: Path, reference) -> None:
    from climate_contract.parse import FileLimits
    from climate_contract.template import write_workbook

    # Longer than the template's other sheets (its Instructions hold a glossary).
    rows = {"actions": [{"action_ref": f"A-{i}", "title": "T"} for i in range(300)]}
    path = write_workbook(tmp_path / "big.xlsx", reference, "chu", "2026", rows)

    too_heavy = parse_submission(path, reference, FileLimits(max_bytes=1000))
    too_long = parse_submission(path, reference, FileLimits(max_rows=200))

    assert [f.rule for f in too_heavy.findings] == ["fichier_trop_volumineux"]
    assert "Mo" in too_heavy.findings[0].message.fr
    assert ("trop_de_lignes", "Actions") in {(f.rule, f.sheet) for f in too_long.findings}
    assert "actions" not in too_long.sheets


def test_a_zip_bomb_is_refused_unread(tmp_path: Path, reference) -> None:
    import zipfile

    from climate_contract.parse import FileLimits

    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)

    parsed = parse_submission(bomb, reference, FileLimits())

    assert [f.rule for f in parsed.findings] == ["fichier_trop_volumineux"]
    assert "décompressé" in parsed.findings[0].message.fr


def test_formula_like_text_is_written_inert_and_read_back_as_typed(
    tmp_path: Path, reference
) -> None:
    from climate_contract.template import write_workbook

    risky = ['=HYPERLINK("http://x")', "+33 3 80", "-ancien", "@SUM(A1)"]
    rows = {
        "actions": [
            {
                "action_ref": f"A-{i}",
                "title": text,
                "plan_axis": "adaptation",
                "sector": "tertiaire",
                "status": "prevue",
                "start_year": 2026,
                "role": "porteur",
                "confidential": False,
            }
            for i, text in enumerate(risky)
        ]
    }
    for suffix in (".xlsx", ".ods", ".csv"):
        path = write_workbook(tmp_path / f"f{suffix}", reference, "chu", "2026", rows)
        parsed = parse_submission(path, reference)
        assert parsed.sheets["actions"].table["title"].to_pylist() == risky, suffix
    workbook = openpyxl.load_workbook(tmp_path / "f.xlsx")
    cells = [workbook["Actions"].cell(row=row, column=2) for row in range(2, 6)]
    assert all(cell.data_type == "s" for cell in cells)
    csv_text = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert ";'@SUM(A1);" in csv_text


def test_a_formula_without_a_computed_value_is_a_finding(tmp_path: Path, reference) -> None:
    from climate_contract.template import write_workbook

    rows = {
        "investments": [
            {
                "action_ref": "A-1",
                "year": 2026,
                "amount_eur": 1000,
                "tax_basis": "HT",
                "nature": "investissement",
            }
        ]
    }
    path = write_workbook(tmp_path / "formules.xlsx", reference, "chu", "2026", rows)
    workbook = openpyxl.load_workbook(path)
    workbook["Investissements"]["C2"] = "=1000*1.2"  # openpyxl never computes formulas
    workbook.save(path)

    findings = parse_submission(path, reference).findings

    assert [(f.rule, f.sheet, f.row, f.column) for f in findings] == [
        ("formule_sans_valeur", "Investissements", 2, "C")
    ]


def test_a_macro_enabled_workbook_is_read_for_its_values_only(tmp_path: Path, reference) -> None:
    from climate_contract.samples import sample_rows
    from climate_contract.template import write_workbook

    rows = sample_rows("chu", "2026")
    xlsx = write_workbook(tmp_path / "modele.xlsx", reference, "chu", "2026", rows)
    xlsm = tmp_path / "modele.xlsm"
    xlsm.write_bytes(xlsx.read_bytes())  # the same package under the macro-enabled name

    parsed = parse_submission(xlsm, reference)

    assert parsed.findings == []
    assert parsed.sheets["actions"].table.num_rows == len(rows["actions"])


def test_a_hint_row_under_the_headers_is_not_read_as_data(tmp_path: Path, reference) -> None:
    path = _workbook(
        tmp_path / "avec-aide.xlsx",
        {
            "Actions": [
                ["Déclaration 2026 du partenaire"],
                [c.header_fr for c in ACTIONS.columns],
                ["Texte libre, unique", "Texte", None, "Liste", "Liste", "Liste", "Année"],
                [
                    "A-1",
                    "Isolation",
                    None,
                    "Adaptation au changement climatique",
                    "Tertiaire",
                    "Prévue",
                    2026,
                    None,
                    None,
                    "Porteur",
                    None,
                    "Non",
                ],
            ],
            "Investissements": [[c.header_fr for c in INVESTMENTS.columns]],
            "Impacts": [[c.header_fr for c in IMPACTS.columns]],
        },
    )

    parsed = parse_submission(path, reference)

    assert parsed.sheets["actions"].table["action_ref"].to_pylist() == ["A-1"]
    assert parsed.sheets["actions"].table["source_row"].to_pylist() == [4]
    assert parsed.findings == []
