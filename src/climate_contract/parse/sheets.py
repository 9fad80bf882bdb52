"""The typed result of reading a workbook, whatever its layout, and the reader of rows."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from climate_contract.contract import Column, Sheet
from climate_contract.findings import Finding
from climate_contract.parse.values import CellError, converter_for, is_blank, to_text
from climate_contract.reference import ReferenceData
from climate_contract.wording import Language, Wording

PROVENANCE_COLUMNS = ("source_sheet", "source_row")


def cell_at(row: list[Any], position: int | None) -> Any:
    """The cell at ``position`` of a row, None where the row is shorter or none is given."""
    return row[position] if position is not None and position < len(row) else None


@dataclass(frozen=True)
class ParsedSheet:
    """One contract sheet as typed columns, plus where each came from.

    ``table`` holds the contract columns that were found (optional ones that were
    not are all-null) and ``source_row``, the row number the partner sees.
    """

    sheet: Sheet
    title: str
    table: pa.Table
    header_row: int
    column_letters: dict[str, str]
    row_letters: Sequence[Mapping[str, str]] = ()
    """Per table row, letters that override ``column_letters``: a sheet derived from
    another layout may read one field from a different column on each row."""
    own_headers: Mapping[str, str] = field(default_factory=dict)
    """The partner's own header of a field, where its layout is not the template's."""
    compared_amounts: Sequence[float | None] | None = None
    """Per table row, the amount compared with the file's others (unusual amounts),
    where it is not the row's own: a foreign layout spreads one typed amount over
    several rows, and its typed amount is compared once."""

    def header(self, column: Column) -> Wording:
        """The header the partner sees above ``column``."""
        return _header(self.own_headers, column)

    def letter(self, column_name: str, position: int) -> str | None:
        """The letter of the column the partner typed ``column_name`` in, on the
        table's row at ``position``."""
        return _letter(self.column_letters, self.row_letters, column_name, position)


def _header(own_headers: Mapping[str, str], column: Column) -> Wording:
    own = own_headers.get(column.name)
    return Wording(own, own) if own else column.header


def _letter(
    column_letters: Mapping[str, str],
    row_letters: Sequence[Mapping[str, str]],
    column_name: str,
    position: int,
) -> str | None:
    overrides = row_letters[position] if row_letters else {}
    return overrides.get(column_name, column_letters.get(column_name))


@dataclass
class ParsedSubmission:
    path: Path
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    declared_partner: str | None = None
    """The partner the workbook was made for, as the template's Instructions say."""
    declared_campaign: str | None = None
    """The campaign the workbook was made for, likewise."""
    profile: str | None = None
    """The mapping profile the workbook was read through; None for the template."""


NOT_A_FINITE_NUMBER = (
    "nombre_invalide",
    Wording(
        "La valeur {value} n'est pas un nombre utilisable (infini, ou résultat d'une "
        "formule en erreur) : saisissez le nombre lui-même.",
        "The value {value} is not a usable number (infinite, or the result of a formula "
        "in error): enter the number itself.",
    ),
)


def _out_of_bounds(column: Column, value: Any, typed: str) -> tuple[str, Wording] | None:
    """The rule and message for a number outside its column's bounds, or None."""
    if column.bounds is None or not isinstance(value, int | float):
        return None
    bounds = column.bounds
    if not math.isfinite(value):
        rule, message = NOT_A_FINITE_NUMBER
    elif value < bounds.minimum:
        rule, message = bounds.below
    elif value > bounds.maximum:
        rule, message = bounds.above
    else:
        return None

    def said_in(language: Language) -> str:
        return message.in_language(language).format(value=typed, **bounds.said_in(language))

    return rule, Wording(said_in("fr"), said_in("en"))


FORMULA_ERROR = re.compile(
    # As Excel (English and French) and LibreOffice show a formula that failed.
    r"^(?:#(?:DIV/0!|N/A|VALUE!|VALEUR!|REF!|NAME\?|NOM\?|NUM!|NOMBRE!|NULL!|NUL!|SPILL!"
    r"|CALC!|GETTING_DATA)|Err:\d{3})$",
    re.IGNORECASE,
)


