"""What a partner gets back in outbox/: a French report (checked as rendered by a real
browser) with its carbon and money action by action, and the workbook copy with every
faulty cell commented, opening on a summary that links to each."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from climate_contract import pipeline, report, warehouse
from climate_contract.estimate import estimate_emissions
from climate_contract.findings import Finding
from climate_contract.parse import ParsedSubmission, parse_submission
from climate_contract.reference import ReferenceData
from climate_contract.samples import sample_rows
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from climate_contract.wording import Wording

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _rendered(page: Path, tmp_path: Path) -> str:
    """The page's DOM after Chromium has loaded it, and a screenshot beside it."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: `make test` installs it (apt-get)")
        pytest.skip("no chromium on this machine: `make test` installs it (apt-get)")
    profile = ["--user-data-dir=" + str(tmp_path / "chromium-profile")]
    shot = tmp_path / "rapport.png"
    subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            *profile,
            f"--screenshot={shot}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 10_000  # a page was painted, not a blank
    dumped = subprocess.run(
        [CHROMIUM, *HEADLESS, *profile, "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return dumped.stdout


@pytest.fixture
def rejected_and_accepted(make_settings, reference):
    settings = make_settings()
    rows = sample_rows("chu", "2026")
    rows["investments"][0] = rows["investments"][0] | {"amount_eur": -5}
    rows["actions"][1] = rows["actions"][1] | {"sector": "spatial"}
    write_workbook(
        settings.shared_root / "inbox" / "chu" / "chu.xlsx", reference, "chu", "2026", rows
    )
    write_workbook(
        settings.shared_root / "inbox" / "opera" / "opera.ods",
        reference,
        "opera",
        "2026",
        sample_rows("opera", "2026"),
    )
    pipeline.run_collection(settings)
    return settings


def test_a_rejected_file_gets_a_french_report_listing_every_finding(
    rejected_and_accepted, tmp_path: Path
) -> None:
    outbox = rejected_and_accepted.shared_root / "outbox" / "chu"
    (page,) = outbox.glob("*-rapport.html")

    dom = _rendered(page, tmp_path)

    assert 'lang="fr"' in dom
    assert "Fichier <strong>refusé</strong> : 2 erreur(s)" in dom
    assert "spatial" in dom
    assert "Choisissez l'une de : Résidentiel, Tertiaire" in dom
    assert "<td>Investissements</td>\n<td>2</td>\n<td>C (Montant (€))</td>" in dom


def test_an_accepted_file_gets_a_report_with_its_totals(rejected_and_accepted, tmp_path) -> None:
    outbox = rejected_and_accepted.shared_root / "outbox" / "opera"
    (page,) = outbox.glob("*-rapport.html")
    expected_actions = len(sample_rows("opera", "2026")["actions"])

    dom = _rendered(page, tmp_path)

    assert "Fichier <strong>accepté</strong>" in dom
    assert f"{expected_actions} action(s)" in dom
    assert not list(outbox.glob("*-a-corriger.xlsx"))  # nothing to point at


def test_the_workbook_copy_marks_and_comments_each_faulty_cell(rejected_and_accepted) -> None:
    outbox = rejected_and_accepted.shared_root / "outbox" / "chu"
    (copy,) = outbox.glob("*-a-corriger.xlsx")

    workbook = openpyxl.load_workbook(copy)

    sector = workbook["Actions"]["E3"]
    amount = workbook["Investissements"]["C2"]
    assert (sector.value, amount.value) == ("spatial", -5)
    assert "Erreur : « spatial » n'est pas une valeur autorisée" in sector.comment.text
    assert "La valeur -5 est négative" in amount.comment.text
    assert sector.fill.fgColor.rgb.endswith("F4B6B6")
    assert workbook["Actions"]["E2"].comment is None
    # The partner's own workbook, dropdowns and instructions included, so they fix this copy.
    assert "Instructions" in workbook.sheetnames
    assert workbook["Actions"].data_validations.dataValidation
    assert workbook.active.title == "Résumé"  # where the errors are, before the instructions


def test_an_ods_or_csv_file_is_annotated_as_an_xlsx_of_the_same_cells(
    make_settings, reference
) -> None:
    settings = make_settings()
    rows = sample_rows("club-sportif", "2026")
    rows["impacts"][0] = rows["impacts"][0] | {"unit": "ha"}
    write_workbook(
        settings.shared_root / "inbox" / "club-sportif" / "club.csv",
        reference,
        "club-sportif",
        "2026",
        rows,
    )
    pipeline.run_collection(settings)

    (copy,) = (settings.shared_root / "outbox" / "club-sportif").glob("*-a-corriger.xlsx")
    impacts = openpyxl.load_workbook(copy)["Impacts"]
    flagged = [cell for row in impacts.iter_rows() for cell in row if cell.comment]
    assert [(cell.coordinate, cell.value) for cell in flagged] == [
        (f"D{impacts.max_row - len(rows['impacts']) + 1}", "ha")
    ]


def test_a_partner_who_reads_english_gets_its_report_and_copy_in_english(
    make_settings, reference, tmp_path: Path
) -> None:
    settings = make_settings()
    assert reference.partner("centre-commercial").language == "en"
    rows = sample_rows("centre-commercial", "2026")
    rows["actions"][0] = rows["actions"][0] | {"sector": "spatial"}
    inbox = settings.shared_root / "inbox" / "centre-commercial"
    write_workbook(inbox / "plan.xlsx", reference, "centre-commercial", "2026", rows)

    pipeline.run_collection(settings)

    outbox = settings.shared_root / "outbox" / "centre-commercial"
    (page,) = outbox.glob("*-report.html")
    dom = _rendered(page, tmp_path)
    assert 'lang="en"' in dom
    assert "File <strong>rejected</strong>: 1 error(s)" in dom
    assert '"spatial" is not an allowed value for "Sector". Choose one of: Residential,' in dom
    assert "<td>Error</td>\n<td>Actions</td>\n<td>2</td>\n<td>E (Sector)</td>" in dom
    (copy,) = outbox.glob("*-to-fix.xlsx")
    sector = openpyxl.load_workbook(copy)["Actions"]["E2"]
    assert sector.comment.text.startswith('Error: "spatial" is not an allowed value')
    # The ledger keeps every finding in both languages, whichever the partner reads.
    with warehouse.engine_for(settings.url).connect() as connection:
        stored = connection.execute(
            sa.text(
                "SELECT message_fr, message_en FROM landing.findings WHERE rule = 'code_autorise'"
            )
        ).one()
    assert "« spatial » n'est pas une valeur autorisée" in stored.message_fr
    assert '"spatial" is not an allowed value' in stored.message_en


FRENCH_NUMBER = re.compile(r"-?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?")


class _Tables(HTMLParser):
    """Every table of a page by its id, as the text of each row's cells (header first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or "", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in {"td", "th"} and self._table is not None:
            self._table[-1].append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in {"td", "th"}:
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell and self._table is not None:
            self._table[-1][-1] += data


def _tables(page: Path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def _assert_shown(text: str, expected: float | None, decimals: int) -> None:
    """``text`` is ``expected`` written the French way to ``decimals``, or blank for none."""
    if expected is None:
        assert text == ""
        return
    assert FRENCH_NUMBER.fullmatch(text), f"{text!r} is not a number written the French way"
    shown = float(text.replace("\u202f", "").replace(",", "."))
    assert abs(shown - expected) <= 0.5 * 10**-decimals + 1e-9, (text, expected)


def _tonnes_by_action(
    rows: dict[str, list[dict]], reference: ReferenceData
) -> tuple[dict[str, float], dict[str, float]]:
    """Each action's tCO2e a year, declared and estimated, worked out from the rows
    typed and the reference files: an activity saves its quantity times its factor,
    less its replacement's."""
    referential = reference.emission_factors
    declared: dict[str, float] = defaultdict(float)
    estimated: dict[str, float] = defaultdict(float)
    for impact in rows["impacts"]:
        quantity = impact["value"] * reference.code_value("unit", impact["unit"]).scale
        if impact["indicator"] == "ges_evites":
            declared[impact["action_ref"]] += quantity
        elif impact["indicator"] in referential.activities:
            activity = referential.activities[impact["indicator"]]
            saved = referential.factors[activity.factor].kgco2e_per_unit
            if activity.replacement is not None:
                saved -= referential.factors[activity.replacement].kgco2e_per_unit
            estimated[impact["action_ref"]] += quantity * saved / 1000
    return dict(declared), dict(estimated)


@pytest.fixture(scope="module")
def collected_opera(tmp_path_factory, reference) -> tuple[Path, dict[str, list[dict]]]:
    """The opera's accepted report, from rows where one action declares its tCO2e (in
    kg) beside activity data, one amount includes VAT and two fall in one action-year."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("opera") / "data", warehouse_url=None, settle_seconds=0
    )
    rows = sample_rows("opera", "2026")
    with_activity = next(
        impact["action_ref"]
        for impact in rows["impacts"]
        if impact["indicator"] in reference.emission_factors.activities
    )
    rows["impacts"].append(
        {
            "action_ref": with_activity,
            "indicator": "ges_evites",
            "value": 20_000,
            "unit": "kgCO2e/an",
            "first_full_year": 2028,
        }
    )
    rows["investments"][-1] = rows["investments"][-1] | {"tax_basis": "TTC"}
    rows["investments"].append(
        rows["investments"][0] | {"amount_eur": 3_000, "nature": "fonctionnement"}
    )
    inbox = settings.shared_root / "inbox" / "opera"
    write_workbook(inbox / "plan.xlsx", reference, "opera", "2026", rows)
    pipeline.run_collection(settings)
    (page,) = (settings.shared_root / "outbox" / "opera").glob("*-rapport.html")
    assert "Fichier <strong>accepté</strong>" in page.read_text(encoding="utf-8")
    return page, rows


def _parsed_sample(
    reference: ReferenceData,
    folder: Path,
    partner_id: str,
    rows: dict[str, list[dict]] | None = None,
) -> ParsedSubmission:
    """The partner's workbook holding ``rows`` (its sample rows by default), as read."""
    rows = rows or sample_rows(partner_id, "2026")
    path = write_workbook(folder / "plan.xlsx", reference, partner_id, "2026", rows)
    return parse_submission(path, reference, partner_id=partner_id)


def test_an_accepted_report_shows_declared_beside_estimated_tonnes_and_which_counts(
    collected_opera, reference
) -> None:
    page, rows = collected_opera
    declared, estimated = _tonnes_by_action(rows, reference)
    titles = {action["action_ref"]: action["title"] for action in rows["actions"]}
    # Each case of the rule: both figures, a declaration alone, an estimate alone.
    assert declared.keys() & estimated.keys()
    assert declared.keys() - estimated.keys()
    assert estimated.keys() - declared.keys()

    _, *lines, total = _tables(page)["carbone"]

    assert [line[0] for line in lines] == [ref for ref in titles if ref in declared | estimated]
    for ref, title, shown_declared, shown_estimated, shown_retained, basis in lines:
        assert title == titles[ref]
        _assert_shown(shown_declared, declared.get(ref), 1)
        _assert_shown(shown_estimated, estimated.get(ref), 1)
        # The marts count the estimate wherever there is activity data.
        if ref in estimated:
            _assert_shown(shown_retained, estimated[ref], 1)
            assert basis == "Estimation"
        else:
            _assert_shown(shown_retained, declared[ref], 1)
            assert basis == "Votre déclaration"
    retained = {**declared, **estimated}
    assert total[0] == "Total"
    _assert_shown(total[1], sum(declared.values()), 1)
    _assert_shown(total[2], sum(estimated.values()), 1)
    _assert_shown(total[3], sum(retained.values()), 1)


def test_an_accepted_report_gives_each_action_s_money_year_by_year_before_tax(
    collected_opera, reference
) -> None:
    page, rows = collected_opera
    vat = reference.code_value("tax_basis", "TTC").vat_rate
    expected: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for investment in rows["investments"]:
        amount = investment["amount_eur"]
        if investment["tax_basis"] == "TTC":
            amount /= 1 + vat
        expected[investment["action_ref"]][investment["year"]] += amount
    years = sorted({year for by_year in expected.values() for year in by_year})

    header, *lines, total = _tables(page)["investissements"]

    assert header[2:] == [*map(str, years), "Total"]
    assert [line[0] for line in lines] == [
        action["action_ref"] for action in rows["actions"] if action["action_ref"] in expected
    ]
    for ref, _title, *by_year, action_total in lines:
        for year, shown in zip(years, by_year, strict=True):
            _assert_shown(shown, expected[ref].get(year), 0)
        _assert_shown(action_total, sum(expected[ref].values()), 0)
    assert total[0] == "Total"
    for year, shown in zip(years, total[1:-1], strict=True):
        _assert_shown(shown, sum(by_year.get(year, 0) for by_year in expected.values()), 0)
    grand_total = sum(sum(by_year.values()) for by_year in expected.values())
    _assert_shown(total[-1], grand_total, 0)
    verdict = re.search(r"([\d\u202f]+) € d'investissements", page.read_text(encoding="utf-8"))
    assert verdict is not None
    _assert_shown(verdict[1], grand_total, 0)


@pytest.mark.parametrize(
    ("partner_id", "title_heading"), [("opera", "Intitulé"), ("centre-commercial", "Title")]
)
def test_partner_text_in_the_action_tables_is_shown_as_typed_never_as_markup(
    reference, tmp_path: Path, partner_id: str, title_heading: str
) -> None:
    partner = reference.partner(partner_id)
    hostile = "<script>document.title='PWNED'</script> & <b>gras</b>"
    rows = sample_rows(partner_id, "2026")
    rows["actions"][0] = rows["actions"][0] | {"title": hostile}
    parsed = _parsed_sample(reference, tmp_path, partner_id, rows)
    feedback = report.Feedback(
        partner.name, "2026", "plan.xlsx", datetime(2026, 3, 1), True, [], partner.language
    )
    estimates = estimate_emissions(parsed.sheets["impacts"].table, reference)

    page = report.write_report(tmp_path, feedback, parsed, estimates, reference=reference)

    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "<b>" not in html
    tables = _tables(page)
    for table_id in ("carbone", "investissements"):
        header, *lines, _total = tables[table_id]
        assert header[1] == title_heading  # each language's page has both tables
        assert hostile in [line[1] for line in lines]


@pytest.mark.parametrize(
    ("received_at", "partner_id", "shown"),
    [
        # Winter: Paris is UTC+1.
        (datetime(2026, 1, 15, 9, 30, tzinfo=UTC), "opera", "reçu le 15/01/2026 à 10:30"),
        # Summer, UTC as the ledger gives it back (no time zone): UTC+2, the next day.
        (datetime(2026, 7, 1, 22, 30), "centre-commercial", "received on 2026-07-02 at 00:30"),
    ],
)
def test_times_a_partner_reads_are_paris_time(
    reference, tmp_path: Path, received_at: datetime, partner_id: str, shown: str
) -> None:
    partner = reference.partner(partner_id)
    parsed = _parsed_sample(reference, tmp_path, partner_id)
    actions = parsed.sheets["actions"].title
    finding = Finding("error", "x", Wording("x", "x"), actions, 2, "E")
    feedback = report.Feedback(
        partner.name, "2026", "plan.xlsx", received_at, False, [finding], partner.language
    )

    page = report.write_report(
        tmp_path, feedback, parsed, estimate_emissions(parsed.sheets["impacts"].table, reference)
    )
    copy = report.write_annotated_copy(tmp_path, feedback, parsed)

    text = page.read_text(encoding="utf-8")
    zone = "(heure de Paris)" if partner.language == "fr" else "(Paris time)"
    assert f"{shown} {zone}" in text
    assert "UTC" not in text
    summary = openpyxl.load_workbook(copy).worksheets[0]
    assert any(f"{shown} {zone}" in str(cell.value) for row in summary.iter_rows() for cell in row)


def _linked_cell(workbook: openpyxl.Workbook, location: str) -> openpyxl.cell.Cell:
    """The cell an internal link such as ``'Plan d''actions'!B2`` goes to."""
    quoted_title, _, coordinate = location.rpartition("!")
    assert quoted_title.startswith("'")
    assert quoted_title.endswith("'")
    return workbook[quoted_title[1:-1].replace("''", "'")][coordinate]


def _hue(colour: str) -> str:
    """What a reader calls an ARGB tab colour: red, amber or green."""
    red, green, blue = (int(colour[-6:][index : index + 2], 16) for index in (0, 2, 4))
    if red >= 150 and green <= 80 and blue <= 80:
        return "red"
    if red >= 200 and 100 <= green <= 220 and blue <= 100:
        return "amber"
    if green >= 120 and red <= 100 and blue <= 120:
        return "green"
    return colour


@pytest.mark.parametrize(
    ("partner_id", "summary_title"), [("chu", "Résumé"), ("centre-commercial", "Summary")]
)
def test_the_copy_opens_on_a_summary_linking_every_finding_to_its_cell(
    reference, tmp_path: Path, partner_id: str, summary_title: str
) -> None:
    partner = reference.partner(partner_id)
    parsed = _parsed_sample(reference, tmp_path, partner_id)
    actions, investments, impacts = (
        parsed.sheets[name].title for name in ("actions", "investments", "impacts")
    )
    formula = '=HYPERLINK("http://evil.example","clic")'
    findings = [
        Finding("error", "code", Wording("secteur", "sector"), actions, 3, "E", value="spatial"),
        Finding("error", "sign", Wording("négatif", "negative"), investments, 2, "C", value="-5"),
        Finding("warning", "unusual", Wording("inhabituel", "unusual"), investments, 4, "C"),
        Finding("warning", "odd", Wording("bizarre", "odd"), impacts, 2, "C", value=formula),
        Finding("warning", "sheet", Wording("feuille", "sheet"), impacts),
        Finding("error", "file", Wording("fichier", "file")),
    ]
    feedback = report.Feedback(
        partner.name, "2026", "plan.xlsx", datetime(2026, 3, 1), False, findings, partner.language
    )

    copy = report.write_annotated_copy(tmp_path, feedback, parsed)

    workbook = openpyxl.load_workbook(copy)
    summary = workbook.active
    assert summary.title == summary_title
    assert workbook.sheetnames[0] == summary_title
    assert [sheet.title for sheet in workbook.worksheets if sheet.sheet_view.tabSelected] == [
        summary_title
    ]
    severities = {
        "Erreur": "error",
        "Avertissement": "warning",
        "Error": "error",
        "Warning": "warning",
    }
    listed = [row for row in summary.iter_rows() if row[1].value in severities]
    assert Counter(
        (severities[row[1].value], row[2].value, row[3].value, row[4].value, row[5].value)
        for row in listed
    ) == Counter((f.severity, f.sheet, f.row, f.column, f.value) for f in findings)
    for link, severity, sheet, row, column, _value, message in listed:
        where = (sheet.value, row.value, column.value)
        finding = next(f for f in findings if (f.sheet, f.row, f.column) == where)
        assert message.value == finding.message.in_language(partner.language)
        if finding.row is None:
            assert link.hyperlink is None  # about a whole sheet or the file: no cell to go to
            continue
        target = _linked_cell(workbook, link.hyperlink.location)
        assert (target.row, target.column_letter) == (finding.row, finding.column)
        assert target.comment.author == "climate-contract"
        assert message.value in target.comment.text
        assert severity.value in target.comment.text
    value_cell = next(row[5] for row in listed if row[5].value == formula)
    assert value_cell.data_type == "s"
    with zipfile.ZipFile(copy) as package:
        formulas = [
            formula
            for name in package.namelist()
            if name.startswith("xl/worksheets/")
            for formula in re.findall(r"<f>(.*?)</f>", package.read(name).decode())
        ]
    assert not [formula for formula in formulas if "evil.example" in formula]
    worst = {actions: "red", investments: "red", impacts: "amber"}
    assert {
        sheet.title: _hue(sheet.sheet_properties.tabColor.rgb) for sheet in workbook.worksheets[1:]
    } == {title: worst.get(title, "green") for title in workbook.sheetnames[1:]}


def test_the_summary_takes_no_sheet_s_name_and_links_to_any_sheet_name(tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Résumé"
    workbook.create_sheet("Plan d'actions")["B2"] = "x"
    workbook.save(source)
    finding = Finding("error", "x", Wording("x", "x"), "Plan d'actions", 2, "B")
    feedback = report.Feedback("P", "2026", "plan.xlsx", datetime(2026, 3, 1), False, [finding])

    copy = report.write_annotated_copy(tmp_path, feedback, ParsedSubmission(source))

    written = openpyxl.load_workbook(copy)
    assert written.sheetnames[1:] == ["Résumé", "Plan d'actions"]  # the partner's, untouched
    summary = written.active
    assert summary.title not in {"Résumé", "Plan d'actions"}
    (link,) = [cell.hyperlink for row in summary.iter_rows() for cell in row if cell.hyperlink]
    target = _linked_cell(written, link.location)
    assert (target.parent.title, target.coordinate) == ("Plan d'actions", "B2")
    assert target.comment.text == "Erreur : x"
