from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from climate_contract import aggregate, pipeline, warehouse
from climate_contract.samples import sample_rows
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from tests.scenario import WORKED_EXAMPLE

pytestmark = pytest.mark.airflow
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
DAGS_FOLDER = PROJECT_ROOT / "dags"
DAG_IDS = {"partner_collection", "impact_aggregation", "campaign_monitoring", "reference_refresh"}


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
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
    }
    os.environ.update(env)  # for the in-process DagBag, before Airflow is first imported
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=os.environ | env, check=True, capture_output=True
    )
    return env


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run([AIRFLOW, *args], env=os.environ | env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def _run_states(env: dict[str, str], dag_id: str) -> list[str]:
    listed = _airflow(env, "dags", "list-runs", dag_id, "-o", "json")
    return [run["state"] for run in json.loads(listed.stdout.strip().splitlines()[-1])]


def test_dags_import_without_errors_and_are_documented(airflow_env) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))

    assert bag.import_errors == {}
    assert set(bag.dag_ids) == DAG_IDS
    for dag in bag.dags.values():
        assert "climate-contract" in dag.tags
        assert dag.doc_md
        assert dag.doc_md.strip().startswith("###")
        assert "**En français.**" in dag.doc_md  # stewards read it in French too
        assert not dag.catchup
        assert dag.max_active_runs == 1
        assert dag.dagrun_timeout is not None
        for task in dag.tasks:
            assert task.owner == "climate-team"
            assert task.execution_timeout is not None
    collection = bag.get_dag("partner_collection")
    process = collection.get_task("process_files")
    assert process.is_mapped
    assert process.retries == 3
    assert process.retry_exponential_backoff  # a multiplier in Airflow 3.3, True before
    assert [o.uri for o in collection.get_task("record_loads").outlets] == [
        "climate-contract://warehouse/core"
    ]
    assert "refresh_reference" not in collection.task_ids  # reference_refresh owns it
    reference = bag.get_dag("reference_refresh")
    assert [o.uri for o in reference.get_task("load_reference_files").outlets] == [
        "climate-contract://warehouse/ref"
    ]
    aggregation = bag.get_dag("impact_aggregation")
    assert {a.uri for a in aggregation.timetable.asset_condition.objects} == {
        "climate-contract://warehouse/core",
        "climate-contract://warehouse/ref",
    }
    # Also on a clock: marts left behind by a stopped run are caught up without a new load.
    assert aggregation.timetable.timetable.expression == "*/30 * * * *"


