"""The steward's registry files edited by the console: only the asked change is
written, into the asked entry, whatever layout the steward (or Notepad) gave them.

The layouts are those an adversarial review found misplaced edits in: a block
scalar or an alias as an entry's last value, a byte order mark before flow
entries, CRLF without a final line ending."""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from climate_contract.reference import ReferenceFileError
from climate_contract.reference.registry import add_to_entry, append_entry
from climate_contract.settings import PROJECT_ROOT

CLOSING_DAY = date(2026, 4, 15)
LAYOUTS = {
    "a block scalar last in the entry": (
        '- id: "2026"\n  opens_on: 2026-01-15\n  deadline: 2026-03-31\n'
        "  contact: |\n    Equipe climat\n    climat@x.example\n"
        '- id: "2025"\n  opens_on: 2025-01-15\n  deadline: 2025-03-31\n'
    ),
    "aliases last in the entry": (
        '- id: "2025"\n  opens_on: &o 2025-01-15\n  deadline: &d 2025-03-31\n'
        '- id: "2026"\n  opens_on: *o\n  deadline: *d\n'
    ),
    "a byte order mark before flow entries, CRLF": (
        "\ufeff# Campagnes\r\n"
        '- {id: "2025", opens_on: 2025-01-15, deadline: 2025-03-31, contact: "c@x.example"}\r\n'
        '- {id: "2026", opens_on: 2026-01-15, deadline: 2026-03-31, contact: "c@x.example"}\r\n'
    ),
    "CRLF without a final line ending": (
        '- id: "2025"\r\n  opens_on: 2025-01-15\r\n  deadline: 2025-03-31\r\n'
        '- id: "2026"\r\n  opens_on: 2026-01-15\r\n  deadline: 2026-03-31'
    ),
    "a comment after the id, a flow entry on several lines": (
        '- id: "2026"  # cette année\n  opens_on: 2026-01-15\n  deadline: 2026-03-31\n'
        '- {id: "2025",\n   opens_on: 2025-01-15, deadline: 2025-03-31}\n'
    ),
}


@pytest.fixture
def reference_dir(tmp_path: Path) -> Path:
    """The shipped reference files, partners expected in 2026 only (the layouts
    declare no other campaign for sure)."""
    directory = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", directory)
    registry = directory / "partners.yaml"
    partners = yaml.safe_load(registry.read_text(encoding="utf-8"))
    registry.write_text(
        yaml.safe_dump([p | {"campaigns": ["2026"]} for p in partners], allow_unicode=True),
        encoding="utf-8",
    )
    return directory


def _inserted(before: str, after: str) -> list[str]:
    """What ``after`` adds to ``before``; fails if anything else changed."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes = [(op, after[j1:j2]) for op, _, _, j1, j2 in matcher.get_opcodes() if op != "equal"]
    assert {op for op, _ in changes} == {"insert"}, changes
    return [text for _, text in changes]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_closing_writes_into_the_asked_entry_and_nothing_else(
    reference_dir: Path, layout: str
) -> None:
    campaigns = reference_dir / "campaigns.yaml"
    before = LAYOUTS[layout]
    campaigns.write_bytes(before.encode("utf-8"))

    read = add_to_entry(reference_dir, "campaigns.yaml", "2026", "closed_on", CLOSING_DAY)

    after = campaigns.read_bytes().decode("utf-8")
    assert {c.id: c.closed_on for c in read.campaigns} == {"2025": None, "2026": CLOSING_DAY}
    (added,) = _inserted(before, after)
    assert "closed_on: 2026-04-15" in added
    ending = "\r\n" if "\r\n" in before else "\n"
    assert added.count("\n") == added.count(ending)  # the file's own line ending
    assert after.endswith(ending) == before.endswith(ending)


@pytest.mark.parametrize(
    ("layout", "said"),
    [
        (
            '- &base\n  id: "2025"\n  opens_on: 2025-01-15\n  deadline: 2025-03-31\n'
            "  closed_on: 2025-04-01\n"
            '- <<: *base\n  id: "2026"\n  opens_on: 2026-01-15\n  deadline: 2026-03-31\n',
            ":6: 2026: closed_on is already 2025-04-01",
        ),
        (
            '- id: "2025"\n  opens_on: 2025-01-15\n  deadline: 2025-03-31\n'
            '- id: "2026"\n  opens_on: 2026-01-15\n  deadline: 2026-03-31\n  closed_on:\n',
            ":7: 2026: closed_on is written empty: fill it in there",
        ),
    ],
    ids=["inherited through a merge key", "written empty"],
)
def test_a_closing_already_written_is_never_doubled(
    reference_dir: Path, layout: str, said: str
) -> None:
    campaigns = reference_dir / "campaigns.yaml"
    campaigns.write_text(layout, encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        add_to_entry(reference_dir, "campaigns.yaml", "2026", "closed_on", CLOSING_DAY)

    assert str(refused.value) == f"{campaigns}{said}"
    assert campaigns.read_text(encoding="utf-8") == layout


def test_an_entry_added_to_a_crlf_file_ends_its_lines_as_the_file_does(
    reference_dir: Path,
) -> None:
    campaigns = reference_dir / "campaigns.yaml"
    before = LAYOUTS["CRLF without a final line ending"]
    campaigns.write_bytes(before.encode("utf-8"))
    entry = {"id": "2027", "opens_on": date(2027, 1, 15), "deadline": date(2027, 3, 31)}

    append_entry(reference_dir, "campaigns.yaml", entry)

    (added,) = _inserted(before, campaigns.read_bytes().decode("utf-8"))
    assert added == "\r\n- {id: '2027', opens_on: 2027-01-15, deadline: 2027-03-31}\r\n"


def test_an_entry_refused_in_a_crlf_file_is_said_not_added(reference_dir: Path) -> None:
    campaigns = reference_dir / "campaigns.yaml"
    before = LAYOUTS["CRLF without a final line ending"]
    campaigns.write_bytes(before.encode("utf-8"))
    twice = {"id": "2025", "opens_on": date(2025, 1, 15), "deadline": date(2025, 3, 31)}

    with pytest.raises(ReferenceFileError) as refused:
        append_entry(reference_dir, "campaigns.yaml", twice)

    assert str(refused.value) == f"{campaigns}: not added: 2025: id given twice"
    assert campaigns.read_bytes().decode("utf-8") == before
