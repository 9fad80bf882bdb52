"""The data validation of the template's columns, and the hidden sheet of the lists
it offers.

Every column prompts what it takes when a cell is selected; every column the
contract checks also alerts on a wrong value: a value outside its code list, a
number outside its bounds, a unit that does not measure what the row's indicator
does, an action reference the Actions sheet does not have. All of it is said in
the partner's language, from the contract's hints and bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.contract import LISTS_SHEET, SHEETS, Column, Sheet
from climate_contract.reference import ReferenceData
from climate_contract.template.presentation import (
    NEED_LABELS,
    column_named,
    entry_rule,
    fitting_choices,
    list_labels,
    narrowed_columns,
    sheet_named,
)
from climate_contract.wording import Language, Wording

FIRST_DATA_ROW = 2
VALIDATED_ROWS = 1000
"""The last row whose cells are validated: far beyond any partner's actions."""
# Excel's own limits: a longer title or message makes it "repair" the workbook by
# dropping the validation.
TITLE_LENGTH = 32
PROMPT_LENGTH = 255
ERROR_LENGTH = 225
NOT_LISTED = Wording("Cette valeur n'est pas dans la liste.", "This value is not in the list.")


@dataclass
class ListNames:
    """The workbook's defined names that validations refer to."""

    code_lists: dict[str, str] = field(default_factory=dict)
    """Code list → the name of its labels."""
    narrowed: dict[str, str] = field(default_factory=dict)
    """Narrowed code list → the prefix of its per-value names: the prefix followed by
    a value's position in the narrowing list names the labels that fit that value."""
    listed: dict[str, str] = field(default_factory=dict)
    """Sheet → the name of the cells where partners type its references."""


def _define(workbook: Workbook, name: str, sheet_title: str, cells: str) -> None:
    workbook.defined_names[name] = DefinedName(
        name, attr_text=f"{quote_sheetname(sheet_title)}!{cells}"
    )


def write_lists_sheet(
    workbook: Workbook, reference: ReferenceData, language: Language
) -> ListNames:
    """Write every code list on a hidden sheet, then, for each narrowed list, the
    labels that fit each value of its narrowing list; name each list and block, and
    the cells where each sheet's own references are typed."""
    lists_sheet = workbook.create_sheet(LISTS_SHEET)
    lists_sheet.sheet_state = "hidden"
    names = ListNames()
    for index, list_name in enumerate(reference.code_lists, start=1):
        letter = get_column_letter(index)
        lists_sheet.cell(row=1, column=index, value=list_name)
        labels = list_labels(reference, list_name, language)
        for row, label in enumerate(labels, start=FIRST_DATA_ROW):
            lists_sheet.cell(row=row, column=index, value=label)
        names.code_lists[list_name] = f"liste_{list_name}"
        cells = f"${letter}${FIRST_DATA_ROW}:${letter}${len(labels) + FIRST_DATA_ROW - 1}"
        _define(workbook, names.code_lists[list_name], LISTS_SHEET, cells)
    next_column = len(reference.code_lists) + 1
    for column in narrowed_columns():
        assert column.code_list is not None
        names.narrowed[column.code_list] = f"liste_{column.code_list}_"
        _write_narrowed_blocks(
            workbook, lists_sheet, reference, language, next_column, column, names
        )
        next_column += 2
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.listed_on is not None and column.listed_on not in names.listed:
                names.listed[column.listed_on] = _define_listed(workbook, column, language)
    return names


def _write_narrowed_blocks(
    workbook: Workbook,
    lists_sheet: Worksheet,
    reference: ReferenceData,
    language: Language,
    column_index: int,
    column: Column,
    names: ListNames,
) -> None:
    """Two columns: a narrowing value's label beside each of ``column``'s labels that
    fit it. The narrowed prefix followed by a value's position in its drop-down list
    names that value's block; the whole list when none fits, so that the cell still
    offers something."""
    narrowed_list = column.code_list or ""
    label_letter = get_column_letter(column_index + 1)
    lists_sheet.cell(row=1, column=column_index, value=column.narrowed_by)
    lists_sheet.cell(row=1, column=column_index + 1, value=column.name)
    row = FIRST_DATA_ROW
    for position, (narrowing_value, fitting) in enumerate(
        fitting_choices(column, reference), start=1
    ):
        name = f"{names.narrowed[narrowed_list]}{position}"
        if not fitting:
            whole = workbook.defined_names[names.code_lists[narrowed_list]]
            workbook.defined_names[name] = DefinedName(name, attr_text=whole.attr_text)
            continue
        for value in fitting:
            narrowing_label = narrowing_value.label.in_language(language)
            lists_sheet.cell(row=row, column=column_index, value=narrowing_label)
            lists_sheet.cell(
                row=row, column=column_index + 1, value=value.label.in_language(language)
            )
            row += 1
        cells = f"${label_letter}${row - len(fitting)}:${label_letter}${row - 1}"
        _define(workbook, name, LISTS_SHEET, cells)


