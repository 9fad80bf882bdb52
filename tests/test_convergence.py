"""Every run converges: a collector killed at any point of its run, or two collectors
at once, leave nothing that the next run does not finish, and nothing done twice."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from climate_contract import aggregate, pipeline, warehouse
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from tests.conftest import postgres_database
from tests.crashing_collector import POINTS
from tests.scenario import WORKED_EXAMPLE

FIRST, *LATER = WORKED_EXAMPLE


def _drop(settings: Settings, reference, partner_ids: list[str]) -> dict[str, bytes]:
    """Each partner's workbook in its inbox; its bytes, by partner."""
    dropped = {}
    for partner_id in partner_ids:
        path = settings.shared_root / "inbox" / partner_id / f"plan {partner_id}.xlsx"
        write_workbook(path, reference, partner_id, "2026", WORKED_EXAMPLE[partner_id])
        dropped[partner_id] = path.read_bytes()
    return dropped


def _environment(settings: Settings) -> dict[str, str]:
    return os.environ | {
        "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
        "CLIMATE_CONTRACT_WAREHOUSE_URL": settings.url,
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
        "GX_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def _assert_nothing_left_running(session: int) -> None:
    """No process of the killed collector's session (its readers) outlives it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(session, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(session, signal.SIGKILL)
    pytest.fail("a process of the killed collector was still running 30 s later")


def _published_is_whole(settings: Settings) -> dict:
    """The current publication's manifest, after checking every file it names is
    there with the content it names, and no other."""
    current = settings.data_dir / "published" / "current"
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    campaigns = set(pq.read_table(current / "campaign_coverage.parquet")["campaign_id"].to_pylist())
    assert campaigns
    assert set(manifest["files"]) == {
        *(f"{name}.parquet" for name in aggregate.mart_names()),
        "docs/index.html",
        *(f"{campaign}/rapport.{kind}" for campaign in campaigns for kind in ("html", "pdf")),
        *(f"exports/{name}.csv" for name in aggregate.mart_names()),
        "exports/marts.xlsx",
    }
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((current / name).read_bytes()).hexdigest() == digest
    on_disk = {str(path.relative_to(current)) for path in current.rglob("*") if path.is_file()}
    assert on_disk == {*manifest["files"], "manifest.json"}
    return manifest


def _assert_converged(settings: Settings, originals: dict[str, bytes]) -> None:
    inbox = settings.shared_root / "inbox"
    assert [path for path in inbox.rglob("*") if path.is_file()] == []
    engine = warehouse.engine_for(settings.url)
    with engine.connect() as connection:
        ledger = connection.execute(sa.select(warehouse.submissions)).all()
        loaded = dict(
            connection.execute(
                sa.text(
                    "SELECT partner_id, COUNT(*) FROM core.actions "
                    "WHERE submission_id IN (SELECT submission_id FROM landing.submissions "
                    "WHERE status = 'accepted') GROUP BY partner_id"
                )
            ).all()
        )
        core_rows = connection.execute(sa.text("SELECT COUNT(*) FROM core.actions")).scalar()
        built = connection.execute(sa.select(warehouse.marts_state.c.source_mark)).scalar()
    assert sorted(row.partner_id for row in ledger) == sorted(originals)
    for row in ledger:
        assert (row.status, row.delivered_at is not None) == ("accepted", True)
        assert Path(row.stored_path).read_bytes() == originals[row.partner_id]
        reports = list(settings.shared_folder("outbox", row.partner_id).glob("*.html"))
        assert len(reports) == 1
    expected = {partner: len(WORKED_EXAMPLE[partner]["actions"]) for partner in originals}
    assert loaded == expected
    assert core_rows == sum(expected.values())
    assert not pipeline.marts_are_stale(settings)
    assert _published_is_whole(settings)["source_mark"] == built
    staging = settings.data_dir / "intake"
    assert not staging.exists() or list(staging.iterdir()) == []


@pytest.mark.parametrize("point", POINTS)
def test_a_collector_killed_at_any_point_is_finished_by_the_next_run(
    point: str, warehouse_settings: Settings, reference
) -> None:
    settings = warehouse_settings
    originals = _drop(settings, reference, [FIRST])
    pipeline.run_collection(settings)  # a publication exists before the crash
    before = _published_is_whole(settings)
    originals |= _drop(settings, reference, LATER)
    warehouse.engine_for(settings.url).dispose()  # DuckDB allows one process at a time

    log = settings.data_dir / "killed-collector.log"
    with log.open("w") as output:
        killed = subprocess.Popen(
            [sys.executable, "-m", "tests.crashing_collector", point],
            env=_environment(settings),
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
        killed.wait(timeout=600)

    assert killed.returncode == -signal.SIGKILL, log.read_text()[-3000:]
    _assert_nothing_left_running(session=killed.pid)
    # Readers still see one whole publication: the one before the crash.
    assert _published_is_whole(settings)["source_mark"] == before["source_mark"]
    pipeline.run_collection(settings)
    _assert_converged(settings, originals)
    again = pipeline.run_collection(settings)
    assert again == []


@pytest.mark.postgres
def test_two_collectors_at_once_process_each_file_once(make_settings, reference) -> None:
    with postgres_database() as url:
        settings = make_settings(url)
        originals = _drop(settings, reference, list(WORKED_EXAMPLE))
        command = [str(Path(sys.executable).parent / "climate-contract"), "run"]

        collectors = [
            subprocess.Popen(
                command,
                env=_environment(settings),
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [collector.communicate(timeout=600) for collector in collectors]

        for collector, (_, errors) in zip(collectors, results, strict=True):
            assert collector.returncode == 0, errors[-3000:]
        _assert_converged(settings, originals)
