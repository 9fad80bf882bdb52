"""Writers for the three accepted formats: ``.xlsx`` (the template, with dropdowns),
``.ods`` and ``.csv`` (data only, for partners whose tools produce those).

Rows are given in warehouse form (codes, booleans) and written as partners see
them (labels, Oui/Non, in the partner's language), so that what a partner types
and what a writer produces go through the same parser.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.contract import (
    EXAMPLE_FINGERPRINT,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    ROADMAP_VALUES,
    Sheet,
    sheets_for,
)
from climate_contract.parse.values import sheet_fingerprint
from climate_contract.reference import ReferenceData
from climate_contract.safe_text import quoted
from climate_contract.template.example import write_example_sheet
from climate_contract.template.instructions import write_instructions
from climate_contract.template.presentation import (
    NEED_LABELS,
    NUMBER_FORMATS,
    SubmissionRows,
    append_row,
    column_widths,
    displayed_rows,
    with_questions,
    write_header_row,
)
from climate_contract.template.validations import ListNames, add_validations, write_lists_sheet
from climate_contract.wording import Language

CSV_DELIMITER = ";"
HINT_COMMENT_SIZE = {"width": 260, "height": 110}
"""Room for the longest hint without the partner resizing the note."""


def _write_data_sheet(
    worksheet: Worksheet,
    sheet: Sheet,
    rows: SubmissionRows,
    reference: ReferenceData,
    names: ListNames,
    language: Language,
) -> None:
    """Headers with their hints, columns as wide as their labels and values, number
    formats by kind (on the columns, for what the partner types, and on the cells
    written), a validation on every column, the header row frozen."""
    headers = [column.header.in_language(language) for column in sheet.columns]
    values = displayed_rows(sheet, rows, reference, language)
    widths = column_widths(sheet, values, reference, language)
    write_header_row(worksheet, 1, headers, widths)
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        need = NEED_LABELS[column.required].in_language(language)
        worksheet.cell(row=1, column=index).comment = Comment(
            f"{need}. {column.hint.in_language(language)}", "climate-contract", **HINT_COMMENT_SIZE
        )
        dimension = worksheet.column_dimensions[letter]
        dimension.width = widths[index - 1]
        if column.kind in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.kind]
    add_validations(worksheet, sheet, names, language)
    worksheet.freeze_panes = "A2"
    for row_values in values:
        append_row(worksheet, sheet, row_values)


def _write_xlsx(
    path: Path,
    reference: ReferenceData,
    partner_id: str,
    campaign_id: str,
    rows: SubmissionRows,
    sample: bool,
    language: Language,
) -> None:
    """Instructions, the data sheets, the example sheet, then the hidden lists."""
    campaign = reference.campaign(campaign_id)
    sheets = sheets_for(campaign.parts)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    write_instructions(instructions, reference, partner_id, campaign, sample, language)
    names = write_lists_sheet(workbook, reference, language)
    for sheet in sheets:
        worksheet = workbook.create_sheet(
            sheet.title.in_language(language), index=len(workbook.sheetnames) - 1
        )
        _write_data_sheet(worksheet, sheet, rows, reference, names, language)
    example = write_example_sheet(
        workbook, reference, campaign, language, index=len(workbook.sheetnames) - 1
    )
    lists = workbook[LISTS_SHEET]
    column = lists.max_column + 1
    lists.cell(row=1, column=column, value=EXAMPLE_FINGERPRINT)
    lists.cell(row=2, column=column, value=sheet_fingerprint(example.values))
    workbook.properties.title = f"Contrat climat {campaign_id} - {partner_id}"
    workbook.save(path)


def _write_ods(
    path: Path,
    reference: ReferenceData,
    sheets: tuple[Sheet, ...],
    rows: SubmissionRows,
    language: Language,
) -> None:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for sheet in sheets:
            frame = pd.DataFrame(
                [
                    [quoted(value) for value in row]
                    for row in displayed_rows(sheet, rows, reference, language)
                ],
                columns=[column.header.in_language(language) for column in sheet.columns],
                dtype=object,
            )
            frame.to_excel(writer, sheet_name=sheet.title.in_language(language), index=False)


def _write_csv(
    path: Path,
    reference: ReferenceData,
    sheets: tuple[Sheet, ...],
    rows: SubmissionRows,
    language: Language,
) -> None:
    """One CSV holding every sheet as a section: a line with the sheet title, the
    header line, the rows, then a blank line."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=CSV_DELIMITER)
        for sheet in sheets:
            writer.writerow([sheet.title.in_language(language)])
            writer.writerow([column.header.in_language(language) for column in sheet.columns])
            writer.writerows(
                [quoted(value) for value in row]
                for row in displayed_rows(sheet, rows, reference, language)
            )
            writer.writerow([])


def _campaign_sheets(reference: ReferenceData, campaign_id: str) -> tuple[Sheet, ...]:
    return sheets_for(reference.campaign(campaign_id).parts)


FORMATS = (".xlsx", ".ods", ".csv")
"""What a template can be written as, by its file name's suffix."""


def write_workbook(
    path: Path,
    reference: ReferenceData,
    partner_id: str,
    campaign_id: str,
    rows: SubmissionRows | None = None,
    *,
    sample: bool = False,
    language: Language | None = None,
) -> Path:
    """Write a partner's workbook for a campaign, in the format its suffix names and
    in ``language``, by default the partner's own."""
    sheets = _campaign_sheets(reference, campaign_id)
    rows = with_questions(rows or {}, sheets, reference)
    chosen = language or reference.partner(partner_id).language
    return _written(
        path,
        reference,
        sheets,
        rows,
        chosen,
        lambda: _write_xlsx(path, reference, partner_id, campaign_id, rows, sample, chosen),
    )


def _written(
    path: Path,
    reference: ReferenceData,
    sheets: tuple[Sheet, ...],
    rows: SubmissionRows,
    language: Language,
    write_xlsx: Callable[[], None],
) -> Path:
    """Write ``sheets`` holding ``rows`` in the format ``path``'s suffix names: the
    spreadsheet by ``write_xlsx``, data only in the others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    match path.suffix.lower():
        case ".xlsx":
            write_xlsx()
        case ".ods":
            _write_ods(path, reference, sheets, rows, language)
        case ".csv":
            _write_csv(path, reference, sheets, rows, language)
        case other:
            raise ValueError(f"unsupported workbook format {other!r}: use {', '.join(FORMATS)}")
    return path


def write_roadmap_workbook(
    path: Path, reference: ReferenceData, rows: SubmissionRows, language: Language = "fr"
) -> Path:
    """Write the steward's workbook of the roadmap's entered indicators, holding
    ``rows`` (the values entered so far), with the partner template's headers, hints
    and drop-downs; read back and checked as a partner's workbook is."""
    if reference.roadmap is None:
        raise ValueError("the territory keeps no roadmap: write reference/roadmap.yaml first")

    def write_xlsx() -> None:
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = ROADMAP_VALUES.title.in_language(language)
        names = write_lists_sheet(workbook, reference, language)
        _write_data_sheet(worksheet, ROADMAP_VALUES, rows, reference, names, language)
        workbook.properties.title = ROADMAP_VALUES.title.in_language(language)
        workbook.save(path)

    return _written(path, reference, (ROADMAP_VALUES,), rows, language, write_xlsx)
