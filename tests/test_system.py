"""The production topology as real processes on loopback: Airflow's api-server,
scheduler, dag-processor and triggerer with the LocalExecutor on a PostgreSQL
metadata database, and a PostgreSQL warehouse. A partner file dropped in the
inbox must reach the analyst marts with nobody triggering anything."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import warehouse
from climate_contract.samples import sample_rows
from climate_contract.settings import PROJECT_ROOT
from climate_contract.template import write_workbook
from tests.conftest import postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.system]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
WAIT_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[tuple[dict[str, str], str, Path]]:
    with postgres_database() as metadata_url, postgres_database() as warehouse_url:
        api_port = _free_port()
        env = os.environ | {
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url.replace(
                "+psycopg://", "+psycopg_async://"
            ),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__API_AUTH__JWT_SECRET": "system-test-secret",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "CLIMATE_CONTRACT_DATA_DIR": str(tmp_path / "data"),
            "CLIMATE_CONTRACT_WAREHOUSE_URL": warehouse_url,
            "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
            "CLIMATE_CONTRACT_COLLECTION_SCHEDULE": "* * * * *",
            "GX_ANALYTICS_ENABLED": "false",
        }
        subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
        logs = tmp_path / "logs"
        logs.mkdir()
        processes: dict[str, subprocess.Popen] = {}
        try:
            for component in COMPONENTS:
                extra = ["--port", str(api_port)] if component == "api-server" else []
                processes[component] = subprocess.Popen(
                    [AIRFLOW, component, *extra],
                    env=env,
                    stdout=(logs / f"{component}.log").open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            yield env, warehouse_url, logs
        finally:
            _stop(processes)
            warehouse.engine_for(warehouse_url).dispose()


def _mart_partners(warehouse_url: str) -> set[str]:
    try:
        with warehouse.engine_for(warehouse_url).connect() as connection:
            rows = connection.execute(sa.text("SELECT partner_id FROM marts.partner_summary"))
            return set(rows.scalars())
    except sa.exc.ProgrammingError:  # the marts are not built yet
        return set()


def test_a_dropped_file_reaches_the_marts_through_the_running_topology(topology, reference) -> None:
    env, warehouse_url, logs = topology
    inbox = Path(env["CLIMATE_CONTRACT_DATA_DIR"]) / "shared" / "inbox" / "chu"
    write_workbook(inbox / "declaration.xlsx", reference, "chu", "2026", sample_rows("chu", "2026"))

    deadline = time.monotonic() + WAIT_SECONDS
    while "chu" not in _mart_partners(warehouse_url) and time.monotonic() < deadline:
        time.sleep(5)

    tails = "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in logs.iterdir()
    )
    assert "chu" in _mart_partners(warehouse_url), tails
    assert not (inbox / "declaration.xlsx").exists()
    with warehouse.engine_for(warehouse_url).connect() as connection:
        (status,) = connection.execute(sa.text("SELECT status FROM landing.submissions")).one()
    assert status == "accepted"
