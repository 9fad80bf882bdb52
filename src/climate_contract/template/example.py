"""The template's example sheet: one worked row of each data sheet, under the same
headers, marked as an example. The parser reads only the sheets titled as the
contract's, so this one is never taken as data, whether the partner keeps it or not."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.contract import EXAMPLE_SHEET, SHEETS, Sheet, sheets_for
from climate_contract.reference import Campaign, ReferenceData
from climate_contract.template.presentation import (
    SubmissionRows,
    append_row,
    column_widths,
    displayed_rows,
    write_header_row,
)
from climate_contract.wording import Language, Wording

EXAMPLE_MODEL_PARTNER = "bailleur-social"
"""The sample partner whose first generated action is the example: a building
renovation, money over several years and gas saved, the action most partners have."""
EXAMPLE_ROWS = 1
"""Worked rows of each data sheet on the example sheet."""
EXAMPLE_TAB_COLOR = "F4B183"
EXAMPLE_HEADER_FILL = PatternFill("solid", fgColor="7F7F7F")
EXAMPLE_BANNER_FONT = Font(bold=True, size=12, color="C00000")
EXAMPLE_ROW_FONT = Font(italic=True, color="595959")


def example_rows(campaign: Campaign) -> SubmissionRows:
    """``EXAMPLE_ROWS`` rows of each data sheet, for invented actions of ``campaign``'s
    year."""
    # Imported here: the sample generator writes its workbooks with this package.
    from climate_contract.samples import scaled_rows

    year = str(campaign.opens_on.year)
    rows = scaled_rows(EXAMPLE_MODEL_PARTNER, year, EXAMPLE_ROWS, seed="example")
    return {sheet.name: list(rows[sheet.name][:EXAMPLE_ROWS]) for sheet in SHEETS}


def _banner(sheets: tuple[Sheet, ...]) -> Wording:
    titles = [sheet.title for sheet in sheets]
    return Wording(
        "EXEMPLE (chiffres inventés) : une ligne remplie de chaque feuille. Cette feuille "
        "n'est jamais lue : saisissez vos données dans les feuilles "
        + ", ".join(title.fr for title in titles)
        + ".",
        "EXAMPLE (invented figures): one filled-in row of each sheet. This sheet is never "
        "read: type your data on the " + ", ".join(title.en for title in titles) + " sheets.",
    )


def write_example_sheet(
    workbook: Workbook,
    reference: ReferenceData,
    campaign: Campaign,
    language: Language,
    index: int,
) -> Worksheet:
    worksheet = workbook.create_sheet(EXAMPLE_SHEET.in_language(language), index=index)
    worksheet.sheet_properties.tabColor = EXAMPLE_TAB_COLOR
    sheets = sheets_for(campaign.parts)
    worksheet.append([_banner(sheets).in_language(language)])
    worksheet["A1"].font = EXAMPLE_BANNER_FONT
    rows = example_rows(campaign)
    shown = {sheet.name: displayed_rows(sheet, rows, reference, language) for sheet in sheets}
    # One width per column position, wide enough for every sheet's column there.
    widths: dict[int, float] = {}
    for sheet in sheets:
        sheet_widths = column_widths(sheet, shown[sheet.name], reference, language)
        for position, width in enumerate(sheet_widths):
            widths[position] = max(widths.get(position, 0), width)
    for sheet in sheets:
        worksheet.append([])
        title = Wording(f"Feuille {sheet.title_fr}", f"{sheet.title_en} sheet")
        worksheet.append([title.in_language(language)])
        worksheet.cell(row=worksheet.max_row, column=1).font = Font(bold=True)
        headers = [column.header.in_language(language) for column in sheet.columns]
        header_widths = [widths[position] for position in range(len(headers))]
        write_header_row(
            worksheet, worksheet.max_row + 1, headers, header_widths, EXAMPLE_HEADER_FILL
        )
        for values in shown[sheet.name]:
            append_row(worksheet, sheet, values, EXAMPLE_ROW_FONT)
    for position, width in widths.items():
        worksheet.column_dimensions[get_column_letter(position + 1)].width = width
    return worksheet
