from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.intake import copy_verified, keep_original, scan_inbox
from climate_contract.reference import UnknownReference
from climate_contract.samples import sample_rows
from climate_contract.template import write_workbook


def test_a_file_is_picked_up_only_once_settled_and_lock_files_never(
    tmp_path: Path, reference
) -> None:
    root = tmp_path / "inbox"
    write_workbook(root / "chu" / "fresh.xlsx", reference, "chu", "2026")
    for name in ("~$fresh.xlsx", ".~lock.fresh.xlsx#", "copie.tmp", ".cache.xlsx"):
        (root / "chu" / name).write_bytes(b"x")
    (root / "not-a-partner").mkdir()
    now = time.time()

    just_dropped = scan_inbox(root, reference.partner_ids, settle_seconds=60, now=now)
    an_hour_later = scan_inbox(root, reference.partner_ids, settle_seconds=60, now=now + 3600)

    assert (just_dropped.files, just_dropped.waiting) == ([], ["chu/fresh.xlsx"])
    assert [Path(f.path).name for f in an_hour_later.files] == ["fresh.xlsx"]
    assert {(notice.kind, notice.path) for notice in an_hour_later.notices} == {
        ("lock_file", "chu/~$fresh.xlsx"),
        ("lock_file", "chu/.~lock.fresh.xlsx#"),
        ("lock_file", "chu/copie.tmp"),
        ("lock_file", "chu/.cache.xlsx"),
        ("unknown_partner_folder", "not-a-partner"),
    }


def test_a_file_copied_with_its_old_date_is_received_when_it_arrives(
    tmp_path: Path, reference
) -> None:
    path = write_workbook(tmp_path / "inbox" / "chu" / "plan.xlsx", reference, "chu", "2026")
    a_year_ago = time.time() - 365 * 86400
    os.utime(path, (a_year_ago, a_year_ago))  # as a copy that keeps the original's date

    (incoming,) = scan_inbox(tmp_path / "inbox", reference.partner_ids).files

    assert incoming.received_at.timestamp() > time.time() - 60


def test_many_files_make_few_batches_with_readable_labels(make_settings, reference) -> None:
    settings = make_settings().model_copy(update={"files_per_task": 4})
    for partner in reference.partners[:10]:
        path = settings.shared_root / "inbox" / partner.id / "f.xlsx"
        write_workbook(path, reference, partner.id, "2026", sample_rows(partner.id, "2026"))
    pipeline.refresh_reference(settings)

    batches = pipeline.batches(pipeline.discover(settings), settings.files_per_task)

    assert [len(batch) for batch in batches] == [4, 4, 2]
    assert pipeline.batch_label(batches[0]).count(",") == 2
    assert pipeline.batch_label(batches[0]).endswith(" +1")


def test_a_batch_run_again_after_a_failure_processes_each_file_once(
    make_settings, reference
) -> None:
    settings = make_settings()
    for partner_id in ("chu", "opera"):
        path = settings.shared_root / "inbox" / partner_id / "f.xlsx"
        write_workbook(path, reference, partner_id, "2026", sample_rows(partner_id, "2026"))
    pipeline.refresh_reference(settings)
    batch = pipeline.discover(settings)

    first = pipeline.process_batch(batch, settings)
    again = pipeline.process_batch(batch, settings)

    assert [o.status for o in first] == ["accepted", "accepted"]
    assert again == []


def test_reference_files_are_loaded_again_only_when_they_change(
    make_settings, tmp_path: Path
) -> None:
    references = tmp_path / "reference"
    shutil.copytree(Path(pipeline.__file__).parents[2] / "reference", references)
    settings = make_settings().model_copy(update={"reference_dir": references})

    assert pipeline.refresh_reference(settings) is True
    assert pipeline.refresh_reference(settings) is False
    with (references / "partners.yaml").open("a", encoding="utf-8") as stream:
        stream.write(
            "- {id: nouveau, name: Nouveau, college: association, campaigns: ['2026'],"
            " contact: x@y.example}\n"
        )
    assert pipeline.refresh_reference(settings) is True


