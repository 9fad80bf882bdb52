"""Only regular files inside the partner's own inbox are read; what else sits in the
inboxes is listed for the steward once; files are taken in the order received."""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.samples import sample_rows
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from tests.scenario import WORKED_EXAMPLE

BANK = "banque-regionale"


def _ledger(settings: Settings) -> list[sa.Row]:
    with warehouse.engine_for(settings.url).connect() as connection:
        return connection.execute(
            sa.select(warehouse.submissions).order_by(warehouse.submissions.c.received_at)
        ).all()


def _notices(settings: Settings) -> set[tuple[str, str]]:
    with warehouse.engine_for(settings.url).connect() as connection:
        table = warehouse.inbox_notices
        return set(connection.execute(sa.select(table.c.kind, table.c.path)).all())


def _loaded_submissions(settings: Settings, partner_id: str) -> set[str]:
    with warehouse.engine_for(settings.url).connect() as connection:
        return set(
            connection.execute(
                sa.text("SELECT DISTINCT submission_id FROM core.actions WHERE partner_id = :p"),
                {"p": partner_id},
            ).scalars()
        )


def test_links_devices_and_folders_in_an_inbox_are_never_read(make_settings, reference) -> None:
    settings = make_settings()
    inbox = settings.shared_root / "inbox"
    write_workbook(
        inbox / "opera" / "opera.xlsx", reference, "opera", "2026", sample_rows("opera", "2026")
    )
    pipeline.run_collection(settings)
    (opera_archived,) = settings.shared_folder("archive", "opera").rglob("*.xlsx")
    chu = inbox / "chu"
    write_workbook(chu / "plan.xlsx", reference, "chu", "2026", sample_rows("chu", "2026"))
    (chu / "opera.xlsx").symlink_to(opera_archived)
    (chu / "passwd.csv").symlink_to("/etc/passwd")
    (chu / "tout.xlsx").symlink_to(settings.shared_root / "archive", target_is_directory=True)
    os.mkfifo(chu / "tube.xlsx")
    write_workbook(chu / "vieux" / "ancien.xlsx", reference, "chu", "2026")
    write_workbook(inbox / "inconnu" / "x.xlsx", reference, "chu", "2026")

    (outcome,) = pipeline.run_collection(settings)
    again = pipeline.run_collection(settings)

    assert (outcome.file_name, outcome.status, again) == ("plan.xlsx", "accepted", [])
    assert [row.file_name for row in _ledger(settings)] == ["opera.xlsx", "plan.xlsx"]
    assert _loaded_submissions(settings, "chu") == {outcome.submission_id}
    assert _notices(settings) == {
        ("not_a_regular_file", "chu/opera.xlsx"),
        ("not_a_regular_file", "chu/passwd.csv"),
        ("not_a_regular_file", "chu/tout.xlsx"),
        ("not_a_regular_file", "chu/tube.xlsx"),
        ("subfolder", "chu/vieux"),
        ("unknown_partner_folder", "inconnu"),
    }
    passwd = Path("/etc/passwd").read_bytes()
    for path in settings.shared_root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert passwd not in path.read_bytes(), path
    # The partner is told once about each link or device, never about its content.
    answers = settings.shared_folder("outbox", "chu").glob("*.html")
    refused = [p for p in answers if "fichier ordinaire" in p.read_text(encoding="utf-8")]
    assert len(refused) == 4
    steward = (settings.shared_root / "steward" / "inbox-notices.csv").read_text("utf-8-sig")
    assert steward.count("\n") == 1 + 6


def test_the_same_file_dropped_twice_is_processed_once(make_settings, reference) -> None:
    settings = make_settings()
    folder = settings.shared_root / "inbox" / "chu"
    plan = write_workbook(
        folder / "plan.xlsx", reference, "chu", "2026", sample_rows("chu", "2026")
    )
    content = plan.read_bytes()
    pipeline.run_collection(settings)
    (folder / "plan (1).xlsx").write_bytes(content)

    assert pipeline.run_collection(settings) == []

    assert len(_ledger(settings)) == 1
    assert ("duplicate", "chu/plan (1).xlsx") in _notices(settings)
    assert list(folder.iterdir()) == []


