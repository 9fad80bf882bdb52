"""The campaign report for elected officials, as a browser and the PDF engine
render it, checked against the marts it was written from."""

from __future__ import annotations

import colorsys
import csv
import html
import io
import itertools
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner
from weasyprint.urls import FatalURLFetchingError

from climate_contract import cli, pipeline
from climate_contract.report import officials
from climate_contract.samples import write_sample_inbox
from climate_contract.settings import SQL_DIR, Settings
from tests.test_partner_feedback import CHROMIUM, HEADLESS

CAMPAIGN = "2026"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, reference) -> Settings:
    """The sample collection run once, its report in French and English."""
    data_dir = tmp_path_factory.mktemp("report") / "data"
    settings = Settings(data_dir=data_dir, settle_seconds=0, report_languages=["fr", "en"])
    write_sample_inbox(settings.shared_root / "inbox", reference, CAMPAIGN)
    pipeline.run_collection(settings)
    return settings


def _mart(settings: Settings, name: str) -> list[dict]:
    table = pq.read_table(settings.data_dir / "published" / "current" / f"{name}.parquet")
    return table.filter(pc.equal(table["campaign_id"], CAMPAIGN)).to_pylist()


def _french(value: float, decimals: int = 0) -> str:
    """How a French reader writes a figure: 1 234 567,8 (narrow no-break spaces)."""
    whole, _, fraction = f"{value:.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = "\u202f".join([whole, *groups])
    return f"{text},{fraction}" if fraction else text


def _chromium(arguments: list[str], tmp_path: Path) -> str:
    if CHROMIUM is None:
        pytest.fail("chromium is missing: `make test` installs it (apt-get)")
    profile = f"--user-data-dir={tmp_path / 'chromium-profile'}"
    return subprocess.run(
        [CHROMIUM, *HEADLESS, profile, *arguments],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def _dom(page: Path, tmp_path: Path) -> str:
    return _chromium(["--dump-dom", page.as_uri()], tmp_path)


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)


def test_each_publication_writes_each_campaign_report_in_html_and_pdf(published) -> None:
    folder = published.data_dir / "published"
    for campaign in ("2025", "2026"):
        for name in ("rapport", "report"):
            assert (folder / campaign / f"{name}.html").is_file()
            pdf = PdfReader(folder / campaign / f"{name}.pdf")
            assert len(pdf.pages) >= (4 if campaign == CAMPAIGN else 1)
    # 2025 expected partners and received nothing: who answered, and where the roadmap
    # stands on what is measured without actions (contracts signed, the steward's
    # values), no empty charts.
    earlier = html.unescape((folder / "2025" / "rapport.html").read_text())
    assert "Aucune action n'est encore enregistrée" in earlier
    assert earlier.count('class="chart"') == 2
    assert 'id="feuille-de-route"' in earlier
    french = _pdf_text(folder / CAMPAIGN / "rapport.pdf")
    english = _pdf_text(folder / CAMPAIGN / "report.pdf")
    assert "Chiffres clés" in french
    assert "Key figures" not in french
    assert "Key figures" in english
    assert "Chiffres clés" not in english
    # The campaign's folder follows the current publication.
    assert (folder / CAMPAIGN).resolve().parent == (folder / "current").resolve()

    listed = CliRunner().invoke(
        cli.app, ["reports", "--campaign", CAMPAIGN], env={"CLIMATE_CONTRACT_DATA_DIR": ""}
    )
    assert listed.exit_code == 1  # another data directory: nothing published there
    listed = CliRunner().invoke(
        cli.app,
        ["reports", "--campaign", CAMPAIGN],
        env={"CLIMATE_CONTRACT_DATA_DIR": str(published.data_dir)},
    )
    assert listed.exit_code == 0, listed.output
    assert listed.output.split() == [
        str(folder / CAMPAIGN / name)
        for name in ("rapport.html", "rapport.pdf", "report.html", "report.pdf")
    ]
    # A run says where the reports are, even when it had nothing new to publish.
    ran = CliRunner().invoke(
        cli.app,
        ["run"],
        env={
            "CLIMATE_CONTRACT_DATA_DIR": str(published.data_dir),
            "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
            "CLIMATE_CONTRACT_REPORT_LANGUAGES": '["fr", "en"]',
        },
    )
    assert ran.exit_code == 0, ran.output
    assert [line for line in ran.output.splitlines() if line.startswith("report: ")] == [
        f"report: {folder / campaign / name}"
        for campaign in ("2025", CAMPAIGN)
        for name in ("rapport.html", "rapport.pdf", "report.html", "report.pdf")
    ]


