"""The floor: read every sheet of every workbook under a folder with calamine, and
nothing else. No tool that reads these files can cost less.

    .venv/bin/python benchmarks/floor_read.py FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from python_calamine import CalamineWorkbook


def main() -> None:
    cells = 0
    for path in sorted(Path(sys.argv[1]).rglob("*.xlsx")):
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            cells += sum(len(row) for row in workbook.get_sheet_by_name(name).to_python())
    print(f"{cells} cells read")


if __name__ == "__main__":
    main()