def test_a_campaign_is_followed_from_its_opening_until_after_its_deadline(reference) -> None:
    from datetime import date

    from climate_contract.report import is_watched

    campaign = next(c for c in reference.campaigns if c.id == "2026")  # 15 Jan - 31 Mar 2026

    assert not is_watched(campaign, date(2026, 1, 14), days_after_deadline=60)
    assert is_watched(campaign, date(2026, 1, 15), days_after_deadline=60)
    assert is_watched(campaign, date(2026, 5, 30), days_after_deadline=60)
    assert not is_watched(campaign, date(2026, 5, 31), days_after_deadline=60)


def test_reminders_are_written_in_each_partner_s_language(reference) -> None:
    from datetime import date

    from climate_contract.report import FollowUp, reminders_for

    late = [
        FollowUp("2026", date(2026, 4, 15), p.id, p.name, "en_retard", True, None, None, 0)
        for p in map(reference.partner, ("centre-commercial", "opera"))
    ]
    rejected = FollowUp(
        "2026",
        date(2026, 4, 15),
        "centre-commercial",
        "",
        "rejete_sans_nouvel_envoi",
        True,
        "rejected",
        "plan.xlsx",
        3,
    )

    english, french, english_rejected = reminders_for([*late, rejected], reference)

    assert english.subject == "Climate and Biodiversity Contract 2026: your declaration is awaited"
    assert "which was due on 2026-03-31" in english.body
    assert french.subject == "Contrat Climat et Biodiversité 2026 : votre déclaration est attendue"
    assert "dont l'échéance était le 31/03/2026" in french.body
    assert english_rejected.subject.endswith(": your file needs correcting")
    assert "(plan.xlsx) could not be accepted: it has 3 error(s)" in english_rejected.body


def test_a_hostile_file_name_stays_text_in_the_answer_mail(reference, tmp_path: Path) -> None:
    from datetime import datetime

    from climate_contract.load import LedgerEntry
    from climate_contract.report import answer_mail

    hostile = '<img src=x onerror="alert(1)">&.xlsx'
    entry = LedgerEntry(
        "s1", hostile, "0" * 64, datetime(2026, 1, 15, 9, 30), "rejected", "q", 2, 1, None
    )
    partner = reference.partner("chu")

    mail = answer_mail(partner, reference.campaign("2026"), entry, (tmp_path / "r.html",))

    assert mail.to == partner.contact
    assert hostile in mail.body  # the text says what the partner named its file
    assert "<img" not in mail.html  # and the HTML version never makes it markup
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;.xlsx" in mail.html
    assert "reçu le 2026-01-15 10:30" in mail.body  # Paris time, from the ledger's UTC
    assert "il comporte 2 erreur(s) et 1 avertissement(s)" in mail.body


def test_an_original_is_kept_byte_for_byte_and_never_overwritten(tmp_path: Path, reference):
    path = write_workbook(tmp_path / "inbox" / "chu" / "f.xlsx", reference, "chu", "2026")
    (incoming,) = scan_inbox(tmp_path / "inbox", reference.partner_ids).files
    staged = copy_verified(incoming, tmp_path / "staging" / "f.xlsx")
    kept = keep_original(staged, incoming, tmp_path / "archive")
    assert kept.read_bytes() == path.read_bytes()
    kept.write_bytes(b"altered later by someone")

    again = keep_original(staged, incoming, tmp_path / "archive")

    assert again == kept
    assert kept.read_bytes() == b"altered later by someone"  # not overwritten
    assert incoming.content_sha256[:16] in kept.name


def test_a_reminder_is_recorded_once_and_never_to_be_sent_twice(make_settings, reference) -> None:
    from datetime import date

    from climate_contract import report

    settings = make_settings()
    pipeline.refresh_reference(settings)
    follow_up = report.FollowUp(
        "2026", date(2026, 4, 2), "chu", "CHU", "en_retard", True, None, None, 0
    )
    (reminder,) = report.reminders_for([follow_up], reference)
    next_day = report.reminders_for(
        [report.FollowUp(**(follow_up.as_dict() | {"checked_on": date(2026, 4, 3)}))], reference
    )[0]

    assert pipeline.record_reminder(settings, reminder)
    assert not pipeline.record_reminder(settings, reminder)  # a retry, a second run
    assert pipeline.record_reminder(settings, next_day)