def test_headline_figures_are_the_marts_figures(published, tmp_path) -> None:
    money = [r["investment_eur_deduplicated"] for r in _mart(published, "commitments_by_axis_year")]
    withheld = any(value is None for value in money)
    total = sum(value for value in money if value is not None)
    whole_plan = {
        r["year"]: r
        for r in _mart(published, "carbon_trajectory_vs_target")
        if r["plan_axis"] == "all"
    }
    coverage = [r for r in _mart(published, "campaign_coverage") if r["expected"]]
    expected = [
        ("au moins " if withheld else "") + f"{_french(total)} €",
        "au moins " + _french(whole_plan[2030]["avoided_tco2e_per_year_deduplicated"]),
        "au moins " + _french(whole_plan[2050]["avoided_tco2e_per_year_deduplicated"]),
        _french(100 * whole_plan[2030]["share_of_remaining_gap_covered"], 1) + "\u00a0%",
        f"{sum(r['accepted'] for r in coverage)} / {len(coverage)}",
        _french(sum(r["action_count"] for r in _mart(published, "status_funnel"))),
    ]
    # The sample withholds pooled figures: "at least" is part of what is checked.
    assert withheld
    assert all(whole_plan[y]["total_withholds_confidential_cells"] for y in (2030, 2050))

    page = published.data_dir / "published" / CAMPAIGN / "rapport.html"
    shown = [
        html.unescape(figure)
        for figure in re.findall(r'data-figure="\d+">([^<]*)<', _dom(page, tmp_path))
    ]
    assert shown == expected
    pdf = re.sub(r"\s", "", _pdf_text(page.with_suffix(".pdf")))
    for figure in expected:
        assert re.sub(r"\s", "", figure) in pdf


def test_every_chart_is_drawn_with_a_text_alternative_and_its_table(published, tmp_path) -> None:
    dom = _dom(published.data_dir / "published" / CAMPAIGN / "rapport.html", tmp_path)
    figures = re.findall(r"<figure>(.*?)</figure>", dom, flags=re.S)
    charts = [figure for figure in figures if 'class="chart"' in figure]
    # money by axis and year, by sector, nature, funding source and college;
    # trajectory and wedge; biodiversity; funnel; shared projects; roadmap; coverage
    assert len(charts) == 12
    for chart in charts:
        alternative = re.search(r'class="chart" role="img" aria-label="([^"]+)"', chart)
        assert alternative
        assert len(alternative.group(1)) > 40
        marks = re.findall(r'class="mark-\w+ role-mark[^"]*"[^>]*>(.*?)</g>', chart, flags=re.S)
        assert any(re.search(r'<path[^>]* d="M[^"]*\d', mark) for mark in marks), chart[:300]
        rows = re.findall(r"<tbody>(.*?)</tbody>", chart, flags=re.S)
        assert rows
        assert rows[0].count("<tr>") >= 1


def _figure_rows(dom: str, title: str) -> dict[str, str]:
    """The first and second cells of each row of the table under ``title``."""
    figure = re.search(rf"<h3>{re.escape(title)}</h3>(.*?)</figure>", dom, flags=re.S)
    assert figure, title
    body = re.search(r"<tbody>(.*?)</tbody>", figure.group(1), flags=re.S)
    assert body
    row = r'<th scope="row">([^<]*)</th><td class="number">([^<]*)</td>'
    cells = re.findall(row, body.group(1))
    return {html.unescape(name): html.unescape(value) for name, value in cells}


