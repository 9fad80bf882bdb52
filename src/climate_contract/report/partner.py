"""What a partner gets back in ``outbox/<partner>/`` for each file: a report in
the partner's language, and a copy of the workbook with every faulty cell marked."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from climate_contract.findings import Finding
from climate_contract.parse import ParsedSubmission
from climate_contract.parse.grid import read_grids
from climate_contract.safe_text import make_inert, safe_file_name
from climate_contract.wording import Language, Wording, format_number

log = logging.getLogger(__name__)

FILLS = {
    "error": PatternFill("solid", fgColor="F4B6B6"),
    "warning": PatternFill("solid", fgColor="FCE4B0"),
}
SEVERITY_LABELS = {
    "error": Wording("Erreur", "Error"),
    "warning": Wording("Avertissement", "Warning"),
}
OutputKind = Literal["report", "annotated"]
FILE_SUFFIXES: dict[OutputKind, Wording] = {
    "report": Wording("rapport.html", "report.html"),
    "annotated": Wording("a-corriger.xlsx", "to-fix.xlsx"),
}
EXCEL_SHEET_TITLE_CHARACTERS = 31
EXCEL_CELL_CHARACTERS = 32_767
# Every template of this environment is an HTML page, whatever its name says:
# escaping is on for all of them (select_autoescape(["html"]) misses "x.html.j2").
_pages = Environment(loader=PackageLoader("climate_contract.report"), autoescape=True)


@dataclass(frozen=True)
class Feedback:
    partner_name: str
    campaign_id: str
    file_name: str
    received_at: datetime
    accepted: bool
    findings: list[Finding]
    language: Language = "fr"


def _total(table: pa.Table | None, column: str) -> float:
    if table is None or column not in table.column_names or table.num_rows == 0:
        return 0.0
    return float(pc.sum(table[column]).as_py() or 0)


@dataclass(frozen=True)
class CountedAmount:
    """One amount of a foreign layout as it was counted: from which row, for whom,
    over which years, how much a year."""

    row: int
    funder: str
    years: str
    per_year: str
    total: str


def counted_amounts(parsed: ParsedSubmission, language: Language) -> list[CountedAmount]:
    """How the amounts of a file in a foreign layout were spread over years (the
    profiles doc's rule), for the partner to check; none for the template, whose
    rows are the partner's own."""
    investments = parsed.sheets.get("investments")
    if parsed.profile is None or investments is None:
        return []
    not_given = Wording("année non renseignée", "year not given").in_language(language)
    own_funds = Wording("(reste du budget : fonds propres)", "(rest of the budget: own funds)")
    groups: dict[tuple[int, str], list[tuple[int | None, float]]] = {}
    for row in investments.table.to_pylist():
        if row["amount_eur"] is None:
            continue
        funder = row["funder"] or own_funds.in_language(language)
        groups.setdefault((row["source_row"], funder), []).append((row["year"], row["amount_eur"]))
    counted = []
    for (source_row, funder), shares in groups.items():
        years = sorted(year for year, _ in shares if year is not None)
        span = (
            not_given
            if not years
            else f"{years[0]}-{years[-1]}"
            if len(years) > 1
            else str(years[0])
        )
        amounts = sorted({amount for _, amount in shares})
        per_year = " / ".join(format_number(amount, language, 2) for amount in amounts)
        total = format_number(sum(amount for _, amount in shares), language, 2)
        counted.append(CountedAmount(source_row, funder, span, per_year, total))
    return counted


def write_report(
    folder: Path,
    feedback: Feedback,
    parsed: ParsedSubmission,
    estimates: pa.Table,
    annotated_copy: bool = False,
) -> Path:
    """The HTML report: accepted or rejected, what was loaded, every finding; it
    points at the annotated copy only when ``annotated_copy`` says one was written."""
    sheets = parsed.sheets
    actions = sheets.get("actions")
    totals = {
        "actions": actions.table.num_rows if actions else 0,
        "investment_eur": format_number(
            _total(sheets["investments"].table if "investments" in sheets else None, "amount_eur"),
            feedback.language,
        ),
        "estimated_tco2e": format_number(
            _total(estimates, "tco2e_avoided_per_year"), feedback.language, 1
        ),
    }
    ordered = sorted(
        feedback.findings,
        key=lambda f: (f.severity != "error", f.sheet or "", f.row or 0, f.column or ""),
    )
    html = _pages.get_template(f"partner_report.{feedback.language}.html.j2").render(
        feedback=feedback,
        language=feedback.language,
        totals=totals,
        findings=ordered,
        errors=sum(f.severity == "error" for f in ordered),
        warnings=sum(f.severity == "warning" for f in ordered),
        severity_labels=SEVERITY_LABELS,
        annotated_copy=annotated_copy,
        counted=counted_amounts(parsed, feedback.language) if feedback.accepted else [],
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = _output_path(folder, feedback, "report")
    # A name the file system gave as undecodable bytes holds lone surrogates: shown
    # as "?" rather than refusing the partner its report.
    path.write_text(html, encoding="utf-8", errors="replace")
    return path


def _output_path(folder: Path, feedback: Feedback, kind: OutputKind) -> Path:
    return answer_path(folder, feedback.received_at, feedback.file_name, feedback.language, kind)


def answer_path(
    folder: Path, received_at: datetime, file_name: str, language: Language, kind: OutputKind
) -> Path:
    """Where the answer of ``kind`` to a file received at ``received_at`` is written."""
    # The whole name, extension included: plan.csv and plan.xlsx sent in the same
    # second get an answer each.
    stem = f"{received_at:%Y%m%dT%H%M%S}-{safe_file_name(file_name)}"
    return folder / f"{stem}-{FILE_SUFFIXES[kind].in_language(language)}"


def _writable(value: Any) -> Any:
    """A cell value as openpyxl writes it and spreadsheet programs open it: a number
    with no figure (NaN, infinity) and text with characters XML forbids or beyond
    a cell's length become text that shows what the partner sent."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:EXCEL_CELL_CHARACTERS]
    return value


def _sheet_title(name: str, taken: list[str]) -> str:
    """The partner's sheet name as an xlsx sheet title: no character Excel refuses,
    short enough, and distinct from the titles already ``taken``."""
    title = INVALID_TITLE_REGEX.sub("_", name)[:EXCEL_SHEET_TITLE_CHARACTERS] or "_"
    number = 1
    while title.casefold() in {other.casefold() for other in taken}:
        number += 1
        suffix = f" ({number})"
        title = f"{title[: EXCEL_SHEET_TITLE_CHARACTERS - len(suffix)]}{suffix}"
    return title


def _workbook_to_annotate(parsed: ParsedSubmission) -> tuple[Workbook, dict[str, str]]:
    """The partner's own xlsx (formatting and formulas kept, macros dropped); for ods
    and csv, an xlsx holding the same cells, sheet by sheet, text never evaluated.
    With it, the title in the copy of each of the partner's sheet names."""
    if parsed.path.suffix.lower() in {".xlsx", ".xlsm"}:
        workbook = load_workbook(parsed.path)
        return workbook, {title: title for title in workbook.sheetnames}
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles: dict[str, str] = {}
    for name, grid in read_grids(parsed.path).items():
        worksheet = workbook.create_sheet(_sheet_title(name, workbook.sheetnames))
        titles[name] = worksheet.title
        rewritten = 0
        for row_number, row in enumerate(grid, start=1):
            for column_number, value in enumerate(row, start=1):
                if value is None:
                    continue
                written = _writable(value)
                rewritten += written != value
                cell = worksheet.cell(row=row_number, column=column_number, value=written)
                make_inert(cell)
        if rewritten:
            log.warning(
                "%s: %d cell(s) of sheet %r written as text in the annotated copy",
                parsed.path,
                rewritten,
                name,
            )
    return workbook, titles


def write_annotated_copy(folder: Path, feedback: Feedback, parsed: ParsedSubmission) -> Path | None:
    """A copy of the workbook with each faulty cell coloured and commented, or None
    when no finding points at a cell, or when the workbook cannot be copied (the
    report says everything the copy would)."""
    located = [f for f in feedback.findings if f.sheet and f.row and f.column]
    if not located:
        return None
    path = _output_path(folder, feedback, "annotated")
    try:
        _annotate(path, feedback, parsed, located)
    except Exception:
        # Cells or sheets openpyxl refuses, a workbook it cannot open: the partner's
        # content must never stop its own answer.
        log.warning("no annotated copy of %s", parsed.path, exc_info=True)
        path.unlink(missing_ok=True)
        return None
    return path


def _annotate(
    path: Path, feedback: Feedback, parsed: ParsedSubmission, located: list[Finding]
) -> None:
    workbook, titles = _workbook_to_annotate(parsed)
    for finding in located:
        if finding.sheet not in titles:
            continue
        cell = workbook[titles[finding.sheet]].cell(
            row=finding.row, column=column_index_from_string(finding.column)
        )
        label, message = SEVERITY_LABELS[finding.severity], finding.message
        comment = Wording(f"{label.fr} : {message.fr}", f"{label.en}: {message.en}")
        text = comment.in_language(feedback.language)
        if cell.comment is not None and cell.comment.author == "climate-contract":
            text = f"{cell.comment.text}\n\n{text}"
        if cell.fill != FILLS["error"]:
            cell.fill = FILLS[finding.severity]
        cell.comment = Comment(_writable(text), "climate-contract", width=400, height=150)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
