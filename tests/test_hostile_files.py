"""The generated hostile corpus (tests/hostile_corpus.py) in one collection run.

A French-reading and the English-reading partner each get half of the kinds, beside a
valid file of a third partner. Whatever they drop, the run finishes, the other
partner is loaded, each original is kept byte for byte, each answer names the
problem in the partner's language, nothing partial reaches ``core``, every inbox
entry is processed or listed for the steward, and a second run has nothing to do.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from markupsafe import escape

from climate_contract import pipeline, warehouse
from climate_contract.reference import ReferenceData
from climate_contract.safe_text import safe_file_name
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from tests.hostile_corpus import (
    ACCEPTED,
    DDE,
    HYPERLINK,
    IMG,
    KINDS,
    LAST_KIND,
    SCRIPT,
    CorpusContext,
    Drop,
    place,
)
from tests.scenario import WORKED_EXAMPLE

FRENCH_PARTNER = "bailleur-social"
ENGLISH_PARTNER = "centre-commercial"
OTHER_PARTNER = "reseau-chaleur"
CAMPAIGN = "2026"
REPORT_ENDINGS = {"fr": "-rapport.html", "en": "-report.html"}
CORE_TABLES = ("actions", "investments", "impacts")


def partner_for(kind: str) -> str:
    """Kinds alternate between the two partners; the last one goes to the English one."""
    if kind == LAST_KIND:
        return ENGLISH_PARTNER
    return (FRENCH_PARTNER, ENGLISH_PARTNER)[list(KINDS).index(kind) % 2]


@dataclass
class Placed:
    kind: str
    partner_id: str
    drops: list[Drop]


@dataclass
class CollectionRun:
    settings: Settings
    placed: dict[str, Placed]
    other_file: Path
    ledger: list[Any]
    findings: dict[str, list[Any]]
    notices: list[Any]
    failures: list[str | None] = field(default_factory=list)
    """Per run, the exception that stopped it, if any."""
    second_outcomes: list[pipeline.SubmissionOutcome] = field(default_factory=list)
    second_ledger_size: int = 0
    second_notices: list[Any] = field(default_factory=list)
    outbox_before_second: set[Path] = field(default_factory=set)
    outbox_after_second: set[Path] = field(default_factory=set)

    @property
    def inbox(self) -> Path:
        return self.settings.shared_root / "inbox"

    def ledger_rows(self, partner_id: str, drop: Drop) -> list[Any]:
        return [
            row
            for row in self.ledger
            if row.partner_id == partner_id and row.file_name == drop.shown_name
        ]

    def notice_kinds(self, path: str) -> set[str]:
        return {notice.kind for notice in self.notices if notice.path == path}


def _read_table(engine: sa.Engine, table: sa.Table) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(table)))


def _regular_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, never through a link, never opening a FIFO."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _outbox_files(settings: Settings) -> set[Path]:
    return set(_regular_files(settings.shared_root / "outbox"))


def _run(
    settings: Settings, outcomes: list[pipeline.SubmissionOutcome] | None = None
) -> str | None:
    """One collection run; what stopped it, if anything, so that each kind's own
    assertions still say what they found."""
    try:
        (outcomes if outcomes is not None else []).extend(pipeline.run_collection(settings))
    except Exception:
        return traceback.format_exc()
    return None


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, reference: ReferenceData) -> CollectionRun:
    # The make_settings fixture is per test; one run serves every kind here, with
    # the same settings it would give.
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings(data_dir=root / "data", settle_seconds=0)
    inbox = settings.shared_root / "inbox"
    other_file = write_workbook(
        inbox / OTHER_PARTNER / "plan-reseau.xlsx",
        reference,
        OTHER_PARTNER,
        CAMPAIGN,
        WORKED_EXAMPLE[OTHER_PARTNER],
    )
    placed: dict[str, Placed] = {}
    for kind, build in KINDS.items():
        partner_id = partner_for(kind)
        context = CorpusContext(
            reference,
            partner_id,
            CAMPAIGN,
            root / "scratch" / kind,
            settings.shared_root,
            other_file,
        )
        drops = build(context)
        for drop in drops:
            place(drop, inbox, partner_id)
        placed[kind] = Placed(kind, partner_id, drops)

    first_failure = _run(settings)
    engine = warehouse.engine_for(settings.url)
    ledger = _read_table(engine, warehouse.submissions)
    findings: dict[str, list[Any]] = {}
    for finding in _read_table(engine, warehouse.findings):
        findings.setdefault(finding.submission_id, []).append(finding)
    run = CollectionRun(
        settings, placed, other_file, ledger, findings, _read_table(engine, warehouse.inbox_notices)
    )
    run.failures.append(first_failure)
    run.outbox_before_second = _outbox_files(settings)
    run.failures.append(_run(settings, run.second_outcomes))
    run.second_ledger_size = len(_read_table(engine, warehouse.submissions))
    run.second_notices = _read_table(engine, warehouse.inbox_notices)
    run.outbox_after_second = _outbox_files(settings)
    return run


def _core_rows(settings: Settings, table: str) -> list[Any]:
    """The rows of ``core.<table>`` with the partner and status of their submission."""
    query = sa.text(
        f"SELECT c.submission_id, c.action_ref, s.partner_id, s.status FROM core.{table} AS c "
        "LEFT JOIN landing.submissions AS s ON s.submission_id = c.submission_id"
    )
    with warehouse.engine_for(settings.url).connect() as connection:
        return list(connection.execute(query))


def _report(run: CollectionRun, partner_id: str, row: Any, language: str) -> Path:
    """The partner's report on one submission, in its outbox, named in its language."""
    name = f"{row.received_at:%Y%m%dT%H%M%S}-{safe_file_name(row.file_name)}"
    name += REPORT_ENDINGS[language]
    report = run.settings.shared_folder("outbox", partner_id) / name
    assert report.is_file(), f"no report {name} in the outbox of {partner_id}"
    return report