def test_marts_are_rebuilt_only_when_behind_and_a_failed_check_is_not_retried(
    airflow_env, monkeypatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from climate_contract.validate import MartChecksFailed

    def failing_checks(settings: Settings) -> list[str]:
        raise MartChecksFailed(["a planted error"])

    rebuild = DagBag(dag_folder=str(DAGS_FOLDER)).get_dag("impact_aggregation")
    rebuild = rebuild.get_task("rebuild_marts").python_callable
    monkeypatch.setattr(pipeline, "marts_are_stale", lambda settings: False)
    with pytest.raises(AirflowSkipException):
        rebuild()

    monkeypatch.setattr(pipeline, "marts_are_stale", lambda settings: True)
    monkeypatch.setattr(pipeline, "rebuild_marts", failing_checks)
    with pytest.raises(AirflowFailException):
        rebuild()


DEMO_SCREEN_LINES = 40
"""What fits on a steward's terminal without scrolling."""


def test_make_demo_collects_the_samples_through_airflow_on_one_quiet_screen(
    airflow_env, tmp_path: Path
) -> None:
    """The README's first command, as a steward runs it (its own Airflow home and data
    folder here): every sample accepted and published, and nothing on the screen but
    what the steward needs."""
    settings = Settings(data_dir=tmp_path / "data")
    env = airflow_env | {
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
    }
    (tmp_path / "airflow").mkdir()

    demo = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_ROOT), "demo"],
        env=os.environ | env,
        capture_output=True,
        text=True,
    )
    _airflow(env, "dags", "test", "partner_collection")  # nothing new: costs a discovery

    screen = demo.stdout + demo.stderr
    assert demo.returncode == 0, screen[-5000:]
    lines = screen.splitlines()
    assert len(lines) <= DEMO_SCREEN_LINES, screen
    chatter = ("Skipping registering", "leaked", "Traceback", "WARNING", "ERROR")
    assert [line for line in lines if any(word in line for word in chatter)] == []
    for dag_id in ("reference_refresh", "partner_collection", "impact_aggregation"):
        assert f"{dag_id}: success (log: {tmp_path / 'airflow' / dag_id}.log)" in lines
    assert "marts.commitments_by_axis_year" in screen
    years = [line.split("│")[2].strip() for line in lines if line.count("│") > 3]
    assert set(years) == {"2027"}  # the mart's rows, of the year asked only
    assert str(settings.data_dir / "published" / "2026" / "rapport.html") in screen
    assert "http://localhost:8080" in lines[-2] + lines[-1]
    assert _run_states(env, "partner_collection") == ["success", "success"]
    assert _run_states(env, "impact_aggregation") == ["success"]
    engine = warehouse.engine_for(settings.url)
    with engine.connect() as connection:
        statuses = connection.execute(
            sa.text("SELECT status, COUNT(*) FROM landing.submissions GROUP BY status")
        ).all()
    expected = [p for p in pipeline.reference_data(settings).partners if "2026" in p.campaigns]
    assert dict(statuses) == {"accepted": len(expected)}
    mart = aggregate.read_mart(engine, "commitments_by_axis_year")
    assert sum(float(v or 0) for v in mart["investment_eur_gross"].to_pylist()) > 0
    published = {p.stem for p in (settings.data_dir / "published" / "current").glob("*.parquet")}
    assert published == set(aggregate.mart_names())
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Sink:
    """An SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def test_campaign_monitoring_writes_the_follow_up_and_mails_reminders_in_french(
    airflow_env, tmp_path: Path, reference
) -> None:
    references = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", references)
    deadline = date.today() - timedelta(days=2)
    (references / "campaigns.yaml").write_text(
        '- {id: "2025", opens_on: 2025-01-15, deadline: 2025-03-31}\n'
        f'- {{id: "2026", opens_on: 2026-01-15, deadline: {deadline.isoformat()}}}\n'
    )
    settings = Settings(data_dir=tmp_path / "data", reference_dir=references, settle_seconds=0)
    for partner_id, rows in {
        "bailleur-social": WORKED_EXAMPLE["bailleur-social"],
        "chu": {"actions": [{"action_ref": "X", "title": "X"}]},
    }.items():
        inbox = settings.shared_root / "inbox" / partner_id
        write_workbook(inbox / f"{partner_id}.xlsx", reference, partner_id, "2026", rows)
    pipeline.run_collection(settings)
    warehouse.engine_for(settings.url).dispose()  # DuckDB: one process writes at a time
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        env = airflow_env | {
            "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
            "CLIMATE_CONTRACT_REFERENCE_DIR": str(references),
            "AIRFLOW_CONN_CLIMATE_CONTRACT_SMTP": (
                f"smtp://127.0.0.1:{controller.port}"
                "?from_email=climat%40metropole.example&disable_tls=true&disable_ssl=true"
            ),
        }
        _airflow(env, "dags", "test", "campaign_monitoring")
        sent_first = len(sink.messages)
        _airflow(env, "dags", "test", "campaign_monitoring")  # the same day again
    finally:
        controller.stop()

    assert len(sink.messages) == sent_first  # recorded, so never sent twice

    expected = {p.id: p for p in reference.partners if "2026" in p.campaigns}
    by_recipient = {message["To"]: message for message in sink.messages}
    assert set(by_recipient) == {p.contact for i, p in expected.items() if i != "bailleur-social"}
    rejected = by_recipient[expected["chu"].contact]
    assert "votre fichier est à corriger" in rejected["Subject"]
    body = (
        rejected.get_payload(decode=True).decode()
        if not rejected.is_multipart()
        else (rejected.get_payload()[0].get_payload(decode=True).decode())
    )
    assert "chu.xlsx" in body
    late = by_recipient[expected["opera"].contact]
    assert "votre déclaration est attendue" in late["Subject"]
    follow_up = (settings.shared_root / "steward" / "2026").glob("suivi-2026-*.csv")
    text = next(follow_up).read_text(encoding="utf-8-sig")
    assert "Rejeté : dernier fichier refusé" in text
    assert "À jour : fichier accepté" in text
    with warehouse.engine_for(settings.url).connect() as connection:
        states = dict(
            connection.execute(
                sa.text("SELECT partner_id, state FROM landing.campaign_follow_up")
            ).all()
        )
    warehouse.engine_for(settings.url).dispose()
    assert states["bailleur-social"] == "a_jour"
    assert states["chu"] == "rejete_sans_nouvel_envoi"
    assert states["opera"] == "en_retard"


def _text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html", "plain")).get_content()


def test_collection_shows_each_rejected_file_in_airflow_and_mails_every_partner_its_answer(
    airflow_env, tmp_path: Path, reference
) -> None:
    settings = Settings(data_dir=tmp_path / "data", settle_seconds=0)
    sent = {
        "bailleur-social": WORKED_EXAMPLE["bailleur-social"],
        "centre-commercial": sample_rows("centre-commercial", "2026"),
        "chu": {"actions": [{"action_ref": "X", "title": "X"}]},
    }
    for partner_id, rows in sent.items():
        inbox = settings.shared_root / "inbox" / partner_id
        write_workbook(inbox / f"{partner_id}.xlsx", reference, partner_id, "2026", rows)
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    env = airflow_env | {
        "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
        "AIRFLOW_CONN_CLIMATE_CONTRACT_SMTP": (
            f"smtp://127.0.0.1:{controller.port}"
            "?from_email=climat%40metropole.example&disable_tls=true&disable_ssl=true"
        ),
    }
    with sqlite3.connect(Path(airflow_env["AIRFLOW_HOME"]) / "airflow.db") as metadata:
        runs_before = metadata.execute("SELECT COALESCE(MAX(id), 0) FROM dag_run").fetchone()[0]
    try:
        _airflow(env, "dags", "test", "reference_refresh")
        collected = _airflow(env, "dags", "test", "partner_collection")
        mailed_once = len(sink.messages)
        _airflow(env, "dags", "test", "partner_collection")  # nothing new: nothing mailed
    finally:
        controller.stop()

    engine = warehouse.engine_for(settings.url)
    with engine.connect() as connection:
        ledger = {
            row.partner_id: row
            for row in connection.execute(
                sa.text(
                    "SELECT s.submission_id, s.partner_id, s.status, COUNT(f.severity) AS errors"
                    " FROM landing.submissions s LEFT JOIN landing.findings f"
                    " ON f.submission_id = s.submission_id AND f.severity = 'error'"
                    " GROUP BY s.submission_id, s.partner_id, s.status"
                )
            )
        }
    engine.dispose()
    assert {p: row.status for p, row in ledger.items()} == {
        "bailleur-social": "accepted",
        "centre-commercial": "accepted",
        "chu": "rejected",
    }
    assert mailed_once == len(sink.messages) == 3
    by_recipient = {message["To"]: message for message in sink.messages}
    outbox = settings.shared_root / "outbox"

    def attached(message) -> set[str]:
        return {part.get_filename() for part in message.iter_attachments()}

    rejected = by_recipient[reference.partner("chu").contact]
    assert "votre fichier est à corriger" in rejected["Subject"]
    assert f"il comporte {ledger['chu'].errors} erreur(s)" in _text_of(rejected)
    assert attached(rejected) == {path.name for path in (outbox / "chu").iterdir()}
    assert any(name.endswith("-a-corriger.xlsx") for name in attached(rejected))
    english = by_recipient[reference.partner("centre-commercial").contact]
    assert "your file is accepted" in english["Subject"]
    assert "centre-commercial.xlsx" in _text_of(english)
    assert attached(english) == {p.name for p in (outbox / "centre-commercial").iterdir()}
    french = by_recipient[reference.partner("bailleur-social").contact]
    assert "votre fichier est accepté" in french["Subject"]

    metadata = sqlite3.connect(Path(airflow_env["AIRFLOW_HOME"]) / "airflow.db")
    # This test's first run: the metadata database is shared by the worker's tests.
    run_id = metadata.execute(
        "SELECT run_id FROM dag_run WHERE dag_id = 'partner_collection' AND id > ?"
        " ORDER BY id LIMIT 1",
        (runs_before,),
    ).fetchone()[0]
    states = metadata.execute(
        "SELECT task_id, map_index, rendered_map_index, state FROM task_instance"
        " WHERE dag_id = 'partner_collection' AND run_id = ?",
        (run_id,),
    ).fetchall()
    metadata.close()
    rejections = [row for row in states if row[0] == "rejected_file"]
    assert len(rejections) == 1
    _, _, label, state = rejections[0]
    assert state == "skipped"  # told apart from the accepted files at a glance
    assert label.startswith("chu: chu.xlsx rejected, ")
    assert f" {ledger['chu'].errors} errors" in label
    assert {row[0]: row[3] for row in states if row[0] != "rejected_file"} == {
        "discover_new_files": "success",
        "process_files": "success",
        "record_loads": "success",
        "rejections": "success",
        "mail_answers": "success",
    }
    # The reason, where the steward reads a skipped task's log.
    assert "climate-contract findings chu chu.xlsx" in collected.stdout + collected.stderr