@pytest.mark.parametrize(
    ("column", "title", "english_title"),
    [
        ("nature", "Euros engagés par nature de dépense", "Euros committed by nature of spending"),
        (
            "funding_source",
            "Euros engagés par source de financement",
            "Euros committed by funding source",
        ),
    ],
)
def test_money_by_nature_and_funding_source_is_the_mart_s(
    published, tmp_path, column: str, title: str, english_title: str
) -> None:
    code_lists = yaml.safe_load(Path("reference/code_lists.yaml").read_text(encoding="utf-8"))
    labels = {
        language: {entry["code"]: entry[language] for entry in code_lists[column]}
        | {"confidentiel": pooled}
        for language, pooled in (
            ("fr", "Actions confidentielles (regroupées)"),
            ("en", "Confidential actions (pooled)"),
        )
    }
    totals: dict[str, float] = {}
    withheld: set[str] = set()
    for row in _mart(published, "commitments_by_funding_year"):
        value = row["investment_eur_deduplicated"]
        totals[row[column]] = totals.get(row[column], 0) + (value or 0)
        if value is None:
            withheld.add(row[column])
    # The sample's pool withholds some years and publishes others; both are shown.
    assert "confidentiel" in withheld
    assert len(totals) >= 3

    folder = published.data_dir / "published" / CAMPAIGN
    for language, page, heading in (("fr", "rapport", title), ("en", "report", english_title)):
        shown = _figure_rows(_dom(folder / f"{page}.html", tmp_path), heading)
        at_least = "au moins " if language == "fr" else "at least "
        assert shown == {
            labels[language][code]: (at_least if code in withheld else "")
            + (_french(total) if language == "fr" else f"{total:,.0f}")
            for code, total in totals.items()
        }


def _luminance(red: str, green: str, blue: str) -> float:
    return (0.2126 * int(red) + 0.7152 * int(green) + 0.0722 * int(blue)) / 255


def test_chart_colours_stay_apart_in_greyscale(published) -> None:
    page = (published.data_dir / "published" / CAMPAIGN / "rapport.html").read_text()
    money_by_axis = re.search(r"<figure>.*?</figure>", page.split('id="argent"')[1], re.S)
    fills = set(re.findall(r'class="mark-rect role-mark.*?</g>', money_by_axis.group(0), re.S))
    colours = set(re.findall(r'fill="rgb\((\d+), (\d+), (\d+)\)"', "".join(fills)))
    assert len(colours) >= 6  # one per plan axis with money, and the pool
    greys = sorted(_luminance(*colour) for colour in colours)
    assert min(b - a for a, b in itertools.pairwise(greys)) > 0.04
    # The check tells hues that only differ in hue apart from those it accepts.
    same_lightness = [colorsys.hls_to_rgb(h, 0.5, 0.6) for h in (0.0, 0.33, 0.66)]
    assert len({round(0.2126 * r + 0.7152 * g + 0.0722 * b, 1) for r, g, b in same_lightness}) < 3


@pytest.fixture
def trap() -> Iterator[list[bytes]]:
    """A proxy that accepts connections and records what was asked of it."""
    requests: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                requests.append(connection.recv(1024))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    requests.append(str(server.getsockname()[1]).encode())
    yield requests
    stop.set()
    thread.join()
    server.close()


# What Chromium asks for itself, whatever the page (network time, component
# updates, sign-in): not the page's requests.
BROWSER_SERVICES = {"clients2.google.com", "update.googleapis.com", "accounts.google.com"}


def _host(request: bytes) -> str:
    target = request.split(b" ")[1].decode()
    return re.sub(r"^\w+://", "", target).split("/")[0].split(":")[0]


def _hosts_asked(trap: list[bytes], page: Path, tmp_path: Path) -> set[str]:
    """The hosts the page asked for, loaded in Chromium behind ``trap``."""
    port = trap.pop(0).decode()
    _chromium(
        [
            f"--proxy-server=http://127.0.0.1:{port}",
            "--proxy-bypass-list=<-loopback>",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        tmp_path,
    )
    return {_host(request) for request in trap} - BROWSER_SERVICES


def test_the_page_asks_nothing_of_the_network(published, trap, tmp_path) -> None:
    page = published.data_dir / "published" / CAMPAIGN / "rapport.html"
    text = page.read_text()
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text)
    assert links
    assert all(link.startswith("#") for link in links)
    assert "url(" not in text
    assert "@import" not in text
    assert _hosts_asked(trap, page, tmp_path) == set()