def _language(reference: ReferenceData, partner_id: str) -> str:
    return reference.partner(partner_id).language


def _matches(rule: str, outcomes: tuple[str, ...]) -> bool:
    return any(re.fullmatch(pattern, rule) for pattern in outcomes if pattern != ACCEPTED)


def _check_submission(
    run: CollectionRun, reference: ReferenceData, placed: Placed, drop: Drop, row: Any
) -> None:
    expected = drop.expected
    language = _language(reference, placed.partner_id)
    findings = run.findings.get(row.submission_id, [])
    rules = [finding.rule for finding in findings]
    said = [(f.rule, f.message_fr) for f in findings[:5]]
    if row.status == "accepted":
        assert ACCEPTED in expected.outcomes, (
            f"{drop.shown_name} accepted, expected {expected.outcomes}"
        )
    else:
        assert row.status == "rejected", row.status
        answering = [
            f for f in findings if f.severity == "error" and _matches(f.rule, expected.outcomes)
        ]
        assert answering, f"{drop.shown_name}: expected {expected.outcomes}, answered {said}"
        message = getattr(answering[0], f"message_{language}")
        report = _report(run, placed.partner_id, row, language).read_text(encoding="utf-8")
        assert str(escape(message)) in report, f"the report does not say, in {language}: {message}"
        if expected.words is not None:
            assert expected.words.in_language(language) in message
    assert not set(rules) & set(expected.forbidden), f"misleading or cascading findings: {said}"
    if expected.max_findings is not None:
        assert len(findings) <= expected.max_findings, f"{len(findings)} findings"
    _report(run, placed.partner_id, row, language)
    kept = Path(row.stored_path).read_bytes()
    assert kept == drop.content, "the original is not kept byte for byte"
    assert hashlib.sha256(kept).hexdigest() == row.content_sha256


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_gets_a_specific_answer(
    collection: CollectionRun, reference: ReferenceData, kind: str
) -> None:
    placed = collection.placed[kind]
    for drop in placed.drops:
        folder = placed.partner_id if drop.folder is None else drop.folder
        shown = f"{folder}/{drop.shown_name}".lstrip("/")
        rows = collection.ledger_rows(placed.partner_id, drop)
        listed = collection.notice_kinds(shown)
        expected = drop.expected
        if expected.notice is not None:
            assert expected.notice in listed, f"{shown} not listed as {expected.notice}: {listed}"
        if expected.read and not (expected.or_notice in listed and not rows):
            assert len(rows) == 1, f"{shown}: {len(rows)} submissions, notices {listed}"
            _check_submission(collection, reference, placed, drop, rows[0])
            assert not os.path.lexists(collection.inbox / shown), f"{shown} left in the inbox"
        if not expected.read:
            assert not rows, f"{shown} was read as a submission"


def test_both_runs_finish(collection: CollectionRun) -> None:
    assert collection.failures == [None, None]


