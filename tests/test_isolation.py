"""Reading a file happens in a child process: whatever the file does to the reader
(abort, exhaust memory, loop) ends the child, not the collection."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.isolation import IsolatedWorker, WorkAborted
from climate_contract.template import write_workbook
from tests.scenario import WORKED_EXAMPLE

GIB = 2**30


def _abort() -> None:
    os.abort()  # as a native reader does when it cannot allocate


def _allocate(gib: int) -> int:
    return len(bytearray(gib * GIB))


def _loop() -> None:
    time.sleep(600)


def _pid() -> int:
    return os.getpid()


@pytest.mark.parametrize(
    ("work", "args", "cause"),
    [(_abort, (), "crash"), (_allocate, (8,), "memory"), (_loop, (), "time")],
)
def test_a_child_that_dies_overruns_or_loops_is_replaced(work, args, cause) -> None:
    with IsolatedWorker(max_memory_bytes=4 * GIB, max_seconds=5) as worker:
        first = worker.run(_pid)

        with pytest.raises(WorkAborted) as aborted:
            worker.run(work, *args)

        assert aborted.value.cause == cause
        assert worker.run(_pid) not in (first, os.getpid())
        assert worker.run(_allocate, 1) == GIB  # the limit leaves room for real work


class _AbortingOn:
    """A worker whose child dies on one file: how a reader that aborts looks."""

    def __init__(self, real: IsolatedWorker, file_name: str) -> None:
        self.real, self.file_name = real, file_name

    def run_within(self, seconds, function, claims, *args):
        if any(claim.incoming.display_name == self.file_name for claim in claims):
            raise WorkAborted("memory", "the reader asked for 512 GiB")
        return self.real.run_within(seconds, function, claims, *args)


def test_a_file_whose_reading_aborts_is_answered_and_the_others_go_on(
    make_settings, reference
) -> None:
    settings = make_settings()
    for partner_id, name in (("banque-regionale", "piege.xlsx"), ("bailleur-social", "plan.xlsx")):
        path = settings.shared_root / "inbox" / partner_id / name
        write_workbook(path, reference, partner_id, "2026", WORKED_EXAMPLE[partner_id])
    hostile = (settings.shared_root / "inbox" / "banque-regionale" / "piege.xlsx").read_bytes()
    pipeline.refresh_reference(settings)

    # Read together first, then, as that aborts, one by one.
    with IsolatedWorker(4 * GIB, 300) as real:
        readers = pipeline.Readers([_AbortingOn(real, "piege.xlsx")])
        outcomes = pipeline.process_batch(pipeline.discover(settings), settings, readers)

    assert {(o.file_name, o.status) for o in outcomes} == {
        ("piege.xlsx", "rejected"),
        ("plan.xlsx", "accepted"),
    }
    with warehouse.engine_for(settings.url).connect() as connection:
        kept, rule, message = connection.execute(
            sa.text(
                "SELECT s.stored_path, f.rule, f.message_fr FROM landing.submissions s "
                "JOIN landing.findings f USING (submission_id) WHERE s.file_name = 'piege.xlsx'"
            )
        ).one()
    assert (rule, Path(kept).read_bytes()) == ("lecture_interrompue", hostile)
    assert "trop de mémoire" in message
    (report,) = settings.shared_folder("outbox", "banque-regionale").glob("*.html")
    assert "trop de mémoire" in report.read_text(encoding="utf-8")
    assert list((settings.shared_root / "inbox").rglob("*.xlsx")) == []
