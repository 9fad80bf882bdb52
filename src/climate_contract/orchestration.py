"""What the DAG files share: the Airflow Assets that chain them, and task defaults.

Only DAG files import this module (it imports Airflow); the rest of the package
runs without Airflow.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, get_current_context

START_DATE = datetime(2026, 1, 1)
CORE_DATA = Asset(name="climate_contract_core_data", uri="climate-contract://warehouse/core")
REFERENCE_DATA = Asset(name="climate_contract_reference", uri="climate-contract://warehouse/ref")
MARTS = Asset(name="climate_contract_marts", uri="climate-contract://warehouse/marts")
TAGS = ["climate-contract"]

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "climate-team",
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "execution_timeout": timedelta(hours=1),
}


def logical_day() -> date:
    """The day the running task's DAG run is for: its logical date, or when it was
    asked to run (manual and asset-triggered runs have no logical date). A re-run
    or a backfill of a day gives that day's answer, not today's."""
    context = get_current_context()
    when = context.get("logical_date") or context["dag_run"].run_after
    return when.date()
