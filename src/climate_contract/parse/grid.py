"""Raw cell grids, one per sheet, whatever the file format."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from climate_contract.contract import SHEETS

Grid = list[list[Any]]
"""Rows of cell values; ``grid[i][j]`` is the cell at row ``i + 1``, column ``j + 1``."""

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}


def _read_spreadsheet(path: Path) -> dict[str, Grid]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on French Windows saves CSV in Windows-1252.
        return raw.decode("cp1252")


def _guess_delimiter(lines: list[str]) -> str:
    """The candidate that splits some early line (a header) into the most cells.

    ``csv.Sniffer`` wants every line alike, which a file of sections is not.
    """
    return max(
        ";,\t", key=lambda candidate: max((line.count(candidate) for line in lines[:50]), default=0)
    )


def _read_csv(path: Path) -> dict[str, Grid]:
    """Split a CSV into sheets at each line that holds only a sheet title.

    Each grid keeps the file's line numbers: lines of other sections are blank.
    """
    text = _decode(path.read_bytes())
    lines = text.splitlines()
    delimiter = _guess_delimiter(lines)
    titles = {
        title.casefold(): title for sheet in SHEETS for title in (sheet.title_fr, sheet.title_en)
    }
    grids: dict[str, Grid] = {}
    current: Grid | None = None
    for line_number, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        filled = [cell for cell in cells if cell.strip()]
        if len(filled) == 1 and filled[0].strip().casefold() in titles:
            current = grids.setdefault(titles[filled[0].strip().casefold()], [])
        if current is None:
            continue
        current.extend([] for _ in range(line_number - len(current) - 1))
        current.append(cells)
    return grids


class UnreadableFile(ValueError):
    """A file no reader can open: corrupt, protected, or not what its name says."""


def read_grids(path: Path) -> dict[str, Grid]:
    """Every sheet of the file as a grid, keyed by sheet name."""
    try:
        if path.suffix.lower() == ".csv":
            return _read_csv(path)
        return _read_spreadsheet(path)
    except (CalamineError, csv.Error) as error:
        raise UnreadableFile(str(error)) from error
