"""Text from partners, made safe to write back: inert in spreadsheets and CSV files,
and usable as part of a file name we build.

Every writer of a workbook, a CSV file or a file name uses these, whatever the
format the partner sent: a value is never trusted because of where it came from.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

from climate_contract.contract import FORMULA_PREFIXES

MAX_NAME_BYTES = 120
"""Length of the partner's part of a name we write: far below the 255 bytes most
file systems allow, so our prefixes and suffixes always fit."""
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ()]+")


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet program would evaluate (a formula, a DDE call) if written raw."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def quoted(value: Any) -> Any:
    """Formula-like text with the apostrophe that makes spreadsheets keep it as text;
    for CSV and ODS, where a cell has no type of its own."""
    return f"'{value}" if is_formula_like(value) else value


def write_spreadsheet_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A CSV file a French spreadsheet program opens as is (semicolons, a byte order
    mark), its text shown as written, never evaluated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(header)
        writer.writerows([quoted(value) for value in row] for row in rows)
    return path


def make_inert(cell: Cell) -> None:
    """Keep an openpyxl cell's formula-like text as the text typed, shown as typed,
    never evaluated."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def safe_file_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A partner's file name as a part of a name we write: valid UTF-8, no path
    separators, control characters or leading dots, at most ``max_bytes`` bytes,
    the suffix kept."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE_NAME_CHARACTERS.sub("_", text).strip(" ._") or "file"
    stem, dot, suffix = text.rpartition(".")
    if not dot or len(suffix) > 8:
        stem, suffix = text, ""
    suffix = f".{suffix}" if suffix else ""
    budget = max(1, max_bytes - len(suffix.encode()))
    stem = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(" ._") or "file"
    return stem + suffix
