"""What a partner gets back in ``outbox/<partner>/`` for each file: a report in
the partner's language, and a copy of the workbook with every faulty cell marked."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from climate_contract.estimate.emissions import declared_carbon, estimated_by_action
from climate_contract.findings import Finding, Severity
from climate_contract.parse import ParsedSubmission
from climate_contract.parse.grid import read_grids
from climate_contract.safe_text import make_inert, safe_file_name
from climate_contract.wording import Language, Wording, format_number, territory_time

if TYPE_CHECKING:
    from climate_contract.reference import ReferenceData

log = logging.getLogger(__name__)

FILLS = {
    "error": PatternFill("solid", fgColor="F4B6B6"),
    "warning": PatternFill("solid", fgColor="FCE4B0"),
}
SEVERITY_LABELS = {
    "error": Wording("Erreur", "Error"),
    "warning": Wording("Avertissement", "Warning"),
}
FINDING_COLUMNS = (
    Wording("Gravité", "Severity"),
    Wording("Feuille", "Sheet"),
    Wording("Ligne", "Row"),
    Wording("Colonne", "Column"),
    Wording("Valeur trouvée", "Value found"),
    Wording("Que faire", "What to do"),
)
"""What a partner reads of each finding, in the report and in the copy's summary sheet."""
RECEIVED = Wording(
    "reçu le {:%d/%m/%Y à %H:%M} (heure de Paris)",
    "received on {:%Y-%m-%d at %H:%M} (Paris time)",
)
CarbonBasis = Literal["estimate", "declared"]
CARBON_BASIS_LABELS: dict[CarbonBasis, Wording] = {
    "estimate": Wording("Estimation", "Estimate"),
    "declared": Wording("Votre déclaration", "Your declaration"),
}
NO_YEAR = Wording("Sans année", "No year")
SUMMARY_TITLE = Wording("Résumé", "Summary")
CELL_HEADING = Wording("Cellule", "Cell")
SUMMARY_HEADING_ROW = 4
SUMMARY_COLUMN_WIDTHS = (10, 15, 22, 8, 28, 28, 90)
TAB_COLOURS: dict[Severity | None, str] = {"error": "C00000", "warning": "FFC000", None: "00B050"}
"""A sheet's tab in the annotated copy: red with an error, amber with only warnings,
green with nothing to fix."""
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
    reference: ReferenceData | None = None,
) -> Path:
    """The HTML report: accepted or rejected, what was loaded, every finding; it
    points at the annotated copy only when ``annotated_copy`` says one was written.

    With the ``reference`` data the file was checked against, the report of an
    accepted file also gives, action by action, its carbon (declared, estimated,
    retained) and its money year by year, as the territory counts them."""
    language = feedback.language
    money = money_by_action_and_year(parsed, reference, language)
    totals = {
        "actions": _action_count(parsed),
        "investment_eur": format_number(money.total, language),
        "estimated_tco2e": format_number(_total(estimates, "tco2e_avoided_per_year"), language, 1),
    }
    detailed = feedback.accepted and reference is not None
    html = _pages.get_template(f"partner_report.{language}.html.j2").render(
        feedback=feedback,
        language=language,
        received=_received(feedback.received_at, language),
        totals=totals,
        findings=_in_reading_order(feedback.findings),
        finding_columns=[column.in_language(language) for column in FINDING_COLUMNS],
        column_label=partial(_column_label, language=language),
        errors=sum(f.severity == "error" for f in feedback.findings),
        warnings=sum(f.severity == "warning" for f in feedback.findings),
        severity_labels=SEVERITY_LABELS,
        annotated_copy=annotated_copy,
        counted=counted_amounts(parsed, language) if feedback.accepted else [],
        carbon=carbon_by_action(parsed, estimates, reference) if detailed else None,
        carbon_basis_labels=CARBON_BASIS_LABELS,
        money=money if detailed and money.actions else None,
        tonnes=partial(_figure, language=language, decimals=1),
        euros=partial(_figure, language=language, decimals=0),
        year_label=partial(_year_label, language=language),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = _output_path(folder, feedback, "report")
    # A name the file system gave as undecodable bytes holds lone surrogates: shown
    # as "?" rather than refusing the partner its report.
    path.write_text(html, encoding="utf-8", errors="replace")
    return path


def _action_count(parsed: ParsedSubmission) -> int:
    actions = parsed.sheets.get("actions")
    return actions.table.num_rows if actions else 0


def _received(received_at: datetime, language: Language) -> str:
    """When the file arrived, by the territory's clock."""
    return RECEIVED.in_language(language).format(territory_time(received_at))


def _in_reading_order(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then sheet by sheet and row by row: the order a partner fixes them in."""
    return sorted(
        findings,
        key=lambda f: (f.severity != "error", f.sheet or "", f.row or 0, f.column or ""),
    )


def _column_label(finding: Finding, language: Language) -> str:
    """The finding's column as the partner finds it: its letter, and the header above it."""
    header = finding.header.in_language(language) if finding.header else ""
    if not finding.column:
        return header
    return f"{finding.column} ({header})" if header else finding.column


def _figure(value: float | None, language: Language, decimals: int) -> str:
    return "" if value is None else format_number(value, language, decimals)


def _year_label(year: int | None, language: Language) -> str:
    return NO_YEAR.in_language(language) if year is None else str(year)


def _total_of(values: Iterable[float | None]) -> float | None:
    """The sum of the figures given, or None when not one was."""
    given = [value for value in values if value is not None]
    return sum(given) if given else None


def _action_titles(parsed: ParsedSubmission) -> dict[str, str]:
    """Each action's title by reference, in the order of the partner's Actions sheet."""
    actions = parsed.sheets.get("actions")
    if actions is None:
        return {}
    rows = actions.table.select(["action_ref", "title"]).to_pylist()
    return {row["action_ref"]: row["title"] or "" for row in rows if row["action_ref"]}


def _in_action_order(titles: dict[str, str], references: Iterable[str]) -> list[str]:
    """``references`` in the order the partner listed its actions, any other after."""
    position = {reference: index for index, reference in enumerate(titles)}
    return sorted(set(references), key=lambda ref: (position.get(ref, len(position)), ref))


@dataclass(frozen=True)
class ActionCarbon:
    """One action's tCO2e avoided a year: as the partner declared it, as estimated
    from its activity data (None where the file gives no such figure)."""

    action_ref: str
    title: str
    declared: float | None
    estimated: float | None

    @property
    def retained_basis(self) -> CarbonBasis | None:
        # The rule the marts count by (sql/models/intermediate/carbon_lines.sql),
        # applied before the file is loaded: the estimate beats the declaration.
        if self.estimated is not None:
            return "estimate"
        if self.declared is not None:
            return "declared"
        return None

    @property
    def retained(self) -> float | None:
        if self.retained_basis is None:
            return None
        return self.estimated if self.retained_basis == "estimate" else self.declared


@dataclass(frozen=True)
class CarbonTable:
    actions: list[ActionCarbon]

    @property
    def declared(self) -> float | None:
        return _total_of(action.declared for action in self.actions)

    @property
    def estimated(self) -> float | None:
        return _total_of(action.estimated for action in self.actions)

    @property
    def retained(self) -> float | None:
        return _total_of(action.retained for action in self.actions)


def carbon_by_action(
    parsed: ParsedSubmission, estimates: pa.Table, reference: ReferenceData
) -> CarbonTable:
    """Every action with a declared or estimated carbon figure, in the partner's order.

    Declared: the sum of its "GHG emissions avoided" impact rows in tCO2e, each in its
    unit's scale (sql/models/staging/stg_impacts.sql). Estimated: the sum of its
    ``estimates`` rows, one per impact row of activity data."""
    declared: dict[str, float] = defaultdict(float)
    impacts = parsed.sheets.get("impacts")
    if impacts is not None:
        for action_ref, tonnes, _ in declared_carbon(impacts.table, reference):
            declared[action_ref or ""] += tonnes
    estimated: dict[str, float] = defaultdict(float)
    for action_ref, tonnes in estimated_by_action(estimates).items():
        estimated[action_ref or ""] += tonnes
    titles = _action_titles(parsed)
    return CarbonTable(
        [
            ActionCarbon(ref, titles.get(ref, ""), declared.get(ref), estimated.get(ref))
            for ref in _in_action_order(titles, [*declared, *estimated])
        ]
    )


@dataclass(frozen=True)
class ActionMoney:
    action_ref: str
    title: str
    by_year: dict[int | None, float]

    @property
    def total(self) -> float:
        return sum(self.by_year.values())


@dataclass(frozen=True)
class MoneyTable:
    """The amounts of a file before tax, by action and year."""

    actions: list[ActionMoney]
    before_tax_notes: list[str] = field(default_factory=list)
    """How amounts declared with VAT were brought before tax, one note per tax basis."""

    @property
    def years(self) -> list[int | None]:
        given = {year for action in self.actions for year in action.by_year}
        return sorted(given, key=lambda year: (year is None, year or 0))

    def year_total(self, year: int | None) -> float:
        return sum(action.by_year.get(year, 0.0) for action in self.actions)

    @property
    def total(self) -> float:
        return sum(action.total for action in self.actions)


def _vat_rate(tax_basis: str | None, reference: ReferenceData | None) -> float:
    basis = reference.code_value("tax_basis", tax_basis) if reference and tax_basis else None
    return (basis.vat_rate if basis else None) or 0.0


def money_by_action_and_year(
    parsed: ParsedSubmission, reference: ReferenceData | None, language: Language
) -> MoneyTable:
    """The file's amounts as the territory adds them up: before tax, an amount on a
    basis that includes VAT divided by 1 + its rate (sql/models/staging/
    stg_investments.sql). Without ``reference``, amounts are taken as declared."""
    investments = parsed.sheets.get("investments")
    amounts: dict[str, dict[int | None, float]] = defaultdict(lambda: defaultdict(float))
    rates: dict[str, float] = {}
    for row in investments.table.to_pylist() if investments else []:
        if row["amount_eur"] is None:
            continue
        rate = _vat_rate(row["tax_basis"], reference)
        if rate:
            rates[row["tax_basis"]] = rate
        amounts[row["action_ref"] or ""][row["year"]] += row["amount_eur"] / (1 + rate)
    titles = _action_titles(parsed)
    notes = [
        _before_tax_note(basis, rate, reference, language) for basis, rate in sorted(rates.items())
    ]
    return MoneyTable(
        [
            ActionMoney(ref, titles.get(ref, ""), dict(amounts[ref]))
            for ref in _in_action_order(titles, amounts)
        ],
        notes,
    )


def _before_tax_note(
    tax_basis: str, rate: float, reference: ReferenceData | None, language: Language
) -> str:
    basis = reference.code_value("tax_basis", tax_basis) if reference else None
    label = basis.label if basis else Wording(tax_basis, tax_basis)
    percent = f"{rate * 100:g}"
    return Wording(
        f"{label.fr} (TVA à {percent.replace('.', ',')}\u00a0%)",
        f"{label.en} (VAT at {percent}%)",
    ).in_language(language)


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
    _colour_tabs(workbook, titles, feedback.findings)
    _open_on(workbook, _summary_sheet(workbook, titles, feedback))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _colour_tabs(workbook: Workbook, titles: dict[str, str], findings: list[Finding]) -> None:
    worst: dict[str, Severity] = {}
    for finding in findings:
        title = titles.get(finding.sheet or "")
        if title is not None and worst.get(title) != "error":
            worst[title] = finding.severity
    for worksheet in workbook.worksheets:
        worksheet.sheet_properties.tabColor = TAB_COLOURS[worst.get(worksheet.title)]


def _cell_link(finding: Finding, titles: dict[str, str]) -> Hyperlink | None:
    """A link to the cell the finding marks in the copy; None for a finding about the
    file, a sheet or a row as a whole."""
    title = titles.get(finding.sheet or "")
    if title is None or not finding.row or not finding.column:
        return None
    quoted_title = title.replace("'", "''")
    return Hyperlink(ref="", location=f"'{quoted_title}'!{finding.column}{finding.row}")


def _summary_sheet(workbook: Workbook, titles: dict[str, str], feedback: Feedback) -> Worksheet:
    """A first sheet listing every finding, each with a link to its cell."""
    language = feedback.language
    errors = sum(f.severity == "error" for f in feedback.findings)
    warnings = len(feedback.findings) - errors
    intro = Wording(
        f"« {feedback.file_name} », {_received(feedback.received_at, 'fr')} : "
        f"{errors} erreur(s) et {warnings} avertissement(s). Cliquez sur une cellule de "
        f"la colonne « {CELL_HEADING.fr} » pour y aller. Onglets : en rouge, des erreurs "
        "à corriger ; en orange, des avertissements seulement ; en vert, rien à signaler.",
        f'"{feedback.file_name}", {_received(feedback.received_at, "en")}: '
        f"{errors} error(s) and {warnings} warning(s). Click a cell of the "
        f'"{CELL_HEADING.en}" column to go there. Tabs: red, errors to correct; amber, '
        "warnings only; green, nothing to report.",
    )
    title = _sheet_title(SUMMARY_TITLE.in_language(language), workbook.sheetnames)
    summary = workbook.create_sheet(title, 0)
    headings = [CELL_HEADING, *FINDING_COLUMNS]
    rows: list[list[Any]] = [
        [SUMMARY_TITLE.in_language(language)],
        [intro.in_language(language)],
        [],
        [heading.in_language(language) for heading in headings],
    ]
    links: dict[int, Hyperlink] = {}
    for finding in _in_reading_order(feedback.findings):
        link = _cell_link(finding, titles)
        if link is not None:
            links[len(rows) + 1] = link
        rows.append(
            [
                f"{finding.column}{finding.row}" if link else None,
                SEVERITY_LABELS[finding.severity].in_language(language),
                titles.get(finding.sheet or "", finding.sheet),
                finding.row,
                _column_label(finding, language) or None,
                finding.value,
                finding.message.in_language(language),
            ]
        )
    for row_number, values in enumerate(rows, start=1):
        for column_number, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = summary.cell(row=row_number, column=column_number, value=_writable(value))
            make_inert(cell)
    for row_number, link in links.items():
        cell = summary.cell(row=row_number, column=1)
        link.ref = cell.coordinate
        cell.hyperlink = link
        cell.style = "Hyperlink"
    _lay_out_summary(summary, len(headings), len(rows))
    return summary


def _lay_out_summary(summary: Worksheet, columns: int, rows: int) -> None:
    summary["A1"].font = Font(bold=True, size=14)
    for cell in summary[SUMMARY_HEADING_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF3F0")
    last_column = get_column_letter(columns)
    for row in summary.iter_rows(min_row=SUMMARY_HEADING_ROW + 1, max_row=rows):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for number, width in enumerate(SUMMARY_COLUMN_WIDTHS, start=1):
        summary.column_dimensions[get_column_letter(number)].width = width
    summary.freeze_panes = summary.cell(row=SUMMARY_HEADING_ROW + 1, column=1)
    summary.auto_filter.ref = f"A{SUMMARY_HEADING_ROW}:{last_column}{rows}"


def _open_on(workbook: Workbook, sheet: Worksheet) -> None:
    """Make ``sheet`` the one a spreadsheet program shows on opening, alone selected:
    the partner's workbook may have left another tab selected, and two selected tabs
    are edited together."""
    workbook.active = sheet
    for view in workbook.views:
        view.firstSheet = 0
    for worksheet in workbook.worksheets:
        worksheet.sheet_view.tabSelected = worksheet is sheet
    for chartsheet in workbook.chartsheets:
        for view in chartsheet.sheetViews.sheetView:
            view.tabSelected = False