def test_the_follow_up_of_a_day_is_that_day_s_whenever_it_is_computed(
    make_settings, reference
) -> None:
    from datetime import date

    from climate_contract import aggregate, warehouse

    settings = make_settings()
    path = settings.shared_root / "inbox" / "chu" / "chu.xlsx"
    write_workbook(path, reference, "chu", "2026", sample_rows("chu", "2026"))
    pipeline.run_collection(settings)  # received today, after the 2026 deadline (31/03)
    today = date.today()

    def states(day: date) -> dict[str, str]:
        follow_ups, _ = pipeline.follow_up_campaign(settings, "2026", day)
        return {f.partner_id: f.state for f in follow_ups}

    before_deadline = states(date(2026, 3, 1))
    now = states(today)

    assert before_deadline == states(date(2026, 3, 1))  # computed again: the same answer
    assert (before_deadline["chu"], before_deadline["opera"]) == ("attendu", "attendu")
    assert (now["chu"], now["opera"]) == ("a_jour", "en_retard")
    mart = aggregate.read_mart(warehouse.engine_for(settings.url), "campaign_coverage")
    late = {r["partner_id"] for r in mart.to_pylist() if r["campaign_id"] == "2026" and r["late"]}
    assert late == {p for p, state in now.items() if state == "en_retard"} | {"chu"}


def test_collecting_for_an_undeclared_campaign_stops_with_a_clear_error(make_settings) -> None:
    settings = make_settings().model_copy(update={"campaign": "2027"})

    with pytest.raises(UnknownReference, match=r"campaign '2027' is not declared in campaigns"):
        pipeline.discover(settings)


def test_a_file_received_before_its_campaign_opens_is_a_finding(
    make_settings, reference, tmp_path: Path
) -> None:
    references = tmp_path / "reference"
    shutil.copytree(Path(pipeline.__file__).parents[2] / "reference", references)
    (references / "campaigns.yaml").write_text(
        '- {id: "2025", opens_on: 2025-01-15, deadline: 2025-03-31}\n'
        '- {id: "2026", opens_on: 2099-01-15, deadline: 2099-03-31}\n',
        encoding="utf-8",
    )
    settings = make_settings().model_copy(update={"reference_dir": references})
    inbox = settings.shared_folder("inbox", "opera")
    write_workbook(inbox / "opera.xlsx", reference, "opera", "2026", sample_rows("opera", "2026"))

    (outcome,) = pipeline.run_collection(settings)

    assert outcome.status == "accepted"
    with warehouse.engine_for(settings.url).connect() as connection:
        rules = connection.execute(sa.text("SELECT rule, severity FROM landing.findings")).all()
    assert ("recu_avant_ouverture", "warning") in {tuple(r) for r in rules}


def test_rejections_beyond_airflow_s_map_length_are_counted_not_mapped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def outcome(partner_id: str, status: str) -> pipeline.SubmissionOutcome:
        return pipeline.SubmissionOutcome(f"s-{partner_id}", partner_id, "plan.xlsx", status, 1, 0)

    processed = [outcome("a", "rejected"), outcome("b", "accepted")]
    processed += [outcome("c", "rejected"), outcome("d", "rejected")]

    with caplog.at_level(logging.WARNING, logger=pipeline.__name__):
        shown = pipeline.rejections_to_show(processed, room=2)
        roomy = pipeline.rejections_to_show(processed, room=3)

    assert [o.partner_id for o in shown] == ["a", "c"]
    assert [o.partner_id for o in roomy] == ["a", "c", "d"]
    (said,) = caplog.messages
    assert said.startswith("3 files rejected: the first 2 are shown one by one")
