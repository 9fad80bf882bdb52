"""Formula cells an xlsx file stores without their computed value.

Values are read from the cache a spreadsheet program writes beside each formula;
a file saved by a tool that does not compute formulas has none, and the cell would
read as empty. This finds those cells by reading the sheets' XML, without running
anything.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CELL_REFERENCE = re.compile(r"^(?P<column>[A-Z]+)(?P<row>\d+)$")


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML part that holds it."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for _, rel in iterparse(archive.open("xl/_rels/workbook.xml.rels"))
        if rel.tag == PACKAGE_RELS
    }
    files = {}
    for _, sheet in iterparse(archive.open("xl/workbook.xml")):
        if sheet.tag == f"{MAIN}sheet":
            target = targets.get(sheet.get(RELATIONSHIP_ID), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            files[sheet.get("name", "")] = posixpath.normpath(part)
    return files


def uncomputed_formulas(path: Path, sheet_names: set[str]) -> Iterator[tuple[str, int, str]]:
    """(sheet, row, column letter) of each formula without a cached value."""
    with zipfile.ZipFile(path) as archive:
        parts = set(archive.namelist())
        for name, part in _sheet_files(archive).items():
            if name not in sheet_names or part not in parts:
                continue
            for _, cell in iterparse(archive.open(part)):
                if cell.tag != f"{MAIN}c":
                    continue
                formula, value = cell.find(f"{MAIN}f"), cell.find(f"{MAIN}v")
                if formula is not None and (value is None or not (value.text or "").strip()):
                    where = CELL_REFERENCE.match(cell.get("r", ""))
                    if where:
                        yield name, int(where["row"]), where["column"]
                cell.clear()
