"""How contract columns look in a workbook: the labels partners read, the widths and
number formats of their columns, and the words that say what a column takes, shared
by the data sheets, the example sheet, the input prompts and the glossary."""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.contract import SHEETS, Column, ColumnKind, Sheet
from climate_contract.reference import CodeValue, ReferenceData
from climate_contract.safe_text import make_inert
from climate_contract.wording import Language, Wording, format_number

SubmissionRows = Mapping[str, Sequence[Mapping[str, Any]]]
"""Rows per sheet name (``actions``, ``investments``, ``impacts``, ``self_assessment``),
keyed by column name."""

HEADER_FILL = PatternFill("solid", fgColor="1F6F50")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOOLEAN_LABELS = {True: Wording("Oui", "Yes"), False: Wording("Non", "No")}
NEED_LABELS = {True: Wording("Obligatoire", "Required"), False: Wording("Facultatif", "Optional")}

DECIMAL_PLACES = 2
NUMBER_FORMATS: dict[ColumnKind, str] = {
    # The contract's whole numbers are years: grouped, 2026 would read "2 026".
    "integer": "0",
    # Amounts and quantities, grouped by thousands as the reader's own locale writes
    # them (1 234 567,00 in French), cents shown.
    "decimal": "#,##0." + "0" * DECIMAL_PLACES,
}

MINIMUM_WIDTHS: dict[ColumnKind, int] = {"text": 20, "decimal": 16}
"""Room before anything is typed: free text is typed at length (a title, a
description), an amount shown with its grouping and cents (12 345 678,00) would
otherwise show as ####; other kinds are as wide as their header and labels ask."""
DEFAULT_MINIMUM_WIDTH = 10
MAXIMUM_WIDTH = 65
"""Room for the longest label of the shipped lists; a longer one is cut rather than
pushing the sheet's other columns out of sight."""
WIDTH_PADDING = 2
HEADER_LINES = 2
"""Lines a wrapped header may take before its column is widened for it."""
LINE_HEIGHT = 15


def displayed(column: Column, value: Any, reference: ReferenceData, language: Language) -> Any:
    """A warehouse value as the partner picks or types it (a label, Oui/Non)."""
    if value is None:
        return None
    if column.kind == "boolean":
        return BOOLEAN_LABELS[bool(value)].in_language(language)
    if column.kind == "code" and column.code_list is not None:
        code = reference.code_value(column.code_list, value)
        return code.label.in_language(language) if code is not None else value
    return value


def displayed_rows(
    sheet: Sheet, rows: SubmissionRows, reference: ReferenceData, language: Language
) -> list[list[Any]]:
    return [
        [displayed(column, row.get(column.name), reference, language) for column in sheet.columns]
        for row in rows.get(sheet.name, ())
    ]


def with_questions(
    rows: SubmissionRows, sheets: Iterable[Sheet], reference: ReferenceData
) -> SubmissionRows:
    """``rows`` with, on each sheet of questions (a column the template fills in
    itself), one row per question in the code list's order, holding the answer
    ``rows`` gives it, if any (last campaign's, say)."""
    completed = dict(rows)
    for sheet in sheets:
        question = next((column for column in sheet.columns if column.prefilled), None)
        if question is None or question.code_list is None:
            continue
        answers = {row.get(question.name): row for row in rows.get(sheet.name, ())}
        completed[sheet.name] = [
            answers.get(value.code, {question.name: value.code})
            for value in reference.code_lists[question.code_list]
            if value.in_template
        ]
    return completed


def sheet_named(name: str) -> Sheet:
    return next(sheet for sheet in SHEETS if sheet.name == name)


def column_named(name: str) -> Column:
    """A column of the contract by name (its headers are the same on every sheet)."""
    return next(column for sheet in SHEETS for column in sheet.columns if column.name == name)


def list_labels(reference: ReferenceData, list_name: str, language: Language) -> list[str]:
    """The labels a code list's drop-down offers, in its order."""
    values = reference.code_lists[list_name]
    return [value.label.in_language(language) for value in values if value.in_template]


def choice_labels(column: Column, reference: ReferenceData, language: Language) -> list[str]:
    """The labels a column's drop-down list may offer (for a unit, every unit: which
    ones depends on the row's indicator); none for a column without a code list."""
    return [] if column.code_list is None else list_labels(reference, column.code_list, language)


def narrowed_columns() -> list[Column]:
    """Each column of the contract narrowed by another of its row, once (a column
    may stand on several sheets)."""
    narrowed = {
        column.name: column
        for sheet in SHEETS
        for column in sheet.columns
        if column.narrowed_by is not None and column.code_list is not None
    }
    return list(narrowed.values())


