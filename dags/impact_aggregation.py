"""Rebuild, check and publish the analyst marts whenever loads or reference data change."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from climate_contract.orchestration import (
    CORE_DATA,
    DEFAULT_ARGS,
    MARTS,
    REFERENCE_DATA,
    START_DATE,
    TAGS,
)

DOC = """
### Impact aggregation

Runs when **partner_collection** has loaded files or **reference_refresh** has
loaded new reference data (Airflow Assets, not a clock); a burst of loads
queued while it runs makes one more run, not one per file.

1. *rebuild_marts*: rebuilds every model of `sql/core/` and `sql/marts/` and runs
   the mart checks (`sql/checks/`, `expectations/marts/`) in one transaction:
   if a check fails, nothing is published and the previous marts stay.
2. *publish_marts*: writes each mart as Parquet under `<data_dir>/published/`.
"""


@dag(
    dag_id="impact_aggregation",
    schedule=CORE_DATA | REFERENCE_DATA,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    tags=[*TAGS, "marts"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def impact_aggregation() -> None:
    @task(outlets=[MARTS])
    def rebuild_marts() -> list[str]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        return pipeline.rebuild_marts(Settings())

    @task
    def publish_marts() -> list[str]:
        from climate_contract import pipeline
        from climate_contract.settings import Settings

        return [str(path) for path in pipeline.publish_marts(Settings())]

    rebuild_marts() >> publish_marts()


impact_aggregation()
