from __future__ import annotations

import yaml

from climate_contract.settings import PROJECT_ROOT, Settings


def test_compose_services_set_only_settings_the_code_reads() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    fields = {f"CLIMATE_CONTRACT_{name.upper()}" for name in Settings.model_fields}
    airflow_services = {"airflow-init", "api-server", "scheduler", "dag-processor", "triggerer"}

    assert airflow_services <= compose["services"].keys()
    for name in airflow_services:
        environment = compose["services"][name]["environment"]
        ours = {key for key in environment if key.startswith("CLIMATE_CONTRACT_")}
        assert ours <= fields, ours - fields
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${")
        assert environment["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/dags")