def formula_error(cell: Any) -> str | None:
    """What a cell holds instead of a value when a formula failed (``#DIV/0!``, or
    NaN, a number that is none), None for any other cell."""
    if isinstance(cell, float) and math.isnan(cell):
        return "NaN"
    if isinstance(cell, str) and FORMULA_ERROR.match(cell.strip()):
        return cell.strip()
    return None


def calculation_error(error: str) -> Wording:
    return Wording(
        f"La cellule contient une erreur de calcul ({error}) : corrigez la formule ou "
        "saisissez la valeur elle-même.",
        f"The cell holds a calculation error ({error}): correct the formula or enter the "
        "value itself.",
    )


Rows = list[tuple[int, list[Any]]]
"""Data rows with the row number the partner sees."""


def read_rows(
    title: str,
    header_row: int,
    rows: Rows,
    positions: dict[str, int],
    letters: dict[str, str],
    sheet: Sheet,
    reference: ReferenceData,
    findings: list[Finding],
    row_letters: Sequence[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> ParsedSheet:
    """Convert the cells at ``positions`` of each row into the sheet's typed columns.

    ``letters`` name, for the partner, the column each field was read from;
    ``row_letters``, where given, override them row by row; ``headers``, the
    partner's own headers of fields, where its layout is not the template's.
    """
    own_headers = {name: header for name, header in (headers or {}).items() if header}
    arrays: dict[str, pa.Array] = {}

    for column in sheet.columns:
        position = positions.get(column.name)
        if position is None:
            if not column.required:
                arrays[column.name] = pa.nulls(len(rows), column.arrow_type)
            continue
        convert = converter_for(column, reference.code_lists)
        values: list[Any] = []
        for row_position, (row_number, row) in enumerate(rows):
            cell = cell_at(row, position)
            if is_blank(cell):
                values.append(None)
                continue
            error = formula_error(cell)
            if error is not None:
                values.append(None)
                findings.append(
                    Finding(
                        "error",
                        "erreur_de_calcul",
                        calculation_error(error),
                        sheet=title,
                        row=row_number,
                        column=_letter(letters, row_letters, column.name, row_position),
                        header=_header(own_headers, column),
                        value=error,
                    )
                )
                continue
            try:
                reading = convert(cell)
            except CellError as error:
                values.append(None)
                findings.append(
                    Finding(
                        "error",
                        "type",
                        Wording(
                            f"Valeur illisible : {error.expected.fr}.",
                            f"Unreadable value: {error.expected.en}.",
                        ),
                        sheet=title,
                        row=row_number,
                        column=_letter(letters, row_letters, column.name, row_position),
                        header=_header(own_headers, column),
                        value=str(cell),
                    )
                )
                continue
            refusal = _out_of_bounds(column, reading.value, to_text(cell))
            if refusal is not None:
                # A finite value stays, for the checks that compare columns, where its
                # column holds it (a whole number past 64 bits does not); the file is
                # refused, so it is never loaded.
                storable = math.isfinite(reading.value) and (
                    column.kind != "integer" or abs(reading.value) < 2**63
                )
                values.append(reading.value if storable else None)
                rule, message = refusal
                findings.append(
                    Finding(
                        "error",
                        rule,
                        message,
                        sheet=title,
                        row=row_number,
                        column=_letter(letters, row_letters, column.name, row_position),
                        header=_header(own_headers, column),
                        value=to_text(cell),
                    )
                )
                continue
            values.append(reading.value)
            if reading.note is not None:
                findings.append(
                    Finding(
                        "warning",
                        "valeur_corrigee",
                        Wording(
                            f"{reading.note.fr} : vérifiez, et choisissez la valeur dans la "
                            "liste déroulante la prochaine fois.",
                            f"{reading.note.en}: check it, and pick the value from the "
                            "drop-down list next time.",
                        ),
                        sheet=title,
                        row=row_number,
                        column=_letter(letters, row_letters, column.name, row_position),
                        header=_header(own_headers, column),
                        value=str(cell),
                    )
                )
        arrays[column.name] = pa.array(values, column.arrow_type)
    arrays["source_row"] = pa.array([number for number, _ in rows], pa.int64())
    return ParsedSheet(
        sheet, title, pa.table(arrays), header_row, letters, row_letters, own_headers
    )
