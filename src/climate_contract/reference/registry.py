"""The steward's edits to the registry files, checked as every reading checks them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from climate_contract.reference.model import (
    ReferenceData,
    ReferenceFileError,
    ReferenceLoader,
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
    ending = _line_ending(before)
    # One line per entry, "- {id: ..., ...}": the registry's own layout.
    separator = "" if not before or _LINE_BREAK.fullmatch(before[-1]) else ending
    after = f"{before}{separator}- {_flow(entry)}{ending}"
    added_line = _line_number(after, len(before) + len(separator))
    return _rewritten(path, before, after, (added_line, "not added"), factors_extension)


_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML counts as the end of a line."""


def _line_number(text: str, index: int) -> int:
    """The line of ``text`` where ``index`` falls, counted as YAML counts lines."""
    return len(_LINE_BREAK.findall(text, 0, index)) + 1


def _line_ending(text: str) -> str:
    """The file's own line ending, for the lines we add."""
    return "\r\n" if "\r\n" in text else "\n"


def add_to_entry(
    directory: Path,
    file_name: str,
    entry_id: str,
    field: str,
    value: object,
    factors_extension: Path | None = None,
) -> ReferenceData:
    """Write ``field: value`` into the entry whose id is ``entry_id``, next to its
    id (the one value written plainly in every entry), the rest of the file
    untouched; checked and put back like ``append_entry``."""
    path = _editable(directory) / file_name
    before = path.read_bytes().decode("utf-8")
    # A byte order mark (as Notepad writes) is not counted in YAML's positions.
    bom = "\ufeff" if before.startswith("\ufeff") else ""
    text = before[len(bom) :]
    entry, id_key, id_value = _entry_node(path, text, entry_id)
    _refuse_if_given(path, text, entry, entry_id, field)
    pair = _flow({field: value})[1:-1]
    if entry.flow_style:
        at, addition = id_value.end_mark.index, f", {pair}"
    else:
        # On a line of its own after the id's, indented as the id is.
        indent = " " * id_key.start_mark.column
        line_end = _LINE_BREAK.search(text, id_value.end_mark.index)
        if line_end is None:  # the id's line is the file's last, without an ending
            at, addition = len(text), f"{_line_ending(text)}{indent}{pair}"
        else:
            at, addition = line_end.end(), f"{indent}{pair}{line_end.group()}"
    after = bom + text[:at] + addition + text[at:]
    changed_line = _line_number(text, at)
    return _rewritten(path, before, after, (changed_line, "not changed"), factors_extension)


def _refuse_if_given(
    path: Path, text: str, entry: yaml.MappingNode, entry_id: str, field: str
) -> None:
    """A field already set (written, or inherited through a merge key), or written
    empty, is the steward's to change by hand: never a second key beside it."""
    written = next((value for key, value in entry.value if key.value == field), None)
    loaded = yaml.load(text, Loader=ReferenceLoader)
    given = next(
        (
            item.get(field)
            for item in loaded
            if isinstance(item, dict) and str(item.get("id")) == entry_id
        ),
        None,
    )
    if written is None and given is None:
        return
    line = (written or entry).start_mark.line + 1
    said = f"is already {given}" if given is not None else "is written empty: fill it in there"
    raise ReferenceFileError([ReferenceProblem(path, line, f"{entry_id}: {field} {said}")])


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


def _entry_node(
    path: Path, text: str, entry_id: str
) -> tuple[yaml.MappingNode, yaml.ScalarNode, yaml.ScalarNode]:
    """The entry whose id is ``entry_id``, with its id's key and value."""
    entries = yaml.compose(text, Loader=ReferenceLoader)
    for entry in entries.value if isinstance(entries, yaml.SequenceNode) else ():
        if not isinstance(entry, yaml.MappingNode):
            continue
        for key, value in entry.value:
            if key.value != "id" or value.value != entry_id:
                continue
            beside = value.start_mark.line == key.start_mark.line
            if beside and value.start_mark.index > key.start_mark.index:
                return entry, key, value
            # An alias: the id's text is elsewhere, nowhere to write beside it.
            said = f"{entry_id}: its id is not written beside its key: edit this entry by hand"
            raise ReferenceFileError([ReferenceProblem(path, key.start_mark.line + 1, said)])
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
