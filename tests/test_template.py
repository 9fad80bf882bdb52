from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from climate_contract.contract import SHEETS
from climate_contract.parse import parse_submission
from climate_contract.samples import sample_rows
from climate_contract.template import write_workbook


def _as_partner_types(value, column, reference, language="fr"):
    """What a person picks or types in the template for a warehouse value."""
    if value is None:
        return None
    if column.kind == "boolean":
        return {"fr": ("Non", "Oui"), "en": ("No", "Yes")}[language][bool(value)]
    if column.code_list:
        return reference.code_value(column.code_list, value).label.in_language(language)
    return value


def _expected(rows, sheet):
    return [{column.name: row.get(column.name) for column in sheet.columns} for row in rows]


def _parsed_rows(parsed, sheet):
    table = parsed.sheets[sheet.name].table.drop_columns(["source_row"])
    return table.to_pylist()


def test_template_has_french_sheets_headers_and_dropdowns(tmp_path: Path, reference) -> None:
    path = write_workbook(tmp_path / "modele.xlsx", reference, "chu", "2026")

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "Instructions",
        "Actions",
        "Investissements",
        "Impacts",
        "Listes",
    ]
    assert workbook["Listes"].sheet_state == "hidden"
    instructions = " ".join(str(c.value) for c in workbook["Instructions"]["A"] if c.value)
    assert "Centre hospitalier universitaire (exemple)" in instructions
    assert "31/03/2026" in instructions
    for sheet in SHEETS:
        worksheet = workbook[sheet.title_fr]
        assert [c.value for c in worksheet[1]] == [c.header_fr for c in sheet.columns]
        validations = {
            str(v.sqref).split(":")[0]: v for v in worksheet.data_validations.dataValidation
        }
        for index, column in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            if column.code_list:
                validation = validations[f"{letter}2"]
                assert validation.type == "list"
                defined = workbook.defined_names[validation.formula1.lstrip("=")]
                (title, cells), *_ = defined.destinations
                listed = [c.value for row in workbook[title][cells] for c in row]
                assert listed == [
                    v.fr for v in reference.code_lists[column.code_list] if v.in_template
                ]
            assert worksheet.cell(row=1, column=index).comment is not None


def test_template_filled_with_a_spreadsheet_library_parses_back_to_the_same_values(
    tmp_path: Path, reference
) -> None:
    rows = sample_rows("bailleur-social", "2026")
    path = write_workbook(tmp_path / "modele.xlsx", reference, "bailleur-social", "2026")
    workbook = openpyxl.load_workbook(path)
    for sheet in SHEETS:
        worksheet = workbook[sheet.title_fr]
        for row in rows[sheet.name]:
            worksheet.append(
                [_as_partner_types(row.get(c.name), c, reference) for c in sheet.columns]
            )
    workbook.save(path)

    parsed = parse_submission(path, reference)

    assert parsed.findings == []
    for sheet in SHEETS:
        assert _parsed_rows(parsed, sheet) == _expected(rows[sheet.name], sheet)
        assert parsed.sheets[sheet.name].table["source_row"].to_pylist() == list(
            range(2, len(rows[sheet.name]) + 2)
        )


def test_an_english_speaking_partner_gets_its_template_in_english(
    tmp_path: Path, reference
) -> None:
    partner = reference.partner("centre-commercial")
    assert partner.language == "en"
    rows = sample_rows(partner.id, "2026")

    path = write_workbook(tmp_path / "template.xlsx", reference, partner.id, "2026", rows)

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Instructions", "Actions", "Investments", "Impacts", "Listes"]
    instructions = [c.value for c in workbook["Instructions"]["A"] if c.value]
    assert f"Partner: {partner.name} (centre-commercial)" in instructions
    assert "Campaign: 2026, to be dropped before 2026-03-31" in instructions
    for sheet in SHEETS:
        worksheet = workbook[sheet.title_en]
        assert [c.value for c in worksheet[1]] == [c.header_en for c in sheet.columns]
        assert [c.comment.text.split(" ")[0] for c in worksheet[1]] == [
            "Required." if c.required else "Optional." for c in sheet.columns
        ]
        coded = [i for i, c in enumerate(sheet.columns) if c.code_list or c.kind == "boolean"]
        typed = [[row[i].value for i in coded] for row in worksheet.iter_rows(min_row=2)]
        assert typed == [
            [
                _as_partner_types(row.get(sheet.columns[i].name), sheet.columns[i], reference, "en")
                for i in coded
            ]
            for row in rows[sheet.name]
        ]
    listed = [c.value for c in workbook["Listes"]["A"][1:] if c.value]
    assert listed == [v.en for v in next(iter(reference.code_lists.values()))]
    parsed = parse_submission(path, reference, partner_id=partner.id)
    assert parsed.findings == []
    assert parsed.declared_partner == partner.id
    for sheet in SHEETS:
        assert _parsed_rows(parsed, sheet) == _expected(rows[sheet.name], sheet)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv"])
def test_every_format_round_trips(tmp_path: Path, reference, suffix: str) -> None:
    rows = sample_rows("cooperative-agricole", "2026")
    path = write_workbook(tmp_path / f"f{suffix}", reference, "cooperative-agricole", "2026", rows)

    parsed = parse_submission(path, reference)

    assert parsed.findings == []
    for sheet in SHEETS:
        assert _parsed_rows(parsed, sheet) == _expected(rows[sheet.name], sheet)
        assert set(parsed.sheets[sheet.name].table.column_names) >= {"source_row"}


@pytest.mark.parametrize("language", [None, "en"])
def test_a_template_prefilled_with_last_campaign_reads_back_as_that_data(
    make_settings, reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language
) -> None:
    from typer.testing import CliRunner

    from climate_contract import pipeline
    from climate_contract.cli import app

    settings = make_settings().model_copy(update={"campaign": "2025"})
    rows_2025 = sample_rows("universite", "2025")
    inbox = settings.shared_root / "inbox" / "universite"
    write_workbook(inbox / "2025.xlsx", reference, "universite", "2025", rows_2025)
    pipeline.run_collection(settings)
    for name, value in {"DATA_DIR": settings.data_dir, "CAMPAIGN": "2026"}.items():
        monkeypatch.setenv(f"CLIMATE_CONTRACT_{name}", str(value))
    output = tmp_path / "modele-2026.xlsx"

    chosen = ["--language", language] if language else []

    result = CliRunner().invoke(
        app, ["template", "universite", "--prefill", "--output", str(output), *chosen]
    )

    assert result.exit_code == 0, result.output
    titles = [sheet.title_en if language == "en" else sheet.title_fr for sheet in SHEETS]
    assert openpyxl.load_workbook(output).sheetnames[1:4] == titles
    parsed = parse_submission(output, reference)
    assert parsed.declared_partner == "universite"
    for sheet in SHEETS:
        assert _parsed_rows(parsed, sheet) == _expected(rows_2025[sheet.name], sheet)
