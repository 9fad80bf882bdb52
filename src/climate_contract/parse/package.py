"""What a zipped workbook's XML holds, read before any spreadsheet reader opens it.

Readers trust the package: one cell declared at XFD1048576 makes a reader allocate
the whole range (and abort), a row repeated a million times is expanded, a DTD can
declare entities that expand without end. This streams every sheet's XML once,
refusing DTDs, and measures how far cells with content reach. On the way it finds
the formula cells an xlsx file stores without their computed value (a tool that
does not compute formulas leaves them empty, and the cell would read as empty).
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from climate_contract.parse.container import content_suffix
from climate_contract.parse.grid import (
    FileLimits,
    FileOverLimits,
    UnreadableFile,
    check_extent,
)
from climate_contract.wording import Wording

CELL_REFERENCE = re.compile(r"^(?P<column>[A-Z]{1,3})(?P<row>\d{1,7})$")
CHUNK_BYTES = 1 << 16

Handler = Callable[..., None]


DAMAGED = Wording(
    "Le contenu du classeur est endommagé ou n'est pas celui d'un tableur (XML "
    "illisible ou déclarations interdites) : ouvrez-le dans votre tableur, "
    "enregistrez-le à nouveau au format .xlsx, puis déposez-le.",
    "The workbook's content is damaged or not a spreadsheet's (unreadable XML or "
    "forbidden declarations): open it in your spreadsheet program, save it again as "
    ".xlsx, then drop it.",
)


@dataclass
class PackageFacts:
    uncomputed_formulas: list[tuple[str, int, str]] = field(default_factory=list)
    """(sheet, row, column letter) of each formula cell saved without its value."""
    error_cells: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(sheet, row, column letter, content) of each cell whose formula gave an error
    (``#DIV/0!``, ``#N/A``…) or whose number is not one (NaN, infinity): readers
    return nothing for them."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_declarations(*_: Any) -> None:
    raise UnreadableFile("DTD or entity declaration in the package", DAMAGED)


def _stream(
    part: IO[bytes],
    start: Handler,
    end: Handler | None = None,
    text: Handler | None = None,
) -> None:
    """Parse ``part`` chunk by chunk with expat, refusing any DTD."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        while chunk := part.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UnreadableFile(f"malformed XML: {error}", DAMAGED) from None