def fitting_choices(
    column: Column, reference: ReferenceData
) -> list[tuple[CodeValue, list[CodeValue]]]:
    """For a column narrowed by another of its row: each value the narrowing column
    offers, with the values of ``column`` that fit it (units that measure what an
    indicator measures, as the reference data pair them and the suites check)."""
    narrowing = column_named(column.narrowed_by or "")
    if (narrowing.code_list, column.code_list) != ("indicator", "unit"):
        raise ValueError(f"the reference data do not pair {column.name} with {narrowing.name}")
    fitting: dict[str, list[CodeValue]] = defaultdict(list)
    for indicator, unit in reference.indicator_unit_pairs:
        value = reference.code_value(column.code_list, unit)
        if value is not None and value.in_template:
            fitting[indicator].append(value)
    offered = [value for value in reference.code_lists[narrowing.code_list] if value.in_template]
    return [(value, fitting.get(value.code, [])) for value in offered]


def entry_rule(column: Column, language: Language) -> str | None:
    """What to type or pick in a cell of ``column``, said as advice; None for free
    text. The prompts, the error alerts and the glossary all say it this way."""
    if column.listed_on is not None:
        listing = sheet_named(column.listed_on).title
        return Wording(
            f"Choisissez une référence déjà saisie dans la feuille {listing.fr}.",
            f"Pick a reference already typed on the {listing.en} sheet.",
        ).in_language(language)
    if column.narrowed_by is not None:
        narrowing = column_named(column.narrowed_by).header
        return Wording(
            f"Choisissez dans la liste : elle ne propose que ce qui convient à la colonne "
            f"« {narrowing.fr} » de la ligne, à remplir d'abord.",
            f'Pick from the list: it offers only what fits the row\'s "{narrowing.en}" '
            "column, to be filled in first.",
        ).in_language(language)
    if column.code_list is not None:
        return Wording(
            "Choisissez une valeur de la liste déroulante.", "Pick a value from the drop-down list."
        ).in_language(language)
    if column.bounds is not None:
        said = column.bounds.said_in(language)
        rule = (
            Wording(
                "Saisissez un nombre entier de {minimum} à {maximum}.",
                "Enter a whole number from {minimum} to {maximum}.",
            )
            if column.kind == "integer"
            else Wording(
                "Saisissez un nombre de {minimum} à {maximum}, sans symbole ni unité.",
                "Enter a number from {minimum} to {maximum}, without symbol or unit.",
            )
        )
        return rule.in_language(language).format(**said)
    return None


def _shown(column: Column, value: Any) -> str:
    """A value as its cell shows it, for its length (grouping and decimals take room;
    their length is the same in both languages)."""
    if column.kind == "decimal" and isinstance(value, int | float):
        return format_number(value, "en", DECIMAL_PLACES)
    return str(value)


def column_width(column: Column, header: str, texts: Iterable[Any]) -> float:
    """Room for the longest of the labels offered and the values written, and for
    the header on at most ``HEADER_LINES`` lines (headers wrap), within bounds."""
    longest = max((len(_shown(column, text)) for text in texts if text is not None), default=0)
    header_room = max(
        max((len(word) for word in header.split()), default=0),
        math.ceil(len(header) / HEADER_LINES),
    )
    wanted = max(longest, header_room) + WIDTH_PADDING
    return min(MAXIMUM_WIDTH, max(MINIMUM_WIDTHS.get(column.kind, DEFAULT_MINIMUM_WIDTH), wanted))


def column_widths(
    sheet: Sheet, rows: list[list[Any]], reference: ReferenceData, language: Language
) -> list[float]:
    """The width of each of ``sheet``'s columns for its header, its drop-down labels
    and the ``rows`` written in it (as displayed)."""
    return [
        column_width(
            column,
            column.header.in_language(language),
            [*choice_labels(column, reference, language), *(row[index] for row in rows)],
        )
        for index, column in enumerate(sheet.columns)
    ]


def append_row(
    worksheet: Worksheet, sheet: Sheet, values: list[Any], font: Font | None = None
) -> None:
    """Write displayed values as the sheet's next row: formula-like text inert,
    numbers in their kind's format."""
    worksheet.append(values)
    for column, cell in zip(sheet.columns, worksheet[worksheet.max_row], strict=False):
        make_inert(cell)
        if font is not None:
            cell.font = font
        if column.kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[column.kind]


def header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    """The header row's height for its longest header wrapped at word boundaries:
    set, because not every spreadsheet program fits a row to wrapped text it opens."""
    lines = [
        len(textwrap.wrap(header, max(1, int(width) - WIDTH_PADDING)))
        for header, width in zip(headers, widths, strict=True)
    ]
    return LINE_HEIGHT * max([1, *lines])


def write_header_row(
    worksheet: Worksheet,
    row: int,
    headers: Sequence[str],
    widths: Sequence[float],
    fill: PatternFill = HEADER_FILL,
) -> None:
    """Headers styled, wrapped, and their row tall enough to show them whole."""
    for index, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=row, column=index, value=header)
        cell.fill, cell.font = fill, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.row_dimensions[row].height = header_height(headers, widths)
