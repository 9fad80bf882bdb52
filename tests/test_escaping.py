"""Partner text is escaped by construction in everything we write back: the HTML
report (as a browser renders it), workbook copies, and what the command line prints."""

from __future__ import annotations

import csv
import logging
import os
import re
import zipfile
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pyarrow as pa
from typer.testing import CliRunner

from climate_contract import aggregate, pipeline, report, warehouse
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
    "javascript:document.title='PWNED'",
    "Raccordement <36 kVA & >250 kVA",
    "Déjà échappé : &amp; &lt;b&gt; &#60;i&#62;",
    "Bâtiment \u202egnp.exe\u202c {{ 7*7 }} {% raw %}",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example","clic")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
]


FORMULA = re.compile(r"<f>(.*?)</f>")


class _PageText(HTMLParser):
    """The text a reader sees: the page's title, and each table row's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.rows: list[list[str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in {"title", "td"}:
            self._open = tag
            if tag == "td":
                self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "title":
            self.title += data
        elif self._open == "td":
            self.rows[-1][-1] += data


def _page_text(dom: str) -> _PageText:
    text = _PageText()
    text.feed(dom)
    return text


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
    for language, title_words in (("fr", "Rapport de dépôt : "), ("en", "Submission report: ")):
        page = report.write_report(
            tmp_path / language,
            _hostile_feedback(language),
            ParsedSubmission(tmp_path / "x.xlsx"),
            pa.table({}),
        )

        seen = _page_text(_rendered(page, tmp_path / language))

        # Every script payload would set the title: it still names the file, as typed.
        assert seen.title == f"{title_words}{HOSTILE[1]}.xlsx"
        findings = [row for row in seen.rows if row]
        assert sorted(row[4] for row in findings) == sorted(HOSTILE)
        assert sorted(row[1] for row in findings) == sorted(f"Actions{text}" for text in HOSTILE)


def _feedback(file_name: str, *findings: Finding) -> report.Feedback:
    return report.Feedback(
        partner_name="Partenaire",
        campaign_id="2026",
        file_name=file_name,
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
        accepted=False,
        findings=list(findings) or [Finding("error", "type", Wording("x", "x"), "Actions", 3, "B")],
    )


def _csv(path: Path, rows: list[list[str]]) -> Path:
    """A partner's CSV holding an Actions section: its title line, headers, ``rows``."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Actions"])
        writer.writerow(["Référence de l'action", "Intitulé"])
        writer.writerows(rows)
    return path


def _ods(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """An ODS package written by hand, so that its sheet names and cells are what a
    spreadsheet program would never produce; each cell is its ``table:table-cell``."""
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join(f"<table:table-row>{''.join(cells)}</table:table-row>" for cells in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("META-INF/manifest.xml", manifest)
        package.writestr("content.xml", content)
    return path


def _text_cell(text: str) -> str:
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(text)}</text:p></table:table-cell>"
    )


def _number_cell(value: str) -> str:
    return f'<table:table-cell office:value-type="float" office:value="{value}"/>'


def _formula_elements(copy: Path) -> list[str]:
    """Every formula the written xlsx holds, read from its XML, not through openpyxl."""
    with zipfile.ZipFile(copy) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/")]
        return [
            formula for name in sheets for formula in FORMULA.findall(package.read(name).decode())
        ]


def test_formula_text_from_a_csv_stays_text_in_the_annotated_copy(tmp_path: Path) -> None:
    source = _csv(
        tmp_path / "plan.csv", [[f"A{index}", text] for index, text in enumerate(FORMULAS)]
    )

    copy = report.write_annotated_copy(
        tmp_path / "outbox", _feedback("plan.csv"), ParsedSubmission(source)
    )

    assert copy is not None
    sheet = openpyxl.load_workbook(copy)["Actions"]
    cells = [sheet.cell(row=3 + index, column=2) for index in range(len(FORMULAS))]
    assert [cell.value for cell in cells] == FORMULAS
    assert {cell.data_type for cell in cells} == {"s"}
    assert _formula_elements(copy) == []


def test_an_ods_file_s_odd_sheets_and_cells_become_an_inert_copy(tmp_path: Path, caplog) -> None:
    long_name = "Actions: [2026] / à revoir? * oui, vraiment"
    source = _ods(
        tmp_path / "plan.ods",
        {
            long_name: [
                [_text_cell(text) for text in FORMULAS],
                [_number_cell("NaN"), _number_cell("INF"), _number_cell("-INF")],
            ],
            f"{long_name} (bis)": [[_text_cell("second")]],
        },
    )
    feedback = _feedback(
        "plan.ods",
        Finding("error", "type", Wording("x", "x"), long_name, 2, "A"),
        Finding("error", "type", Wording("y", "y"), f"{long_name} (bis)", 1, "A"),
    )

    with caplog.at_level(logging.WARNING):
        copy = report.write_annotated_copy(tmp_path / "outbox", feedback, ParsedSubmission(source))

    assert copy is not None
    workbook = openpyxl.load_workbook(copy)
    first, second = workbook.worksheets[1:]  # after the summary of findings
    assert first.title == "Actions_ _2026_ _ à revoir_ _ o"
    assert second.title == "Actions_ _2026_ _ à revoir_ (2)"  # 31 characters, not a duplicate
    assert [cell.value for cell in first[1]] == FORMULAS
    assert {cell.data_type for cell in first[1]} == {"s"}
    assert (first["A2"].value, first["B2"].value, first["C2"].value) == ("nan", "inf", "-inf")
    assert first["A2"].comment.text == "Erreur : x"
    assert second["A1"].comment.text == "Erreur : y"
    assert _formula_elements(copy) == []
    assert "3 cell(s)" in caplog.text