def _finite(text: str) -> bool:
    """Whether a number cell's stored text is a usable number (or empty): readers
    turn NaN or infinity there into an empty cell."""
    if not text.strip():
        return True
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class _Extent:
    sheet: str
    limits: FileLimits
    rows: int = 0
    columns: int = 0

    def reach(self, row: int, column: int) -> None:
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        check_extent(self.sheet, self.rows, self.columns, self.limits)


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML part that holds it."""
    targets: dict[str, str] = {}
    names: dict[str, str] = {}

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "sheet":
            identifier = next((v for k, v in attributes.items() if _local(k) == "id"), "")
            names[attributes.get("name", "")] = identifier

    with archive.open("xl/_rels/workbook.xml.rels") as part:
        _stream(part, relationship)
    with archive.open("xl/workbook.xml") as part:
        _stream(part, sheet)
    parts = {}
    for name, identifier in names.items():
        target = targets.get(identifier, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[name] = posixpath.normpath(path)
    return parts


def _inspect_xlsx_sheet(part: IO[bytes], extent: _Extent, facts: PackageFacts) -> None:
    state: dict[str, Any] = {"row": 0, "column": 0, "formula": False, "value": False}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            state["row"] = int(attributes.get("r") or state["row"] + 1)
            state["column"] = 0
        elif local == "c":
            where = CELL_REFERENCE.match(attributes.get("r", ""))
            if where:
                state["row"], state["column"] = int(where["row"]), _column_number(where["column"])
            else:
                state["column"] += 1
            state["formula"] = state["value"] = state["in_value"] = False
            state["error"], state["text"] = attributes.get("t") == "e", ""
            state["number"] = attributes.get("t", "n") == "n"
        elif local == "f":
            state["formula"] = True
        elif local in ("v", "is"):
            state["in_value"] = True
            state["value"] = state["value"] or local == "is"

    def text(data: str) -> None:
        if state.get("in_value") and data.strip():
            state["value"] = True
            state["text"] += data

    def end(name: str) -> None:
        local = _local(name)
        if local == "v":
            state["in_value"] = False
        elif local == "c":
            if state["formula"] or state["value"]:
                extent.reach(state["row"], state["column"])
            where = (extent.sheet, state["row"], _column_letters(state["column"]))
            if state["formula"] and not state["value"]:
                facts.uncomputed_formulas.append(where)
            if state["error"] or (state["number"] and not _finite(state["text"])):
                facts.error_cells.append((*where, state["text"].strip()))

    _stream(part, start, end, text)


def _ods_error(attributes: dict[str, str]) -> str | None:
    """What an ODS cell says instead of its value when its formula failed (LibreOffice
    keeps a stand-in value, often 0, that readers return as if typed) or its number
    is none; None for any other cell."""
    if attributes.get("calcext:value-type") == "error":
        return ""
    value = attributes.get("office:value")
    return value if value is not None and not _finite(value) else None


def _inspect_ods(archive: zipfile.ZipFile, limits: FileLimits, facts: PackageFacts) -> None:
    state: dict[str, Any] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "table":
            state["extent"] = _Extent(attributes.get("table:name", ""), limits)
            state["row"] = 0
        elif local == "table-row":
            state["repeat"] = int(attributes.get("table:number-rows-repeated", "1"))
            state["column"], state["last"] = 0, 0
        elif local in ("table-cell", "covered-table-cell"):
            repeat = int(attributes.get("table:number-columns-repeated", "1"))
            error = _ods_error(attributes)
            if error is not None and "extent" in state:
                where = (state["extent"].sheet, state["row"] + 1, state["column"] + 1)
                state["error"] = [*where, error]
            state["column"] += repeat
            if "office:value-type" in attributes:
                state["last"] = state["column"]
        elif local == "p" and "column" in state:
            state["last"] = max(state["last"], state["column"])

    def text(data: str) -> None:
        if "error" in state:
            state["error"][3] += data

    def end(name: str) -> None:
        local = _local(name)
        if local in ("table-cell", "covered-table-cell") and "error" in state:
            sheet, row, column, error = state.pop("error")
            facts.error_cells.append((sheet, row, _column_letters(column), error.strip()))
        elif local == "table-row" and "extent" in state:
            state["row"] += state["repeat"]
            if state["last"]:
                state["extent"].reach(state["row"], state["last"])

    with archive.open("content.xml") as part:
        _stream(part, start, end, text)


def inspect_package(path: Path, limits: FileLimits) -> PackageFacts:
    """Check a zipped workbook's XML (xlsx, xlsm, ods, whatever its name) before it is
    read; raise ``UnreadableFile`` or ``FileOverLimits``. Other files have nothing to
    check."""
    facts = PackageFacts()
    kind = content_suffix(path)
    if kind not in {".ods", ".xlsx"}:
        return facts
    try:
        with zipfile.ZipFile(path) as archive:
            if kind == ".ods":
                _inspect_ods(archive, limits, facts)
            else:
                members = set(archive.namelist())
                for sheet, part in _xlsx_sheet_parts(archive).items():
                    if part in members:
                        with archive.open(part) as stream:
                            _inspect_xlsx_sheet(stream, _Extent(sheet, limits), facts)
    except (UnreadableFile, FileOverLimits):
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as error:
        # A damaged or encrypted member, a bad number in an attribute: a package no
        # reader should open.
        raise UnreadableFile(f"not a readable package: {error!r}", DAMAGED) from None
    return facts
