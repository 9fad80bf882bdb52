"""Writers for the three accepted formats: ``.xlsx`` (the template, with dropdowns),
``.ods`` and ``.csv`` (data only, for partners whose tools produce those).

Rows are given in warehouse form (codes, booleans) and written as partners see
them (labels, Oui/Non, in the partner's language), so that what a partner types
and what a writer produces go through the same parser.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from climate_contract.contract import (
    INSTRUCTIONS_SHEET,
    SHEETS,
    Column,
    Sheet,
    campaign_line,
    partner_line,
)
from climate_contract.reference import ReferenceData
from climate_contract.safe_text import make_inert, quoted
from climate_contract.wording import Language, Wording

SubmissionRows = Mapping[str, Sequence[Mapping[str, Any]]]
"""Rows per sheet name (``actions``, ``investments``, ``impacts``), keyed by column name."""

LISTS_SHEET = "Listes"
CSV_DELIMITER = ";"
VALIDATED_ROWS = 1000
HEADER_FILL = PatternFill("solid", fgColor="1F6F50")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOOLEAN_LABELS = {True: Wording("Oui", "Yes"), False: Wording("Non", "No")}
REQUIRED_LABELS = {
    True: Wording("Obligatoire.", "Required."),
    False: Wording("Facultatif.", "Optional."),
}


def _displayed(column: Column, value: Any, reference: ReferenceData, language: Language) -> Any:
    if value is None:
        return None
    if column.kind == "boolean":
        return BOOLEAN_LABELS[bool(value)].in_language(language)
    if column.kind == "code" and column.code_list is not None:
        code = reference.code_value(column.code_list, value)
        return code.label.in_language(language) if code is not None else value
    return value


def _displayed_rows(
    sheet: Sheet, rows: SubmissionRows, reference: ReferenceData, language: Language
) -> list[list[Any]]:
    return [
        [_displayed(column, row.get(column.name), reference, language) for column in sheet.columns]
        for row in rows.get(sheet.name, ())
    ]


def _instruction_lines(
    reference: ReferenceData, partner_id: str, campaign_id: str, sample: bool
) -> list[Wording]:
    partner = reference.partner(partner_id)
    campaign = next(c for c in reference.campaigns if c.id == campaign_id)
    lines = [
        Wording(
            "Contrat Climat et Biodiversité : déclaration des actions des partenaires",
            "Climate and Biodiversity Contract: declaration of the partners' actions",
        ),
        partner_line(partner.name, partner.id),
        campaign_line(campaign.id, campaign.deadline),
        Wording("", ""),
        Wording(
            "1. Feuille Actions : une ligne par action, avec votre propre référence unique.",
            "1. Actions sheet: one row per action, with your own unique reference.",
        ),
        Wording(
            "2. Feuille Investissements : une ligne par action et par année de dépense, en euros.",
            "2. Investments sheet: one row per action and year of spending, in euros.",
        ),
        Wording(
            "3. Feuille Impacts : une ligne par action et par indicateur (valeur annuelle "
            "attendue).",
            "3. Impacts sheet: one row per action and indicator (expected yearly value).",
        ),
        Wording(
            "Choisissez les valeurs codées dans les listes déroulantes.",
            "Pick coded values from the drop-down lists.",
        ),
        Wording(
            "Déposez le fichier complété dans votre dossier partagé : vous recevrez un rapport.",
            "Drop the completed file in your shared folder: you will receive a report.",
        ),
    ]
    if sample:
        lines.insert(
            0,
            Wording(
                "DONNÉES D'EXEMPLE : organisation et chiffres inventés.",
                "SAMPLE DATA: invented organisation and figures.",
            ),
        )
    return lines


def _write_lists_sheet(
    workbook: Workbook, reference: ReferenceData, language: Language
) -> dict[str, str]:
    """Write every code list on a hidden sheet; return a defined name per list."""
    lists_sheet = workbook.create_sheet(LISTS_SHEET)
    lists_sheet.sheet_state = "hidden"
    names: dict[str, str] = {}
    for index, (list_name, every_value) in enumerate(reference.code_lists.items(), start=1):
        values = [value for value in every_value if value.in_template]
        letter = get_column_letter(index)
        lists_sheet.cell(row=1, column=index, value=list_name)
        for row, value in enumerate(values, start=2):
            lists_sheet.cell(row=row, column=index, value=value.label.in_language(language))
        defined = f"liste_{list_name}"
        reference_range = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        workbook.defined_names[defined] = DefinedName(defined, attr_text=reference_range)
        names[list_name] = defined
    return names


def _validation_for(
    column: Column, list_names: dict[str, str], language: Language
) -> DataValidation | None:
    if column.code_list is not None:
        return DataValidation(
            type="list",
            formula1=f"={list_names[column.code_list]}",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=Wording("Valeur non prévue", "Unexpected value").in_language(language),
            error=Wording(
                "Choisissez une valeur de la liste déroulante.",
                "Pick a value from the drop-down list.",
            ).in_language(language),
        )
    if column.bounds is not None:
        bounds = column.bounds
        return DataValidation(
            type="whole" if column.kind == "integer" else "decimal",
            operator="between",
            formula1=f"{bounds.minimum:g}",
            formula2=f"{bounds.maximum:g}",
            showErrorMessage=True,
            error=Wording(
                "Saisissez un nombre entre {minimum} et {maximum}.",
                "Enter a number between {minimum} and {maximum}.",
            )
            .in_language(language)
            .format(**bounds.said_in(language)),
        )
    return None


def _write_xlsx(
    path: Path,
    reference: ReferenceData,
    partner_id: str,
    campaign_id: str,
    rows: SubmissionRows,
    sample: bool,
    language: Language,
) -> None:
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    for line in _instruction_lines(reference, partner_id, campaign_id, sample):
        instructions.append([line.in_language(language)])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 100
    list_names = _write_lists_sheet(workbook, reference, language)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(
            sheet.title.in_language(language), index=len(workbook.sheetnames) - 1
        )
        headers = [column.header.in_language(language) for column in sheet.columns]
        worksheet.append(headers)
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            header = worksheet.cell(row=1, column=index)
            header.fill, header.font = HEADER_FILL, HEADER_FONT
            header.alignment = Alignment(wrap_text=True, vertical="top")
            need = REQUIRED_LABELS[column.required].in_language(language)
            hint = column.hint.in_language(language)
            header.comment = Comment(f"{need} {hint}", "climate-contract")
            worksheet.column_dimensions[letter].width = max(14, len(headers[index - 1]) + 4)
            validation = _validation_for(column, list_names, language)
            if validation is not None:
                validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
                worksheet.add_data_validation(validation)
        worksheet.freeze_panes = "A2"
        for values in _displayed_rows(sheet, rows, reference, language):
            worksheet.append(values)
            for cell in worksheet[worksheet.max_row]:
                make_inert(cell)
    workbook.properties.title = f"Contrat climat {campaign_id} - {partner_id}"
    workbook.save(path)


def _write_ods(
    path: Path, reference: ReferenceData, rows: SubmissionRows, language: Language
) -> None:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for sheet in SHEETS:
            frame = pd.DataFrame(
                [
                    [quoted(value) for value in row]
                    for row in _displayed_rows(sheet, rows, reference, language)
                ],
                columns=[column.header.in_language(language) for column in sheet.columns],
                dtype=object,
            )
            frame.to_excel(writer, sheet_name=sheet.title.in_language(language), index=False)


def _write_csv(
    path: Path, reference: ReferenceData, rows: SubmissionRows, language: Language
) -> None:
    """One CSV holding every sheet as a section: a line with the sheet title, the
    header line, the rows, then a blank line."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=CSV_DELIMITER)
        for sheet in SHEETS:
            writer.writerow([sheet.title.in_language(language)])
            writer.writerow([column.header.in_language(language) for column in sheet.columns])
            writer.writerows(
                [quoted(value) for value in row]
                for row in _displayed_rows(sheet, rows, reference, language)
            )
            writer.writerow([])


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
    rows = rows or {}
    language = language or reference.partner(partner_id).language
    path.parent.mkdir(parents=True, exist_ok=True)
    match path.suffix.lower():
        case ".xlsx":
            _write_xlsx(path, reference, partner_id, campaign_id, rows, sample, language)
        case ".ods":
            _write_ods(path, reference, rows, language)
        case ".csv":
            _write_csv(path, reference, rows, language)
        case other:
            raise ValueError(f"unsupported workbook format {other!r}: use .xlsx, .ods or .csv")
    return path
