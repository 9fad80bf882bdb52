from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from climate_contract.contract import (
    ACTION_REF,
    DECLARED_PARTNER,
    INSTRUCTIONS_SHEET,
    SHEETS,
    Sheet,
)
from climate_contract.findings import Finding
from climate_contract.parse.grid import (
    HEADER_SEARCH_ROWS,
    FileLimits,
    FileOverLimits,
    Grid,
    UnreadableFile,
    check_limits,
    read_grids,
)
from climate_contract.parse.package import SheetOverLimits, inspect_package
from climate_contract.parse.profiles import matching_profile, parse_with_profile
from climate_contract.parse.sheets import ParsedSheet, ParsedSubmission, cell_at, read_rows
from climate_contract.parse.values import is_blank, normalise_label
from climate_contract.reference import ReferenceData
from climate_contract.wording import Wording

log = logging.getLogger(__name__)

DEFAULT_LIMITS = FileLimits()
HINT_ROW = re.compile(r"^(ex\b|exemple|format|texte|obligatoire|facultatif|votre|\()")


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
    reference_position = positions.get(ACTION_REF.name)
    if rows and reference_position is not None:
        first_reference = str(cell_at(rows[0][1], reference_position) or "")
        if HINT_ROW.match(normalise_label(first_reference)):
            rows = rows[1:]  # a hint row under the headers ("Texte libre, unique...")
    return read_rows(title, header_index + 1, rows, positions, letters, sheet, reference, findings)


def _declared_partner(grids: dict[str, Grid]) -> str | None:
    """The partner id on the template's line "Partenaire : <name> (<id>)"."""
    for row in grids.get(INSTRUCTIONS_SHEET, [])[:HEADER_SEARCH_ROWS]:
        for cell in row:
            found = DECLARED_PARTNER.match(str(cell or ""))
            if found:
                return found["partner_id"]
    return None


def parse_submission(
    path: Path,
    reference: ReferenceData,
    limits: FileLimits = DEFAULT_LIMITS,
    partner_id: str | None = None,
) -> ParsedSubmission:
    """Read every contract sheet of ``path``; a file over the limits or unreadable,
    missing sheets, too many rows and unreadable cells are findings.

    A partner whose registry entry names a mapping profile, or a workbook without
    the template's sheets that carries a known profile's layout, is read through
    that profile.
    """
    parsed = ParsedSubmission(path)
    try:
        check_limits(path, limits)
        package = inspect_package(path, limits)
        grids = read_grids(path)
    except SheetOverLimits as error:
        parsed.findings.append(Finding("error", "trop_de_lignes", error.advice, sheet=error.sheet))
        return parsed
    except FileOverLimits as error:
        parsed.findings.append(Finding("error", "fichier_trop_volumineux", error.advice))
        return parsed
    except UnreadableFile as error:
        # The reader's own words are for the logs: English, and no help to a partner.
        log.info("%s cannot be read: %s", path, error)
        advice = error.advice or Wording(
            "Le fichier ne peut pas être ouvert (endommagé, protégé par un mot de passe "
            "ou d'un autre format que son extension) : enregistrez-le à nouveau au format "
            ".xlsx, .ods ou .csv, sans mot de passe.",
            "The file cannot be opened (damaged, password-protected or of another format "
            "than its extension says): save it again as .xlsx, .ods or .csv, without a "
            "password.",
        )
        parsed.findings.append(Finding("error", "fichier_illisible", advice))
        return parsed
    parsed.declared_partner = _declared_partner(grids)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        parsed.findings.extend(
            Finding(
                "error",
                "formule_sans_valeur",
                Wording(
                    "Cette cellule contient une formule dont le résultat n'a pas été "
                    "enregistré : ouvrez le fichier dans votre tableur, enregistrez-le, puis "
                    "déposez-le à nouveau (ou remplacez la formule par sa valeur).",
                    "This cell holds a formula whose result was not saved: open the file in "
                    "your spreadsheet program, save it, then drop it again (or replace the "
                    "formula by its value).",
                ),
                sheet=sheet,
                row=row,
                column=column,
            )
            for sheet, row, column in package.uncomputed_formulas
            if sheet in grids
        )
    partner = reference.partner(partner_id) if partner_id in reference.partner_ids else None
    profile = reference.profiles.get(partner.profile) if partner and partner.profile else None
    if profile is None and _find_sheet(grids, SHEETS[0]) is None:
        profile = matching_profile(grids, reference.profiles)
    if profile is not None:
        constants = partner.profile_constants if partner else {}
        return parse_with_profile(parsed, grids, profile, reference, constants)
    for sheet in SHEETS:
        title = _find_sheet(grids, sheet)
        if title is None:
            parsed.findings.append(
                Finding(
                    "error",
                    "sheet_missing",
                    Wording(
                        f"La feuille « {sheet.title_fr} » est introuvable : "
                        "repartez du modèle fourni sans renommer ses feuilles.",
                        f'The sheet "{sheet.title_en}" cannot be found: start again from '
                        "the template you were given, without renaming its sheets.",
                    ),
                    sheet=sheet.title.in_language(partner.language if partner else "fr"),
                )
            )
            continue
        if len(grids[title]) > limits.max_rows:
            parsed.findings.append(
                Finding(
                    "error",
                    "trop_de_lignes",
                    Wording(
                        f"La feuille « {title} » compte {len(grids[title])} lignes, au-delà de "
                        f"la limite de {limits.max_rows} : supprimez les lignes vides ou "
                        "inutiles.",
                        f'The sheet "{title}" has {len(grids[title])} rows, over the limit of '
                        f"{limits.max_rows}: delete the empty or needless rows.",
                    ),
                    sheet=title,
                )
            )
            continue
        parsed.sheets[sheet.name] = _parse_sheet(
            title, grids[title], sheet, reference, parsed.findings
        )
    return parsed
