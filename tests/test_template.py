from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from climate_contract.contract import (
    ACTIONS,
    CONTRACT_YEARS,
    EXAMPLE_SHEET,
    IMPACTS,
    INVESTMENTS,
    SELF_ASSESSMENT,
    SHEETS,
    Sheet,
    sheets_for,
)
from climate_contract.parse import parse_submission
from climate_contract.reference import CodeValue, ReferenceData, load_reference_data
from climate_contract.samples import sample_rows
from climate_contract.settings import PROJECT_ROOT
from climate_contract.template import SubmissionRows, write_workbook
from climate_contract.validate import validate_submission
from climate_contract.wording import Language


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
    table = parsed.sheets[sheet.name].table
    return table.select([column.name for column in sheet.columns]).to_pylist()


def test_template_has_french_sheets_headers_and_dropdowns(tmp_path: Path, reference) -> None:
    path = write_workbook(tmp_path / "modele.xlsx", reference, "chu", "2026")

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "Instructions",
        "Actions",
        "Investissements",
        "Impacts",
        "Autodiagnostic",
        "Exemple",
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
            # A unit's list depends on the row's indicator (tested below).
            if column.code_list and not column.narrowed_by:
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
    assert workbook.sheetnames == [
        "Instructions",
        "Actions",
        "Investments",
        "Impacts",
        "Self-assessment",
        "Example",
        "Listes",
    ]
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
        if sheet is SELF_ASSESSMENT:
            # Each theme has its row; the unanswered ones hold only their theme.
            typed = [answer for answer in typed if answer[1] is not None]
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
    assert openpyxl.load_workbook(output).sheetnames[1 : 1 + len(titles)] == titles
    parsed = parse_submission(output, reference)
    assert parsed.declared_partner == "universite"
    # What 2025 collected (not the jobs its sample rows hold: 2025 does not collect them).
    for sheet in sheets_for(reference.campaign("2025").parts):
        assert _parsed_rows(parsed, sheet) == _expected(rows_2025[sheet.name], sheet)


def _validations_by_letter(worksheet: Worksheet) -> dict[str, DataValidation]:
    """Each column's validation, by the letter of the column it covers from row 2."""
    by_letter = {}
    for validation in worksheet.data_validations.dataValidation:
        first, *_ = str(validation.sqref).split(":")
        assert first.endswith("2"), validation.sqref
        by_letter[first[:-1]] = validation
    return by_letter


def _named_values(workbook: Workbook, name: str) -> list[Any]:
    """The values of the cells a workbook's defined name covers."""
    ((title, cells),) = workbook.defined_names[name].destinations
    return [cell.value for row in workbook[title][cells] for cell in row]


def _letter(sheet: Sheet, name: str) -> str:
    return get_column_letter([column.name for column in sheet.columns].index(name) + 1)


def _handed_out(
    tmp_path: Path, reference: ReferenceData, partner_id: str
) -> tuple[Language, Path, Workbook]:
    """A partner's blank template as the steward hands it out: its language, its
    path, and the workbook opened."""
    path = write_workbook(tmp_path / "modele.xlsx", reference, partner_id, "2026")
    return reference.partner(partner_id).language, path, openpyxl.load_workbook(path)


def _prefilled(
    tmp_path: Path, reference: ReferenceData, partner_id: str
) -> tuple[SubmissionRows, Workbook]:
    """A partner's French template written with its sample rows, and opened."""
    rows = sample_rows(partner_id, "2026")
    path = write_workbook(tmp_path / "modele.xlsx", reference, partner_id, "2026", rows)
    return rows, openpyxl.load_workbook(path)


def _offered(reference: ReferenceData, list_name: str, language: Language = "fr") -> list[str]:
    return [
        value.label.in_language(language)
        for value in reference.code_lists[list_name]
        if value.in_template
    ]