def _define_listed(workbook: Workbook, column: Column, language: Language) -> str:
    """Name the cells where partners type the listing sheet's values of ``column``."""
    assert column.listed_on is not None
    listing = sheet_named(column.listed_on)
    letter = _letter(listing, column.name)
    name = f"references_{listing.name}"
    cells = f"${letter}${FIRST_DATA_ROW}:${letter}${VALIDATED_ROWS}"
    _define(workbook, name, listing.title.in_language(language), cells)
    return name


def _letter(sheet: Sheet, column_name: str) -> str:
    """The spreadsheet letter of ``sheet``'s column ``column_name``, as the template lays it."""
    return get_column_letter([column.name for column in sheet.columns].index(column_name) + 1)


def _fitted(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _formula_number(value: float) -> str:
    # Written out: "1e+11" is not a number to every spreadsheet program's formulas.
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _refusal(column: Column, sheet: Sheet, names: ListNames) -> tuple[DataValidation, Wording]:
    """The checking part of ``column``'s validation, and what its alert says before
    the entry rule; a validation that checks nothing for free text."""
    if column.listed_on is not None:
        listing = sheet_named(column.listed_on).title
        check = DataValidation(type="list", formula1=names.listed[column.listed_on])
        # A warning, not a stop: a partner may type an investment before its action.
        check.errorStyle = "warning"
        return check, Wording(
            f"Cette référence n'est pas dans la feuille {listing.fr}.",
            f"This reference is not on the {listing.en} sheet.",
        )
    if column.narrowed_by is not None and column.code_list is not None:
        narrowing = column_named(column.narrowed_by)
        assert narrowing.code_list is not None
        narrowing_letter = _letter(sheet, narrowing.name)
        # The block of the value chosen in the same row; the whole list while none is.
        formula = (
            f'INDIRECT(IFERROR("{names.narrowed[column.code_list]}"'
            f"&MATCH(${narrowing_letter}{FIRST_DATA_ROW},{names.code_lists[narrowing.code_list]},0),"
            f'"{names.code_lists[column.code_list]}"))'
        )
        return DataValidation(type="list", formula1=formula), NOT_LISTED
    if column.code_list is not None:
        return DataValidation(type="list", formula1=names.code_lists[column.code_list]), NOT_LISTED
    if column.bounds is not None:
        check = DataValidation(
            type="whole" if column.kind == "integer" else "decimal",
            operator="between",
            formula1=_formula_number(column.bounds.minimum),
            formula2=_formula_number(column.bounds.maximum),
        )
        return check, Wording("Valeur refusée.", "Value refused.")
    return DataValidation(), Wording("", "")


def column_validation(
    column: Column, sheet: Sheet, names: ListNames, language: Language
) -> DataValidation:
    """The validation of ``column``'s cells on ``sheet``: a prompt always, a check
    and its alert where the contract checks the column."""
    validation, refusal = _refusal(column, sheet, names)
    header = column.header.in_language(language)
    rule = entry_rule(column, language)
    need = NEED_LABELS[column.required].in_language(language)
    prompt = " ".join(
        part for part in (f"{need}.", column.hint.in_language(language), rule) if part
    )
    validation.showInputMessage = True
    validation.promptTitle = _fitted(header, TITLE_LENGTH)
    validation.prompt = _fitted(prompt, PROMPT_LENGTH)
    validation.allow_blank = not column.required
    if validation.type is not None:
        validation.showErrorMessage = True
        validation.errorStyle = validation.errorStyle or "stop"
        validation.errorTitle = _fitted(header, TITLE_LENGTH)
        said = " ".join(part for part in (refusal.in_language(language), rule) if part)
        validation.error = _fitted(said, ERROR_LENGTH)
    return validation


def add_validations(
    worksheet: Worksheet, sheet: Sheet, names: ListNames, language: Language
) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        validation = column_validation(column, sheet, names, language)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{VALIDATED_ROWS}")
        worksheet.add_data_validation(validation)
