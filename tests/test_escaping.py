"""Partner text is escaped by construction in everything we write back: the HTML
report (as a browser renders it), workbook copies, and what the command line prints."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from climate_contract import pipeline, report, warehouse
from climate_contract.cli import app
from climate_contract.findings import Finding
from climate_contract.parse import ParsedSubmission
from climate_contract.wording import Wording
from tests.test_partner_feedback import _rendered

HOSTILE = [
    "<img src=x onerror=\"document.title='PWNED'\">",
    "<script>document.title='PWNED'</script>",
    '"><svg onload="document.title=\'PWNED\'">',
    "</style><script>document.title='PWNED'</script>",
    "<a href=\"javascript:document.title='PWNED'\">clic</a>",
    "Raccordement <36 kVA & >250 kVA",
]
FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]


def _hostile_feedback(language: str) -> report.Feedback:
    findings = [
        Finding(
            "error",
            "type",
            Wording(f"Valeur {text}", f"Value {text}"),
            sheet=f"Actions{text}",
            row=3,
            column="B",
            header=Wording(text, text),
            value=text,
        )
        for text in HOSTILE
    ]
    return report.Feedback(
        partner_name=HOSTILE[0],
        campaign_id="2026",
        file_name=f"{HOSTILE[1]}.xlsx",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        accepted=False,
        findings=findings,
        language=language,
    )


def test_the_report_shows_hostile_text_as_typed_and_runs_none_of_it(tmp_path: Path) -> None:
    for language in ("fr", "en"):
        page = report.write_report(
            tmp_path / language,
            _hostile_feedback(language),
            ParsedSubmission(tmp_path / "x.xlsx"),
            report.partner.pa.table({}),
        )

        dom = _rendered(page, tmp_path / language)

        title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
        assert title is not None
        assert title.group(1).strip() != "PWNED"  # what any payload run would set
        assert "<img src=" not in dom
        assert "<svg" not in dom
        assert "&lt;36 kVA &amp; &gt;250 kVA" in dom
        assert "&lt;img src=x onerror=" in dom


def test_formula_text_from_a_csv_stays_text_in_the_annotated_copy(tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    with source.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Actions"])
        writer.writerow(["Référence de l'action", "Intitulé"])
        writer.writerows([[f"A{index}", text] for index, text in enumerate(FORMULAS)])
    feedback = report.Feedback(
        partner_name="Partenaire",
        campaign_id="2026",
        file_name="plan.csv",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        accepted=False,
        findings=[Finding("error", "type", Wording("x", "x"), "Actions", 3, "B")],
    )

    copy = report.write_annotated_copy(tmp_path / "outbox", feedback, ParsedSubmission(source))

    assert copy is not None
    sheet = openpyxl.load_workbook(copy)["Actions"]
    cells = [sheet.cell(row=3 + index, column=2) for index in range(len(FORMULAS))]
    assert [cell.value for cell in cells] == FORMULAS
    assert {cell.data_type for cell in cells} == {"s"}


def test_a_copy_that_cannot_be_written_is_skipped_and_the_report_still_written(
    tmp_path: Path,
) -> None:
    source = tmp_path / "plan.csv"
    source.write_text("Actions\nRéférence de l'action;Intitulé\nA1;texte \x01 illégal\n")
    feedback = report.Feedback(
        partner_name="Partenaire",
        campaign_id="2026",
        file_name="plan.csv",
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        accepted=False,
        findings=[Finding("error", "type", Wording("x", "x"), "Actions", 3, "B")],
    )
    parsed = ParsedSubmission(source)

    copy = report.write_annotated_copy(tmp_path / "outbox", feedback, parsed)
    page = report.write_report(tmp_path / "outbox", feedback, parsed, report.partner.pa.table({}))

    assert copy is None
    assert [path.name for path in (tmp_path / "outbox").iterdir()] == [page.name]


def test_names_printed_by_the_command_line_are_never_read_as_markup(
    make_settings, monkeypatch
) -> None:
    outcome = pipeline.SubmissionOutcome(
        "s", "chu", "[bold red]x[/][link=http://e]y.xlsx", "accepted", 0, 0
    )
    monkeypatch.setattr(pipeline, "run_collection", lambda settings: [outcome])
    monkeypatch.setenv("CLIMATE_CONTRACT_DATA_DIR", str(make_settings().data_dir))

    printed = CliRunner().invoke(app, ["run"]).output

    assert "[bold red]x[/][link=http://e]y.xlsx" in printed


def test_the_steward_s_follow_up_writes_partner_file_names_inert(make_settings) -> None:
    settings = make_settings()
    pipeline.refresh_reference(settings)
    follow_up = report.FollowUp(
        campaign_id="2026",
        checked_on=date(2026, 4, 1),
        partner_id="chu",
        partner_name="CHU",
        state="rejete_sans_nouvel_envoi",
        late=True,
        latest_status="rejected",
        latest_file_name=FORMULAS[0],
        latest_error_count=2,
    )

    path = report.write_follow_up(
        warehouse.engine_for(settings.url), [follow_up], settings.data_dir / "steward"
    )

    with path.open(encoding="utf-8-sig", newline="") as stream:
        (_, row) = list(csv.reader(stream, delimiter=";"))
    assert row[3] == f"'{FORMULAS[0]}"
