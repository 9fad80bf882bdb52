"""Collect partner workbooks: find new settled inbox files and process them in batches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from climate_contract.orchestration import CORE_DATA, DEFAULT_ARGS, START_DATE, TAGS
from climate_contract.settings import Settings

DOC = """
### Partner collection

Looks into every partner's `inbox/<partner>/` folder for workbooks that are
complete (unmodified for `settle_seconds`) and not processed yet, then, in
batches of `files_per_task` files (one mapped task per batch, named after its
partners): parses each file, checks it with the Great Expectations suites,
archives the original (or quarantines it) and loads it into the warehouse in
one transaction. When anything was processed, it updates the asset that
triggers **impact_aggregation**.

*Re-running is safe*: a file whose content was already processed is skipped,
and what a stopped run left half-way is finished. A partner's bad file is not an
error here: it is read in a child process with memory and time limits, and
rejected with a report. Tasks retry with back-off only when the warehouse or the
shared folder was unreachable. Reference data is loaded by **reference_refresh**
only, the one task that announces it to **impact_aggregation**.
"""

settings = Settings()


@dag(
    dag_id="partner_collection",
    schedule=settings.collection_schedule,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    tags=[*TAGS, "collection"],
    doc_md=DOC,
    default_args=DEFAULT_ARGS,
)
def partner_collection() -> None:
    @task
    def discover_new_files() -> list[list[dict[str, Any]]]:
        from climate_contract import pipeline

        current = Settings()
        found = pipeline.discover(current)
        return [
            [incoming.as_dict() for incoming in batch]
            for batch in pipeline.batches(found, current.files_per_task)
        ]

    @task(map_index_template="{{ batch_label }}")
    def process_files(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from climate_contract import pipeline
        from climate_contract.intake import IncomingFile

        files = [IncomingFile.from_dict(incoming) for incoming in batch]
        get_current_context()["batch_label"] = pipeline.batch_label(files)
        try:
            return [o.as_dict() for o in pipeline.process_batch(files, Settings())]
        except pipeline.TRANSIENT_ERRORS:
            raise
        except Exception as error:
            raise AirflowFailException(f"not retried: {error!r}") from error

    @task(outlets=[CORE_DATA])
    def record_loads(outcomes: list[list[dict[str, Any]]]) -> dict[str, int]:
        processed = [outcome for batch in outcomes for outcome in batch]
        if not processed:
            raise AirflowSkipException("nothing new was processed")
        return {
            status: sum(o["status"] == status for o in processed)
            for status in ("accepted", "rejected")
        }

    record_loads(process_files.expand(batch=discover_new_files()))


partner_collection()
