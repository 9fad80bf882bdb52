"""The steward's edits to the registry files, checked as every reading checks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from climate_contract.reference.model import (
    ReferenceData,
    ReferenceFileError,
    ReferenceProblem,
    load_reference_data,
)


def append_entry(
    directory: Path,
    file_name: str,
    entry: dict[str, Any],
    factors_extension: Path | None = None,
) -> ReferenceData:
    """Add ``entry`` at the end of the list in ``directory/file_name``, comments and
    layout kept; the files are read again, and if they no longer pass (an id given
    twice, an undeclared campaign...) the file is put back as it was and
    ``ReferenceFileError`` says why."""
    path = directory / file_name
    before = path.read_bytes()
    # One line per entry, "- {id: ..., ...}": the registry's own layout.
    mapping = yaml.safe_dump(
        entry, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    )
    line = f"- {mapping}"
    separator = b"" if before.endswith(b"\n") or not before else b"\n"
    path.write_bytes(before + separator + line.encode("utf-8"))
    added_line = before.count(b"\n") + len(separator) + 1
    try:
        return load_reference_data(directory, factors_extension)
    except ReferenceFileError as error:
        path.write_bytes(before)
        # The entry's line is gone with it: say the entry was not added instead.
        raise ReferenceFileError(
            [
                ReferenceProblem(path, None, f"not added: {problem.message}")
                if problem.path == path and problem.line == added_line
                else problem
                for problem in error.problems
            ]
        ) from None
    except BaseException:
        path.write_bytes(before)
        raise
