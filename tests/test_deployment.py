"""docker-compose.yml cannot run here (no Docker engine): check it against the code instead."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from climate_contract.settings import PROJECT_ROOT, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_COMPONENTS = {
    "api-server": "api-server",
    "scheduler": "scheduler",
    "dag-processor": "dag-processor",
    "triggerer": "triggerer",
}
AIRFLOW_SERVICES = {"airflow-init", *AIRFLOW_COMPONENTS}
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
INIT_SCRIPT = (PROJECT_ROOT / "deploy" / "postgres-init.sh").read_text()


def _interpolated(value: str) -> str:
    """What compose makes of ${VAR:-default} and ${VAR:?error} with VAR unset/set to 'x'."""
    return re.sub(
        r"\$\{(\w+)(?::([-?])([^}]*))?\}",
        lambda m: m.group(3) if m.group(2) == "-" else "x",
        value,
    )


def _environment(service: str) -> dict[str, str]:
    return {
        key: _interpolated(str(value)) for key, value in SERVICES[service]["environment"].items()
    }


def _mount_targets(service: str) -> set[str]:
    return {volume.split(":")[1] for volume in SERVICES[service].get("volumes", [])}


def test_the_topology_has_every_airflow_component_and_postgres() -> None:
    assert set(SERVICES) == {"postgres", *AIRFLOW_SERVICES}
    for service, component in AIRFLOW_COMPONENTS.items():
        assert SERVICES[service]["command"][:2] == ["airflow", component]
        assert "healthcheck" in SERVICES[service]
        assert SERVICES[service]["depends_on"]["airflow-init"]["condition"] == (
            "service_completed_successfully"
        )
    assert "healthcheck" in SERVICES["postgres"]
    assert SERVICES["airflow-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    init = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in init
    assert "passwords.json" in init
    assert "climate-contract create-roles" in init


@pytest.mark.parametrize("service", sorted(AIRFLOW_SERVICES))
def test_each_service_sets_only_real_settings_and_they_load(service: str) -> None:
    environment = _environment(service)
    ours = {key: value for key, value in environment.items() if key.startswith("CLIMATE_CONTRACT_")}
    fields = {f"CLIMATE_CONTRACT_{name.upper()}" for name in Settings.model_fields}

    assert set(ours) <= fields, set(ours) - fields
    settings = Settings(
        **{key.removeprefix("CLIMATE_CONTRACT_").lower(): v for key, v in ours.items()}
    )
    assert make_url(settings.url).database == "warehouse"
    assert make_url(environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).database == "airflow"
    assert environment["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    if service != "airflow-init":
        assert str(settings.shared_root) in _mount_targets(service)
        assert str(settings.data_dir / "published") in _mount_targets(service)


def test_all_components_share_one_jwt_secret_and_the_image_paths() -> None:
    secrets = {
        SERVICES[s]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for s in AIRFLOW_SERVICES
    }
    assert len(secrets) == 1
    assert next(iter(secrets)).startswith("${AIRFLOW_JWT_SECRET:?")
    workdir = re.search(r"^WORKDIR (\S+)", DOCKERFILE, re.MULTILINE).group(1)
    for service in AIRFLOW_SERVICES:
        environment = _environment(service)
        assert environment["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"
        assert environment["CLIMATE_CONTRACT_REFERENCE_DIR"] == f"{workdir}/reference"
    for folder in ("dags", "reference", "sql", "expectations", "src"):
        assert f"COPY {folder} ./{folder}" in DOCKERFILE


def test_images_are_pinned_and_the_project_installs_from_its_lock() -> None:
    for name, service in SERVICES.items():
        image = service["image"]
        _, _, tag = image.partition(":")
        assert tag, f"{name}: {image} has no tag"
        assert tag != "latest"
        assert re.match(r"\d+\.\d+", tag), f"{name}: {image} is not pinned to a version"
    assert re.search(r"^FROM python:3\.11\.\d+-", DOCKERFILE, re.MULTILINE)
    assert "-r requirements.lock" in DOCKERFILE
    assert "uv==" in DOCKERFILE


def test_the_postgres_init_creates_what_the_urls_name() -> None:
    loader = make_url(_environment("scheduler")["CLIMATE_CONTRACT_WAREHOUSE_URL"])
    airflow = make_url(_environment("scheduler")["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert f"CREATE DATABASE {loader.database}" in INIT_SCRIPT
    assert f"CREATE DATABASE {airflow.database} OWNER {airflow.username}" in INIT_SCRIPT
    for duty in ("loader", "steward", "analyst"):
        assert f"CREATE ROLE climate_contract_{duty} LOGIN" in INIT_SCRIPT
    assert loader.username == "climate_contract_loader"
    mounted = SERVICES["postgres"]["volumes"][1].split(":")[0]
    assert (PROJECT_ROOT / mounted).resolve() == (PROJECT_ROOT / "deploy" / "postgres-init.sh")


def test_airflow_lists_the_dags_with_no_import_error(tmp_path: Path) -> None:
    airflow = str(Path(sys.executable).with_name("airflow"))
    env = os.environ | {
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }

    def run(*args: str) -> str:
        done = subprocess.run([airflow, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    run("db", "migrate")
    run("dags", "reserialize")  # what the dag-processor does on a fresh setup
    listed = json.loads(run("dags", "list", "-o", "json"))
    errors = json.loads(run("dags", "list-import-errors", "-o", "json"))

    assert {dag["dag_id"] for dag in listed} == {
        "partner_collection",
        "impact_aggregation",
        "campaign_monitoring",
        "reference_refresh",
    }
    assert errors == []