def test_columns_are_wide_enough_for_their_labels_and_values_under_a_frozen_wrapped_header(
    tmp_path: Path, reference
) -> None:
    rows, workbook = _prefilled(tmp_path, reference, "bailleur-social")

    for sheet in SHEETS:
        worksheet = workbook[sheet.title_fr]
        assert worksheet.freeze_panes == "A2"
        for index, column in enumerate(sheet.columns, start=1):
            header = worksheet.cell(row=1, column=index)
            assert header.alignment.wrap_text, column.name
            written = [row.get(column.name) for row in rows[sheet.name]]
            shown = [
                f"{value:,.2f}" if column.kind == "decimal" else str(value)
                for value in written
                if value is not None and column.kind in ("text", "decimal")
            ]
            labels = _offered(reference, column.code_list) if column.code_list else []
            # A header wraps onto two lines at most, never inside a word.
            header_room = [*header.value.split(), header.value[: (len(header.value) + 1) // 2]]
            longest = max(map(len, [*labels, *shown, *header_room]))
            width = worksheet.column_dimensions[get_column_letter(index)].width
            assert width >= longest, (sheet.name, column.name, width, longest)
    # "Rénovation thermique de bâtiments" is read whole, not "Rénovation therm".
    titles = [row["title"] for row in rows["actions"]]
    assert any(title.startswith("Rénovation thermique") for title in titles)
    title_width = workbook["Actions"].column_dimensions[_letter(ACTIONS, "title")].width
    assert title_width >= max(map(len, titles))


def test_a_label_too_long_for_any_screen_is_cut_rather_than_widening_its_column(
    tmp_path: Path, reference
) -> None:
    long_label = "Secteur au nom démesuré " * 20
    sectors = (*reference.code_lists["sector"], CodeValue(code="x", fr=long_label, en=long_label))
    code_lists = {**reference.code_lists, "sector": sectors}
    stretched = dataclasses.replace(reference, code_lists=code_lists)

    path = write_workbook(tmp_path / "modele.xlsx", stretched, "chu", "2026")

    worksheet = openpyxl.load_workbook(path)["Actions"]
    width = worksheet.column_dimensions[_letter(ACTIONS, "sector")].width
    assert max(map(len, _offered(reference, "sector"))) < width < len(long_label) / 4


def test_amounts_are_grouped_with_cents_and_years_are_plain_whole_numbers(
    tmp_path: Path, reference
) -> None:
    rows, workbook = _prefilled(tmp_path, reference, "chu")

    kinds_seen = set()
    for sheet in SHEETS:
        worksheet = workbook[sheet.title_fr]
        for index, column in enumerate(sheet.columns, start=1):
            written = range(2, len(rows[sheet.name]) + 2)
            formats = {worksheet.column_dimensions[get_column_letter(index)].number_format} | {
                worksheet.cell(row=row, column=index).number_format for row in written
            }
            kinds_seen.add(column.kind)
            if column.kind == "integer":
                # Whole numbers are years: never "2 026".
                assert column.bounds is CONTRACT_YEARS
                assert formats == {"0"}, column.name
            elif column.kind == "decimal":
                # Thousands grouped (the locale's separator), two decimals.
                assert formats == {"#,##0.00"}, column.name
            else:
                assert formats == {"General"}, column.name
    assert {"integer", "decimal"} <= kinds_seen


@pytest.mark.parametrize("partner_id", ["chu", "centre-commercial"])
def test_every_column_prompts_what_it_takes_and_every_checked_one_alerts_in_the_partner_language(
    tmp_path: Path, reference, partner_id: str
) -> None:
    language, _, workbook = _handed_out(tmp_path, reference, partner_id)
    other = "en" if language == "fr" else "fr"
    need = {"fr": ("Facultatif", "Obligatoire"), "en": ("Optional", "Required")}[language]

    styles = set()
    for sheet in SHEETS:
        validations = _validations_by_letter(workbook[sheet.title.in_language(language)])
        for index, column in enumerate(sheet.columns, start=1):
            validation = validations[get_column_letter(index)]
            header = column.header.in_language(language)
            assert validation.showInputMessage, column.name
            assert validation.promptTitle == header
            assert validation.prompt.startswith(need[column.required])
            assert column.hint.in_language(language) in validation.prompt
            if column.hint.fr != column.hint.en:
                assert column.hint.in_language(other) not in validation.prompt
            # Excel drops a validation whose texts are longer.
            assert len(validation.promptTitle) <= 32
            assert len(validation.prompt) <= 255
            if not (column.code_list or column.bounds or column.listed_on):
                assert validation.type is None, column.name  # free text: a prompt only
                assert not validation.showErrorMessage
                continue
            assert validation.showErrorMessage, column.name
            assert validation.errorTitle == header
            assert validation.error
            assert len(validation.error) <= 225
            styles.add(validation.errorStyle)
            if column.bounds is not None:
                assert validation.type == {"integer": "whole", "decimal": "decimal"}[column.kind]
                assert validation.operator == "between"
                limits = (float(validation.formula1), float(validation.formula2))
                assert limits == (column.bounds.minimum, column.bounds.maximum)
                said = column.bounds.said_in(language)
                assert said["minimum"] in validation.error
                assert said["maximum"] in validation.error
            else:
                assert validation.type == "list", column.name
            assert validation.errorStyle == ("warning" if column.listed_on else "stop")
    assert styles == {"stop", "warning"}


def test_investments_and_impacts_offer_the_references_typed_on_the_actions_sheet(
    tmp_path: Path, reference
) -> None:
    rows, workbook = _prefilled(tmp_path, reference, "chu")

    actions = workbook[ACTIONS.title_fr]
    typed_on_actions = _validations_by_letter(actions)[_letter(ACTIONS, "action_ref")].sqref
    assert "unique" in actions[f"{_letter(ACTIONS, 'action_ref')}1"].comment.text
    for sheet in (INVESTMENTS, IMPACTS):
        worksheet = workbook[sheet.title_fr]
        validation = _validations_by_letter(worksheet)[_letter(sheet, "action_ref")]
        assert validation.type == "list"
        ((title, cells),) = workbook.defined_names[validation.formula1.lstrip("=")].destinations
        assert title == ACTIONS.title_fr
        assert cells.replace("$", "") == str(typed_on_actions)
        references = [value for value in _named_values(workbook, validation.formula1) if value]
        assert references == [row["action_ref"] for row in rows["actions"]]
        hint = worksheet[f"{_letter(sheet, 'action_ref')}1"].comment.text
        assert "unique" not in hint
        assert ACTIONS.title_fr in hint
    for sheet in (ACTIONS, INVESTMENTS, IMPACTS):
        column = sheet.column("action_ref")
        for language in ("fr", "en"):
            said = column.hint.in_language(language)
            assert ("unique" in said) == (sheet is ACTIONS), (sheet.name, said)


@pytest.mark.parametrize("partner_id", ["chu", "centre-commercial"])
def test_the_unit_list_offers_only_the_units_of_the_indicator_chosen_on_the_row(
    tmp_path: Path, reference, partner_id: str
) -> None:
    language, _, workbook = _handed_out(tmp_path, reference, partner_id)

    worksheet = workbook[IMPACTS.title.in_language(language)]
    validation = _validations_by_letter(worksheet)[_letter(IMPACTS, "unit")]
    assert validation.type == "list"
    # Read as Excel and LibreOffice do: the name made of a prefix and the position of
    # the row's indicator in its list, or the whole unit list while none is chosen.
    chosen = re.fullmatch(
        r'INDIRECT\(IFERROR\("(?P<prefix>\w+)"&MATCH\(\$(?P<column>[A-Z]+)2,'
        r'(?P<indicators>\w+),0\),"(?P<every_unit>\w+)"\)\)',
        validation.formula1.lstrip("="),
    )
    assert chosen is not None, validation.formula1
    assert chosen["column"] == _letter(IMPACTS, "indicator")
    indicators = [value for value in reference.code_lists["indicator"] if value.in_template]
    labels = [indicator.label.in_language(language) for indicator in indicators]
    assert _named_values(workbook, chosen["indicators"]) == labels
    assert _named_values(workbook, chosen["every_unit"]) == _offered(reference, "unit", language)
    for position, indicator in enumerate(indicators, start=1):
        fitting = [
            reference.code_value("unit", unit).label.in_language(language)
            for code, unit in reference.indicator_unit_pairs
            if code == indicator.code
        ]
        assert fitting, indicator.code
        offered = _named_values(workbook, f"{chosen['prefix']}{position}")
        assert offered == fitting, indicator.code
    gas_saved = labels[[i.code for i in indicators].index("gaz_economise")]
    gas_units = _named_values(workbook, f"{chosen['prefix']}{labels.index(gas_saved) + 1}")
    assert reference.code_value("unit", "tCO2e/an").label.in_language(language) not in gas_units


@pytest.mark.parametrize("partner_id", ["chu", "centre-commercial"])
def test_the_instructions_explain_every_column_and_name_whom_to_ask(
    tmp_path: Path, reference, partner_id: str
) -> None:
    language, path, workbook = _handed_out(tmp_path, reference, partner_id)
    need = {"fr": ("Facultatif", "Obligatoire"), "en": ("Optional", "Required")}[language]

    lines = list(workbook["Instructions"].iter_rows(values_only=True))

    glossary = {(line[0], line[1]): line for line in lines if line[0] and line[1]}
    for sheet in SHEETS:
        for column in sheet.columns:
            at = (sheet.title.in_language(language), column.header.in_language(language))
            _, _, meaning, required, allowed = glossary[at]
            assert meaning == column.hint.in_language(language)
            assert required == need[column.required]
            if column.code_list and not column.narrowed_by:
                for label in _offered(reference, column.code_list, language):
                    assert label in allowed, (column.name, label)
            elif column.bounds is not None:
                said = column.bounds.said_in(language)
                assert said["minimum"] in allowed
                assert said["maximum"] in allowed
            elif column.listed_on is not None:
                assert ACTIONS.title.in_language(language) in allowed
            else:
                assert allowed
    kinds = {"fr": "Résultat direct", "en": "Direct result"}[language]
    for indicator in (value for value in reference.code_lists["indicator"] if value.in_template):
        row = next(line for line in lines if line[0] == indicator.label.in_language(language))
        for code, unit in reference.indicator_unit_pairs:
            if code == indicator.code:
                assert reference.code_value("unit", unit).label.in_language(language) in row[2]
        assert (row[1] == kinds) == (indicator.kind == "result")
    contact = reference.campaign("2026").contact
    assert contact
    assert any(contact in str(line[0]) for line in lines[:20])
    assert parse_submission(path, reference).declared_partner == partner_id


def test_a_campaign_without_a_contact_still_loads_and_its_template_names_no_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    campaigns = folder / "campaigns.yaml"
    campaigns.write_text(
        re.sub(r",\s*contact:\s*\"[^\"]*\"", "", campaigns.read_text("utf-8")), "utf-8"
    )

    reference = load_reference_data(folder)
    path = write_workbook(tmp_path / "modele.xlsx", reference, "chu", "2026")

    assert reference.campaign("2026").contact is None
    instructions = openpyxl.load_workbook(path)["Instructions"]
    text = [str(cell.value) for row in instructions for cell in row if cell.value is not None]
    assert text
    assert not any("contact" in value.casefold() or value == "None" for value in text)


@pytest.mark.parametrize("partner_id", ["chu", "centre-commercial"])
def test_the_example_sheet_is_a_valid_worked_row_per_sheet_and_never_read_as_data(
    tmp_path: Path, reference, partner_id: str
) -> None:
    language, path, workbook = _handed_out(tmp_path, reference, partner_id)
    example = workbook[EXAMPLE_SHEET.in_language(language)]
    cells = [list(row) for row in example.iter_rows(values_only=True)]
    assert cells[0][0].startswith({"fr": "EXEMPLE", "en": "EXAMPLE"}[language])

    # The template as handed out, example kept: nothing to read, and refused as empty.
    as_handed_out = parse_submission(path, reference, partner_id=partner_id)
    errors = [
        f.rule
        for f in validate_submission(as_handed_out, reference, partner_id, "2026")
        if f.severity == "error"
    ]

    assert as_handed_out.findings == []
    assert all(as_handed_out.sheets[sheet.name].table.num_rows == 0 for sheet in SHEETS)
    assert errors == ["aucune_action"]

    # Its rows, typed on the data sheets, are a complete and valid declaration.
    for sheet in SHEETS:
        headers = [column.header.in_language(language) for column in sheet.columns]
        at = next(i for i, row in enumerate(cells) if row[: len(headers)] == headers)
        following = [value for row in cells[at + 2 : at + 3] for value in row[: len(headers)]]
        assert not any(following), "one example row per sheet"
        workbook[sheet.title.in_language(language)].append(cells[at + 1][: len(headers)])
    copied = tmp_path / "exemple-recopie.xlsx"
    workbook.save(copied)

    parsed = parse_submission(copied, reference, partner_id=partner_id)
    findings = validate_submission(parsed, reference, partner_id, "2026")

    assert parsed.findings == []
    assert [parsed.sheets[sheet.name].table.num_rows for sheet in SHEETS] == [1] * len(SHEETS)
    assert [f for f in findings if f.severity == "error"] == []


def _type_below(example: Worksheet) -> None:
    worked = [list(row) for row in example.iter_rows(values_only=True)][-1]
    for _ in range(2):
        example.append(worked)


def _type_over(example: Worksheet) -> None:
    """The partner's own action over the worked one, cell by cell."""
    for row in example.iter_rows():
        if row[0].value == "ACT-01":
            row[0].value = "PLAN-7"


def _clear(example: Worksheet) -> None:
    for row in example.iter_rows():
        for cell in row:
            cell.value = None


@pytest.mark.parametrize(
    ("change", "told"),
    [(_type_below, True), (_type_over, True), (_clear, False), (None, False)],
    ids=["rows typed below", "typed over the example", "emptied", "untouched"],
)
def test_a_partner_who_typed_on_the_example_sheet_is_told_it_is_never_read(
    tmp_path: Path, reference, change, told: bool
) -> None:
    language, path, workbook = _handed_out(tmp_path, reference, "centre-commercial")
    if change is not None:
        change(workbook[EXAMPLE_SHEET.in_language(language)])
    workbook.save(path)

    parsed = parse_submission(path, reference, partner_id="centre-commercial")
    findings = validate_submission(parsed, reference, "centre-commercial", "2026")

    warned = [f for f in parsed.findings if f.rule == "saisie_dans_exemple"]
    assert "aucune_action" in [f.rule for f in findings]  # the data sheets are still empty
    if not told:
        assert warned == []
        return
    (warning,) = warned
    assert warning.severity == "warning"
    assert warning.sheet == "Example"
    assert warning.message.en.startswith('The sheet "Example" was changed since the template')
    assert "Actions, Investments, Impacts sheets" in warning.message.en


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _through_libreoffice(workbook: Path, target: str, folder: Path) -> Path:
    """``workbook`` opened and saved (or printed) by LibreOffice itself, headless."""
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing: `make test` installs it (apt-get)")
        pytest.skip("no LibreOffice on this machine: `make test` installs it (apt-get)")
    profile = (folder / "libreoffice-profile").as_uri()
    options = ["--headless", "--convert-to", target, "--outdir", str(folder / target)]
    converted = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", *options, str(workbook)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert converted.returncode == 0, converted.stderr
    assert "Error" not in converted.stderr, converted.stderr
    return folder / target / f"{workbook.stem}.{target}"


def _checks_as_a_spreadsheet_keeps_them(workbook: Workbook) -> dict[str, set[tuple]]:
    """Per sheet, each validation as a partner meets it: the cells, the kind of check
    with its list or bounds, the prompt, the alert (a prompt-only validation is the
    same whatever formula and style a program writes beside it)."""
    kept = {}
    for worksheet in workbook.worksheets:
        kept[worksheet.title] = {
            (
                str(validation.sqref),
                validation.type,
                validation.formula1 if validation.type else None,
                validation.formula2 if validation.type in {"whole", "decimal"} else None,
                validation.promptTitle,
                validation.prompt,
                (validation.errorStyle, validation.errorTitle, validation.error)
                if validation.showErrorMessage
                else None,
            )
            for validation in worksheet.data_validations.dataValidation
        }
    return kept


def _named_cells(workbook: Workbook) -> dict[str, str]:
    return {
        name: defined.attr_text.replace("'", "") for name, defined in workbook.defined_names.items()
    }


@pytest.mark.parametrize("partner_id", ["chu", "centre-commercial"])
def test_the_template_goes_through_libreoffice_with_its_checks_and_its_data(
    tmp_path: Path, reference, partner_id: str
) -> None:
    """A partner without Excel opens the template in LibreOffice, fills it, saves it
    as .xlsx, or prints it: nothing of the template's guidance or data is lost."""
    rows = sample_rows(partner_id, "2026")
    blank = write_workbook(tmp_path / "modele.xlsx", reference, partner_id, "2026")
    filled = write_workbook(tmp_path / "rempli.xlsx", reference, partner_id, "2026", rows)

    printed = _through_libreoffice(blank, "pdf", tmp_path)
    saved_blank = _through_libreoffice(blank, "xlsx", tmp_path)
    saved_filled = _through_libreoffice(filled, "xlsx", tmp_path)

    pages = PdfReader(printed).pages
    text = "".join(page.extract_text() for page in pages)
    partner = reference.partner(partner_id)
    assert partner.name in text  # the Instructions sheet, printed
    assert ACTIONS.columns[0].header.in_language(partner.language) in text
    original, resaved = openpyxl.load_workbook(blank), openpyxl.load_workbook(saved_blank)
    assert resaved.sheetnames == original.sheetnames
    checks = _checks_as_a_spreadsheet_keeps_them(original)
    assert sum(len(sheet) for sheet in checks.values()) > 0
    assert _checks_as_a_spreadsheet_keeps_them(resaved) == checks
    assert _named_cells(resaved) == _named_cells(original)
    parsed = parse_submission(saved_filled, reference, partner_id=partner_id)
    assert parsed.findings == []
    assert validate_submission(parsed, reference, partner_id, campaign_id="2026") == []
    for sheet in SHEETS:
        assert _parsed_rows(parsed, sheet) == _expected(rows[sheet.name], sheet)