def test_an_xlsx_keeps_the_partner_s_formulas_and_never_makes_text_one(tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet["A1"] = "=1+1"
    sheet["B1"] = FORMULAS[0]
    sheet["B1"].data_type = "s"
    workbook.save(source)

    copy = report.write_annotated_copy(
        tmp_path / "outbox",
        _feedback("plan.xlsx", Finding("error", "type", Wording("x", "x"), "Actions", 1, "B")),
        ParsedSubmission(source),
    )

    assert copy is not None
    assert _formula_elements(copy) == ["1+1"]
    written = openpyxl.load_workbook(copy)["Actions"]
    assert (written["B1"].value, written["B1"].data_type) == (FORMULAS[0], "s")


def test_cells_openpyxl_refuses_are_written_as_text_it_accepts(tmp_path: Path) -> None:
    source = _csv(tmp_path / "plan.csv", [["A1", "texte \x01 illégal"], ["A2", "x" * 40_000]])
    feedback = _feedback(
        "plan.csv",
        Finding("error", "type", Wording("« \x02 » refusé", '"\x02" refused'), "Actions", 3, "B"),
    )

    copy = report.write_annotated_copy(tmp_path / "outbox", feedback, ParsedSubmission(source))

    assert copy is not None
    sheet = openpyxl.load_workbook(copy)["Actions"]
    assert sheet["B3"].value == "texte \ufffd illégal"
    assert sheet["B4"].value == "x" * 32_767  # the most a cell holds in Excel
    assert sheet["B3"].comment.text == "Erreur : « \ufffd » refusé"


def test_a_copy_that_cannot_be_written_is_skipped_and_the_report_still_written(
    tmp_path: Path, caplog
) -> None:
    source = tmp_path / "plan.xlsx"
    source.write_bytes(b"PK\x03\x04 not a workbook")
    feedback, parsed = _feedback("plan.xlsx"), ParsedSubmission(source)

    with caplog.at_level(logging.WARNING):
        copy = report.write_annotated_copy(tmp_path / "outbox", feedback, parsed)
    page = report.write_report(tmp_path / "outbox", feedback, parsed, pa.table({}))

    assert copy is None
    assert [path.name for path in (tmp_path / "outbox").iterdir()] == [page.name]
    assert f"no annotated copy of {source}" in caplog.text


def test_odd_or_long_file_names_give_outputs_under_names_we_built(tmp_path: Path) -> None:
    names = [
        os.fsdecode(b"\xff\xfe.csv"),  # not UTF-8: what a name of another encoding gives
        "é" * 124 + ".csv",  # 252 bytes, near every file system's limit
        '..\u202e[x]<y>|"z"?.csv',
    ]
    for index, name in enumerate(names):
        source = _csv(tmp_path / name, [["A1", "texte"]])
        outbox = tmp_path / f"outbox-{index}"

        page = report.write_report(outbox, _feedback(name), ParsedSubmission(source), pa.table({}))
        copy = report.write_annotated_copy(outbox, _feedback(name), ParsedSubmission(source))

        assert copy is not None
        written = sorted(os.listdir(os.fsencode(outbox)))
        assert written == sorted(os.fsencode(path.name) for path in (page, copy))
        for raw in written:
            assert len(raw) <= 160
            assert raw.decode("utf-8").isprintable()
            assert not set(raw.decode("utf-8")) & set('\u202e[]<>|"?/')


def test_names_printed_by_the_command_line_are_never_read_as_markup(
    make_settings, monkeypatch
) -> None:
    outcome = pipeline.SubmissionOutcome(
        "s", "chu", "[bold red]x[/][link=http://e]y.xlsx", "accepted", 0, 0
    )
    monkeypatch.setattr(pipeline, "run_collection", lambda settings, progress: [outcome])
    monkeypatch.setenv("CLIMATE_CONTRACT_DATA_DIR", str(make_settings().data_dir))

    printed = CliRunner().invoke(app, ["run"]).output

    assert "[bold red]x[/][link=http://e]y.xlsx" in printed


def test_marts_printed_by_the_command_line_show_their_text_as_typed(
    make_settings, monkeypatch
) -> None:
    typed = "[bold red]Ville[/] [link=http://evil.example]clic[/link]"
    mart = pa.table({"partner_name": [typed], "investment_eur": [1234.5]})
    monkeypatch.setattr(aggregate, "read_mart", lambda engine, name, columns, where: mart)
    monkeypatch.setenv("CLIMATE_CONTRACT_DATA_DIR", str(make_settings().data_dir))

    printed = CliRunner().invoke(app, ["mart", "[blink]commitments[/]"]).output

    assert typed in printed
    assert "marts.[blink]commitments[/]" in printed


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
        (row,) = list(csv.DictReader(stream, delimiter=";"))
    assert row["Dernier fichier"] == f"'{FORMULAS[0]}"