def test_the_other_partner_s_file_is_accepted_and_loaded(collection: CollectionRun) -> None:
    (row,) = [r for r in collection.ledger if r.partner_id == OTHER_PARTNER]
    loaded = {
        r.action_ref
        for r in _core_rows(collection.settings, "actions")
        if r.partner_id == OTHER_PARTNER
    }

    assert row.status == "accepted"
    assert loaded == {"RC-1"}


def test_nothing_of_a_rejected_submission_is_in_core(collection: CollectionRun) -> None:
    for table in CORE_TABLES:
        statuses = {(r.submission_id, r.status) for r in _core_rows(collection.settings, table)}
        assert {status for _, status in statuses} == {"accepted"}, (table, statuses)


def test_an_earlier_version_sent_again_is_what_stays_loaded(collection: CollectionRun) -> None:
    placed = collection.placed[LAST_KIND]
    resent = collection.ledger_rows(placed.partner_id, placed.drops[-1])
    loaded = {
        r.submission_id
        for r in _core_rows(collection.settings, "actions")
        if r.partner_id == placed.partner_id
    }

    assert len(resent) == 1
    assert loaded == {resent[0].submission_id}


def test_every_inbox_entry_is_processed_or_listed_for_the_steward(
    collection: CollectionRun,
) -> None:
    listed = {notice.path for notice in collection.notices}
    left = []
    for entry in collection.inbox.iterdir():
        if entry.name not in {FRENCH_PARTNER, ENGLISH_PARTNER, OTHER_PARTNER}:
            left.append(entry.name)
            continue
        left += [
            f"{entry.name}/{os.fsencode(e.name).decode('utf-8', 'replace')}"
            for e in entry.iterdir()
        ]

    assert sorted(set(left) - listed) == []


def test_nothing_outside_the_partner_s_folder_is_read(collection: CollectionRun) -> None:
    secret = Path("/etc/passwd").read_bytes().splitlines()[0]
    other = collection.other_file.name.encode()
    neighbour = {
        r.action_ref
        for r in _core_rows(collection.settings, "actions")
        if r.partner_id in (FRENCH_PARTNER, ENGLISH_PARTNER)
    }

    for path in _regular_files(collection.settings.data_dir):
        assert secret not in path.read_bytes(), f"/etc/passwd copied into {path}"
    for partner_id in (FRENCH_PARTNER, ENGLISH_PARTNER):
        for path in _regular_files(collection.settings.shared_folder("outbox", partner_id)):
            assert other not in path.name.encode(), f"the other partner's file answered in {path}"
    assert "RC-1" not in neighbour


@pytest.mark.parametrize("kind", ["csv_formula_cells", "ods_formula_cells"])
def test_formula_text_stays_inert_in_annotated_copies(
    collection: CollectionRun, reference: ReferenceData, kind: str
) -> None:
    placed = collection.placed[kind]
    (row,) = collection.ledger_rows(placed.partner_id, placed.drops[0])
    report = _report(collection, placed.partner_id, row, _language(reference, placed.partner_id))
    (copy,) = report.parent.glob(report.name.rsplit("-", 1)[0] + "-*.xlsx")
    workbook = openpyxl.load_workbook(copy)
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line]

    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {str(c.value) for c in cells if c.value is not None}
    assert {HYPERLINK, DDE} <= {text.removeprefix("'") for text in texts} | texts


def test_markup_is_never_written_raw_into_a_report(collection: CollectionRun) -> None:
    reports = [p for p in _outbox_files(collection.settings) if p.suffix == ".html"]

    assert reports
    for path in reports:
        page = path.read_text(encoding="utf-8")
        assert SCRIPT not in page, path
        assert IMG not in page, path


def test_names_we_write_for_the_steward_are_never_formulas(collection: CollectionRun) -> None:
    listing = collection.settings.shared_root / "steward" / "inbox-notices.csv"
    with listing.open(encoding="utf-8-sig", newline="") as stream:
        cells = [cell for line in csv.reader(stream, delimiter=";") for cell in line]

    assert any("calc" in cell for cell in cells)
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")] == []


def test_a_second_run_processes_and_lists_nothing_new(collection: CollectionRun) -> None:
    assert collection.second_outcomes == []
    assert collection.second_ledger_size == len(collection.ledger)
    assert {(n.path, n.kind) for n in collection.second_notices} == {
        (n.path, n.kind) for n in collection.notices
    }
    assert collection.outbox_after_second == collection.outbox_before_second
