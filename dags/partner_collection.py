"""Collect partner workbooks: find new inbox files, process each, rebuild the marts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, get_current_context, task

from climate_contract.settings import Settings

WAREHOUSE_MARTS = Asset("climate_contract://warehouse/marts")

DOC = """
### Partner collection

Every few minutes, looks into each partner's `inbox/<partner>/` folder for
workbooks not processed yet, then for each file (one mapped task per file):
parses it, checks it with the Great Expectations suites, archives the original
(or quarantines it) and loads it into the warehouse in one transaction.
Finally rebuilds the analyst marts.

Re-running is safe: a file whose content was already processed is skipped.
"""


@dag(
    dag_id="partner_collection",
    schedule=Settings().collection_schedule,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["climate-contract", "collection"],
    doc_md=DOC,
    default_args={"owner": "climate-team", "retries": 2, "retry_delay": timedelta(minutes=1)},
)
def partner_collection() -> None:
    @task
    def refresh_reference() -> None:
        from climate_contract import pipeline

        pipeline.refresh_reference(Settings())

    @task
    def discover_new_files() -> list[dict[str, Any]]:
        from climate_contract import pipeline

        return [incoming.as_dict() for incoming in pipeline.discover(Settings())]

    @task(map_index_template="{{ file_label }}")
    def process_file(incoming: dict[str, Any]) -> dict[str, Any]:
        from climate_contract import pipeline
        from climate_contract.intake import IncomingFile

        found = IncomingFile.from_dict(incoming)
        get_current_context()["file_label"] = f"{found.partner_id}: {found.path.rsplit('/', 1)[-1]}"
        return pipeline.process(found, Settings()).as_dict()

    @task(outlets=[WAREHOUSE_MARTS])
    def rebuild_marts(outcomes: list[dict[str, Any]]) -> list[str]:
        from climate_contract import pipeline

        return pipeline.rebuild_marts(Settings())

    new_files = discover_new_files()
    refresh_reference() >> new_files
    rebuild_marts(process_file.expand(incoming=new_files))


partner_collection()
