"""An official snapshot freezes one campaign's publication for a council: what it
holds, that later loads never change it, that a later freeze is another snapshot,
and that tampering or a kill mid-freeze cannot pass for a snapshot."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from climate_contract import cli, pipeline, warehouse
from climate_contract.samples import sample_rows
from climate_contract.settings import Settings
from tests.test_load_aggregate import _drop, _first_action_only
from tests.test_officials_report import _mart, _pdf_text

CAMPAIGN = "2026"
PARTNERS = ("bailleur-social", "reseau-chaleur", "banque-regionale", "opera", "universite")
SNAPSHOT_NAME = re.compile(r"^(\d{4}-\d\d-\d\d)T\d{6}Z-[0-9a-f]{12}$")


@pytest.fixture
def collected(tmp_path: Path, reference, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Five partners' sample files collected and published, reports in two languages;
    the command line reads the same settings from the environment."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CLIMATE_CONTRACT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CLIMATE_CONTRACT_SETTLE_SECONDS", "0")
    monkeypatch.setenv("CLIMATE_CONTRACT_REPORT_LANGUAGES", '["fr", "en"]')
    settings = Settings()
    for partner_id in PARTNERS:
        _drop(settings, reference, partner_id, sample_rows(partner_id, CAMPAIGN), "v1.xlsx")
    pipeline.run_collection(settings)
    return settings


def _freeze(campaign: str = CAMPAIGN) -> Path:
    result = CliRunner().invoke(cli.app, ["publish", "--official", "--campaign", campaign])
    assert result.exit_code == 0, result.output
    return Path(result.output.split(" written to ")[1].strip())


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_snapshot_holds_the_campaign_report_marts_exports_and_referentials(
    collected: Settings,
) -> None:
    snapshot = _freeze()

    assert snapshot.parent == collected.data_dir / "published" / "official" / CAMPAIGN
    day = SNAPSHOT_NAME.match(snapshot.name)
    assert day is not None
    assert day.group(1) == f"{datetime.now(UTC):%Y-%m-%d}"
    marts = sorted(p.stem for p in (collected.data_dir / "published" / "current").glob("*.parquet"))
    assert sorted(p.stem for p in (snapshot / "marts").glob("*.parquet")) == marts
    for mart in marts:
        frozen = pq.read_table(snapshot / "marts" / f"{mart}.parquet").to_pylist()
        assert frozen == _mart(collected, mart), mart
    assert sorted(p.name for p in (snapshot / "exports").iterdir()) == sorted(
        [f"{mart}.csv" for mart in marts] + ["marts.xlsx"]
    )
    # The factor referential versions are those the warehouse's estimates used.
    with warehouse.engine_for(collected.url).connect() as connection:
        used = connection.execute(
            sa.text(
                "SELECT DISTINCT referential_version FROM core.estimated_emissions "
                "WHERE campaign_id = :campaign ORDER BY 1"
            ),
            {"campaign": CAMPAIGN},
        ).all()
    referentials = json.loads((snapshot / "referentiels.json").read_text(encoding="utf-8"))
    assert referentials["emission_factor_versions"] == [version for (version,) in used] != []

    # Every file is in the manifest with its hash, and read-only.
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["snapshot"] == snapshot.name
    assert manifest["campaign_id"] == CAMPAIGN
    hashes = _file_hashes(snapshot)
    hashes.pop("manifest.json")
    assert manifest["files"] == hashes
    assert all(not path.stat().st_mode & 0o222 for path in snapshot.rglob("*"))

    # The report, the PDF and the workbook say which snapshot they are.
    for name, words in (("rapport", "Instantané officiel"), ("report", "Official snapshot")):
        page = (snapshot / f"{name}.html").read_text(encoding="utf-8")
        assert f"{words} {snapshot.name}" in page
        assert snapshot.name in _pdf_text(snapshot / f"{name}.pdf").replace("\n", "")
    readme = load_workbook(snapshot / "exports" / "marts.xlsx", read_only=True)["lisez-moi"]
    assert f"instantané officiel {snapshot.name}" in next(readme.iter_rows(values_only=True))[0]
    # ... and the current publication's report says it is not one.
    current = collected.data_dir / "published" / CAMPAIGN / "rapport.html"
    assert "Publication courante, non officielle" in current.read_text(encoding="utf-8")
    assert not re.search(r"Instantané officiel \d", current.read_text(encoding="utf-8"))


def test_later_loads_never_change_a_snapshot_and_a_later_freeze_is_another(
    collected: Settings, reference
) -> None:
    first = _freeze()
    before = _file_hashes(first)
    money = "investment_eur_deduplicated"
    first_total = sum(r[money] or 0 for r in _mart(collected, "commitments_by_axis_year"))

    # A partner sends a smaller file: the warehouse and the current publication move.
    one_action = _first_action_only(sample_rows("universite", CAMPAIGN))
    _drop(collected, reference, "universite", one_action, "v2.xlsx")
    pipeline.run_collection(collected)
    current_total = sum(r[money] or 0 for r in _mart(collected, "commitments_by_axis_year"))
    assert current_total < first_total

    assert _file_hashes(first) == before
    second = _freeze()
    assert second.name.split("-")[-1] != first.name.split("-")[-1]  # other data, other hash
    assert _file_hashes(first) == before
    frozen = pq.read_table(second / "marts" / "commitments_by_axis_year.parquet").to_pylist()
    assert sum(r[money] or 0 for r in frozen) == pytest.approx(current_total)
    assert second.name in (second / "rapport.html").read_text(encoding="utf-8")
    assert first.name not in (second / "rapport.html").read_text(encoding="utf-8")

    listing = CliRunner().invoke(cli.app, ["snapshots", "--campaign", CAMPAIGN])
    assert listing.exit_code == 0, listing.output
    assert [line.split()[1:3] for line in listing.output.splitlines()] == [
        [first.name, "intact"],
        [second.name, "intact"],
    ]


def test_a_tampered_snapshot_is_reported(collected: Settings) -> None:
    snapshot = _freeze()
    figure = snapshot / "exports" / "commitments_by_axis_year.csv"
    figure.chmod(0o644)
    figure.write_bytes(figure.read_bytes().replace(b";", b";1", 1))
    (snapshot / "rapport.pdf").chmod(0o644)
    (snapshot / "rapport.pdf").unlink()

    listing = CliRunner().invoke(cli.app, ["snapshots"])

    assert listing.exit_code == 1
    assert "ALTERED: exports/commitments_by_axis_year.csv, rapport.pdf" in listing.output


def test_a_freeze_killed_before_it_completes_leaves_no_snapshot(collected: Settings) -> None:
    # Killed (SIGKILL) at the worst moment: every file written, the folder not yet
    # renamed into place.
    child = (
        "import os, signal\n"
        "from climate_contract import pipeline, publish\n"
        "from climate_contract.settings import Settings\n"
        "publish.os.rename = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"pipeline.freeze_campaign(Settings(), {CAMPAIGN!r})\n"
    )
    killed = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=300)
    assert killed.returncode == -9
    campaign_folder = collected.data_dir / "published" / "official" / CAMPAIGN
    assert [p.name for p in campaign_folder.iterdir() if p.name.endswith(".partial")] != []

    listing = CliRunner().invoke(cli.app, ["snapshots"])
    assert "no official snapshot" in listing.output

    snapshot = _freeze()
    assert [p.name for p in campaign_folder.iterdir()] == [snapshot.name]


def test_freezing_names_the_campaign_it_needs(collected: Settings) -> None:
    without = CliRunner().invoke(cli.app, ["publish", "--official"])
    assert without.exit_code == 2
    assert "--campaign" in without.output

    unknown = CliRunner().invoke(cli.app, ["publish", "--official", "--campaign", "2099"])
    assert unknown.exit_code == 1
    assert "'2099' is not declared in campaigns.yaml (declared: 2025, 2026)" in unknown.output
    assert not (collected.data_dir / "published" / "official").exists()