def test_the_network_trap_catches_a_page_that_fetches(published, trap, tmp_path) -> None:
    page = tmp_path / "planted.html"
    original = (published.data_dir / "published" / CAMPAIGN / "rapport.html").read_text()
    # Without the page's own policy, a planted image reaches the network.
    planted = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", original)
    fetching = '<img src="http://cdn.example/x.png"><link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Marianne">'
    page.write_text(planted.replace("</main>", fetching + "</main>"))
    assert _hosts_asked(trap, page, tmp_path) == {"cdn.example", "fonts.googleapis.com"}


def test_the_pdf_engine_fetches_nothing_outside_the_page(published) -> None:
    original = (published.data_dir / "published" / CAMPAIGN / "rapport.html").read_text()
    for planted in (
        '<img src="http://cdn.example/x.png">',
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        f'<img src="file://{published.data_dir}/warehouse.duckdb">',
    ):
        with pytest.raises(FatalURLFetchingError) as refused:
            officials.render_pdf(original.replace("</main>", planted + "</main>"))
        assert isinstance(refused.value.__cause__, officials.ExternalResourceRefused)


def _published_file(settings: Settings, relative: str) -> Path:
    return settings.data_dir / "published" / "current" / relative


def _marts_yml() -> dict[str, dict]:
    models = yaml.safe_load((SQL_DIR / "models" / "marts" / "_marts.yml").read_text())["models"]
    return {model["name"]: model for model in models}


def test_parquet_files_carry_each_mart_and_column_description(published) -> None:
    for name, model in _marts_yml().items():
        schema = pq.read_schema(_published_file(published, f"{name}.parquet"))
        assert schema.metadata[b"description"].decode() == " ".join(model["description"].split())
        described = {c["name"]: " ".join(c["description"].split()) for c in model["columns"]}
        assert {f.name: f.metadata[b"description"].decode() for f in schema} == described


def test_csv_exports_open_in_french_excel_with_rounded_figures(published) -> None:
    exact = pq.read_table(_published_file(published, "partner_summary.parquet")).to_pylist()
    # The marts hold figures with more decimals than a reader wants.
    assert any(
        round(r["estimated_tco2e_per_year"], 2) != r["estimated_tco2e_per_year"] for r in exact
    )
    raw = _published_file(published, "exports/partner_summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(exact)
    assert list(rows[0]) == list(exact[0])
    for shown, row in zip(rows, exact, strict=True):
        value, text = row["estimated_tco2e_per_year"], shown["estimated_tco2e_per_year"]
        assert text == "" if value is None else float(text.replace(",", ".")) == round(value, 2)
        assert "." not in text
    shares = list(
        csv.DictReader(
            io.StringIO(
                _published_file(published, "exports/carbon_trajectory_vs_target.csv")
                .read_bytes()
                .decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    share = next(
        r["share_of_remaining_gap_covered"]
        for r in shares
        if r["share_of_remaining_gap_covered"] not in ("", "0")
    )
    assert len(share.split(",")[1]) <= 4


def test_the_workbook_has_a_readme_and_a_sheet_per_mart(published) -> None:
    workbook = load_workbook(_published_file(published, "exports/marts.xlsx"), read_only=True)
    models = _marts_yml()
    assert workbook.sheetnames == ["lisez-moi", *sorted(models)]
    assert max(map(len, workbook.sheetnames)) <= 31  # Excel repairs longer names away
    readme = [
        (*row, None, None, None)[:3] for row in workbook["lisez-moi"].iter_rows(values_only=True)
    ]
    for name, model in models.items():
        assert (name, " ".join(model["description"].split())) in {(r[0], r[1]) for r in readme}
        columns = [c["name"] for c in model["columns"]]
        assert [cell.value for cell in next(workbook[name].iter_rows(max_row=1))] == columns
    described_columns = [row[1] for row in readme if row[0] in ("", None) and row[1]]
    assert len(described_columns) == sum(len(m["columns"]) for m in models.values())
    assert all(row[2] for row in readme if row[0] in ("", None) and row[1])
    figures = [
        value
        for row in workbook["partner_summary"].iter_rows(min_row=2, values_only=True)
        for value in row
        if isinstance(value, float)
    ]
    assert figures
    assert all(round(value, 2) == value for value in figures)
