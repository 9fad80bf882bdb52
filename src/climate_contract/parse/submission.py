from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl.utils import get_column_letter

from climate_contract.contract import DECLARED_PARTNER, INSTRUCTIONS_SHEET, SHEETS, Sheet
from climate_contract.findings import Finding
from climate_contract.parse.grid import (
    FileLimits,
    FileOverLimits,
    Grid,
    UnreadableFile,
    check_limits,
    read_grids,
)
from climate_contract.parse.values import CellError, converter_for, is_blank, normalise_label
from climate_contract.reference import ReferenceData

PROVENANCE_COLUMNS = ("source_sheet", "source_row")
HEADER_SEARCH_ROWS = 20
DEFAULT_LIMITS = FileLimits()


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


@dataclass
class ParsedSubmission:
    path: Path
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    declared_partner: str | None = None
    """The partner the workbook was made for, as the template's Instructions say."""


def _find_sheet(grids: dict[str, Grid], sheet: Sheet) -> str | None:
    wanted = {normalise_label(sheet.title_fr), normalise_label(sheet.title_en)}
    return next((name for name in grids if normalise_label(name) in wanted), None)


def _header_positions(row: list[Any], sheet: Sheet) -> dict[str, int]:
    headers = {
        normalise_label(text): column.name
        for column in sheet.columns
        for text in (column.header_fr, column.header_en, column.name)
    }
    positions: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = headers.get(normalise_label(str(cell))) if cell is not None else None
        if name is not None and name not in positions:
            positions[name] = index
    return positions


def _locate_header(grid: Grid, sheet: Sheet) -> tuple[int, dict[str, int]]:
    """The 0-based index of the row that names the most contract columns, and where.

    Only the first rows after the first non-empty one are searched: a title may
    stand above the header, data rows never do.
    """
    first = next((i for i, row in enumerate(grid) if any(not is_blank(c) for c in row)), 0)
    best_index, best_positions = first, {}
    for index in range(first, min(len(grid), first + HEADER_SEARCH_ROWS)):
        positions = _header_positions(grid[index], sheet)
        if len(positions) > len(best_positions):
            best_index, best_positions = index, positions
    return best_index, best_positions


def _parse_sheet(
    title: str, grid: Grid, sheet: Sheet, reference: ReferenceData, findings: list[Finding]
) -> ParsedSheet:
    header_index, positions = _locate_header(grid, sheet)
    letters = {name: get_column_letter(index + 1) for name, index in positions.items()}
    rows = [
        (index + 1, row)
        for index, row in enumerate(grid[header_index + 1 :], start=header_index + 1)
        if any(
            not is_blank(row[position]) for position in positions.values() if position < len(row)
        )
    ]
    arrays: dict[str, pa.Array] = {}
    for column in sheet.columns:
        position = positions.get(column.name)
        if position is None:
            if not column.required:
                arrays[column.name] = pa.nulls(len(rows), column.arrow_type)
            continue
        convert = converter_for(column, reference.code_lists)
        values: list[Any] = []
        for row_number, row in rows:
            cell = row[position] if position < len(row) else None
            if is_blank(cell):
                values.append(None)
                continue
            try:
                reading = convert(cell)
            except CellError as error:
                values.append(None)
                findings.append(
                    Finding(
                        "error",
                        "type",
                        f"Valeur illisible : {error}.",
                        sheet=title,
                        row=row_number,
                        column=letters[column.name],
                        header=column.header_fr,
                        value=str(cell),
                    )
                )
                continue
            values.append(reading.value)
            if reading.note is not None:
                findings.append(
                    Finding(
                        "warning",
                        "valeur_corrigee",
                        f"{reading.note} : vérifiez, et choisissez la valeur dans la liste "
                        "déroulante la prochaine fois.",
                        sheet=title,
                        row=row_number,
                        column=letters[column.name],
                        header=column.header_fr,
                        value=str(cell),
                    )
                )
        arrays[column.name] = pa.array(values, column.arrow_type)
    arrays["source_row"] = pa.array([number for number, _ in rows], pa.int64())
    return ParsedSheet(sheet, title, pa.table(arrays), header_index + 1, letters)


def _declared_partner(grids: dict[str, Grid]) -> str | None:
    """The partner id on the template's line "Partenaire : <name> (<id>)"."""
    for row in grids.get(INSTRUCTIONS_SHEET, [])[:HEADER_SEARCH_ROWS]:
        for cell in row:
            found = DECLARED_PARTNER.match(str(cell or ""))
            if found:
                return found["partner_id"]
    return None


def parse_submission(
    path: Path, reference: ReferenceData, limits: FileLimits = DEFAULT_LIMITS
) -> ParsedSubmission:
    """Read every contract sheet of ``path``; a file over the limits or unreadable,
    missing sheets, too many rows and unreadable cells are findings."""
    parsed = ParsedSubmission(path)
    try:
        check_limits(path, limits)
        grids = read_grids(path)
    except FileOverLimits as error:
        parsed.findings.append(Finding("error", "fichier_trop_volumineux", str(error)))
        return parsed
    except UnreadableFile as error:
        parsed.findings.append(
            Finding(
                "error",
                "fichier_illisible",
                "Le fichier ne peut pas être ouvert (endommagé, protégé par un mot de passe "
                "ou d'un autre format que son extension) : enregistrez-le à nouveau au format "
                f".xlsx, .ods ou .csv, sans mot de passe. Détail : {error}",
            )
        )
        return parsed
    parsed.declared_partner = _declared_partner(grids)
    for sheet in SHEETS:
        title = _find_sheet(grids, sheet)
        if title is None:
            parsed.findings.append(
                Finding(
                    "error",
                    "sheet_missing",
                    f"La feuille « {sheet.title_fr} » est introuvable : "
                    "repartez du modèle fourni sans renommer ses feuilles.",
                    sheet=sheet.title_fr,
                )
            )
            continue
        if len(grids[title]) > limits.max_rows:
            parsed.findings.append(
                Finding(
                    "error",
                    "trop_de_lignes",
                    f"La feuille « {title} » compte {len(grids[title])} lignes, au-delà de la "
                    f"limite de {limits.max_rows} : supprimez les lignes vides ou inutiles.",
                    sheet=title,
                )
            )
            continue
        parsed.sheets[sheet.name] = _parse_sheet(
            title, grids[title], sheet, reference, parsed.findings
        )
    return parsed
