"""What a partner gets back in outbox/: a French report (checked as rendered by a real
browser) and the workbook copy with every faulty cell commented."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.samples import sample_rows
from climate_contract.template import write_workbook

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
