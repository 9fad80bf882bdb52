from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import aggregate, warehouse
from climate_contract.samples import write_sample_inbox
from climate_contract.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.airflow
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DAGS_FOLDER = PROJECT_ROOT / "dags"


@pytest.fixture(scope="session")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An Airflow home with a migrated SQLite metadata database, as the README sets up."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": "climate-contract-tests",
        "GX_ANALYTICS_ENABLED": "false",
    }
    os.environ.update(env)  # for the in-process DagBag, before Airflow is first imported
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=os.environ | env, check=True, capture_output=True
    )
    return env


def test_dags_import_without_errors(airflow_env) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))

    assert bag.import_errors == {}
    dag = bag.get_dag("partner_collection")
    assert set(dag.task_ids) == {
        "refresh_reference",
        "discover_new_files",
        "process_file",
        "rebuild_marts",
    }
    assert dag.max_active_runs == 1
    assert not dag.catchup
    assert dag.get_task("process_file").is_mapped
    assert dag.get_task("rebuild_marts").upstream_task_ids == {"process_file"}


def test_airflow_runs_the_collection_over_sample_files_into_duckdb(
    airflow_env, tmp_path: Path, reference
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    write_sample_inbox(settings.shared_root / "inbox", reference, settings.campaign)
    env = os.environ | airflow_env | {"CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir)}

    run = subprocess.run(
        [AIRFLOW, "dags", "test", "partner_collection"], env=env, capture_output=True, text=True
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    runs = subprocess.run(
        [AIRFLOW, "dags", "list-runs", "partner_collection", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r["state"] for r in json.loads(runs.stdout.strip().splitlines()[-1])] == ["success"]
    engine = warehouse.engine_for(settings.url)
    with engine.connect() as connection:
        statuses = connection.execute(
            sa.text("SELECT status, COUNT(*) FROM landing.submissions GROUP BY status")
        ).all()
    assert dict(statuses) == {"accepted": 18}
    mart = aggregate.read_mart(engine, "commitments_by_axis_year")
    assert mart.num_rows > 0
    assert sum(float(v or 0) for v in mart["investment_eur_gross"].to_pylist()) > 0
