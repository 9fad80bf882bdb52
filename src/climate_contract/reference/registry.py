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
from climate_contract.settings import is_shipped


class ShippedReference(ValueError):
    """An edit asked of the default reference files inside the installed package."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            f"{directory} holds the installed package's sample reference files, replaced "
            "at every upgrade: copy them with `climate-contract reference init DIR`, then "
            "set CLIMATE_CONTRACT_REFERENCE_DIR=DIR"
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
    path = _editable(directory) / file_name
    before = path.read_bytes().decode("utf-8")
    # One line per entry, "- {id: ..., ...}": the registry's own layout.
    separator = "" if before.endswith("\n") or not before else "\n"
    after = f"{before}{separator}- {_flow(entry)}\n"
    added_line = before.count("\n") + len(separator) + 1
    return _rewritten(path, before, after, (added_line, "not added"), factors_extension)


def add_to_entry(
    directory: Path,
    file_name: str,
    entry_id: str,
    field: str,
    value: object,
    factors_extension: Path | None = None,
) -> ReferenceData:
    """Write ``field: value`` into the entry whose id is ``entry_id``, the rest of the
    file untouched; checked and put back like ``append_entry``."""
    path = _editable(directory) / file_name
    before = path.read_bytes().decode("utf-8")
    entry = _entry_node(path, before, entry_id)
    given = {key.value: value_node for key, value_node in entry.value}
    if field in given:
        raise ReferenceFileError(
            [
                ReferenceProblem(
                    path,
                    given[field].start_mark.line + 1,
                    f"{entry_id}: {field} is already {given[field].value}",
                )
            ]
        )
    pair = _flow({field: value})[1:-1]
    if entry.flow_style:
        closing = entry.end_mark.index - 1  # the entry's "}"
        at, text = closing, (", " if entry.value else "") + pair
    else:
        # On a line of its own after the entry's last line, in the file's line ending.
        last_key, last_value = entry.value[-1]
        line_end = before.find("\n", last_value.end_mark.index)
        at = len(before) if line_end < 0 else line_end - before[line_end - 1 : line_end].count("\r")
        newline = before[at : line_end + 1] or "\n"
        text = f"{newline}{' ' * last_key.start_mark.column}{pair}"
    after = before[:at] + text + before[at:]
    changed_line = before.count("\n", 0, at) + 1
    return _rewritten(path, before, after, (changed_line, "not changed"), factors_extension)


def _editable(directory: Path) -> Path:
    if is_shipped(directory):
        raise ShippedReference(directory)
    return directory


def _flow(mapping: dict[str, Any]) -> str:
    """``mapping`` as one line of YAML, "{key: value, ...}"."""
    written = yaml.safe_dump(
        mapping, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6
    )
    return written.strip()


def _entry_node(path: Path, text: str, entry_id: str) -> yaml.MappingNode:
    entries = yaml.compose(text, Loader=yaml.CSafeLoader)
    for entry in entries.value if isinstance(entries, yaml.SequenceNode) else ():
        if isinstance(entry, yaml.MappingNode) and any(
            key.value == "id" and value.value == entry_id for key, value in entry.value
        ):
            return entry
    raise ReferenceFileError([ReferenceProblem(path, None, f"no entry has id {entry_id!r}")])


def _rewritten(
    path: Path,
    before: str,
    after: str,
    change: tuple[int, str],
    factors_extension: Path | None,
) -> ReferenceData:
    """Write ``after`` and read every reference file again; on a mistake, put
    ``before`` back; a mistake on the changed line (``change``: the line, and how to
    say it was not made) is said of the change."""
    changed_line, refused = change
    path.write_bytes(after.encode("utf-8"))
    try:
        return load_reference_data(path.parent, factors_extension)
    except ReferenceFileError as error:
        path.write_bytes(before.encode("utf-8"))
        raise ReferenceFileError(
            [
                ReferenceProblem(path, None, f"{refused}: {problem.message}")
                if problem.path == path and problem.line == changed_line
                else problem
                for problem in error.problems
            ]
        ) from None
    except BaseException:
        path.write_bytes(before.encode("utf-8"))
        raise