def test_an_earlier_version_sent_again_is_a_new_submission(make_settings, reference) -> None:
    settings = make_settings()
    folder = settings.shared_root / "inbox" / "banque-regionale"
    first = write_workbook(
        folder / "v1.xlsx",
        reference,
        "banque-regionale",
        "2026",
        WORKED_EXAMPLE["banque-regionale"],
    ).read_bytes()
    pipeline.run_collection(settings)
    write_workbook(
        folder / "v2.xlsx",
        reference,
        "banque-regionale",
        "2026",
        sample_rows("banque-regionale", "2026"),
    )
    pipeline.run_collection(settings)
    (folder / "v1-again.xlsx").write_bytes(first)

    (outcome,) = pipeline.run_collection(settings)

    assert [row.file_name for row in _ledger(settings)] == ["v1.xlsx", "v2.xlsx", "v1-again.xlsx"]
    assert _loaded_submissions(settings, "banque-regionale") == {outcome.submission_id}
    assert outcome.status == "accepted"


def test_a_submission_never_replaces_one_received_after_it(make_settings, reference) -> None:
    settings = make_settings()
    folder = settings.shared_root / "inbox" / "banque-regionale"
    write_workbook(
        folder / "old.xlsx",
        reference,
        "banque-regionale",
        "2026",
        WORKED_EXAMPLE["banque-regionale"],
    )
    time.sleep(0.05)
    rows = sample_rows("banque-regionale", "2026")
    write_workbook(folder / "new.xlsx", reference, "banque-regionale", "2026", rows)
    pipeline.refresh_reference(settings)
    old, new = pipeline.discover(settings)

    # As when another collector took the newer file first.
    outcomes = pipeline.process_batch([new, old], settings)

    assert [(o.file_name, o.status) for o in outcomes] == [
        ("new.xlsx", "accepted"),
        ("old.xlsx", "superseded"),
    ]
    assert _loaded_submissions(settings, "banque-regionale") == {outcomes[0].submission_id}


def test_a_file_dated_in_the_future_is_processed_and_shown_to_the_steward(
    make_settings, reference
) -> None:
    settings = make_settings()
    path = write_workbook(
        settings.shared_root / "inbox" / "chu" / "plan.xlsx",
        reference,
        "chu",
        "2026",
        sample_rows("chu", "2026"),
    )
    next_year = time.time() + 365 * 86400
    os.utime(path, (next_year, next_year))

    (outcome,) = pipeline.run_collection(settings)

    assert outcome.status == "accepted"
    assert ("future_mtime", "chu/plan.xlsx") in _notices(settings)


def test_a_file_with_a_long_or_undecodable_name_is_kept_and_answered(
    make_settings, reference
) -> None:
    settings = make_settings()
    folder = settings.shared_root / "inbox" / "chu"
    names = (b"plan " + b"x" * 240 + b".xlsx", b"plan \xff\xfe d\xe9cembre.xlsx")
    for version, name in enumerate(names):
        rows = sample_rows("chu", "2026")
        rows["actions"][0] = rows["actions"][0] | {"title": f"Version {version}"}  # two contents
        written = write_workbook(folder / "tmp.xlsx", reference, "chu", "2026", rows)
        os.rename(written, os.fsencode(folder) + b"/" + name)
        time.sleep(0.05)

    outcomes = pipeline.run_collection(settings)

    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    assert os.listdir(os.fsencode(folder)) == []
    kept = [p.name for p in settings.shared_folder("archive", "chu").rglob("*.xlsx")]
    assert len(kept) == 2
    assert all(len(name.encode()) < 200 for name in kept)
    assert "plan \ufffd\ufffd d\ufffdcembre.xlsx" in [row.file_name for row in _ledger(settings)]
    assert len(list(settings.shared_folder("outbox", "chu").glob("*.html"))) == 2
