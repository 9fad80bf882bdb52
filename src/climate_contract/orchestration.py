"""What the DAG files share: the Airflow Assets that chain them, and task defaults.

Only DAG files import this module (it imports Airflow); the rest of the package
runs without Airflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.sdk import Asset, get_current_context

if TYPE_CHECKING:
    from climate_contract.report import Mail

MailKind = TypeVar("MailKind", bound="Mail")

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


def has_connection(conn_id: str) -> bool:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def send_mails(conn_id: str, mails: Iterable[MailKind], record: Callable[[MailKind], bool]) -> int:
    """Send, through the SMTP connection ``conn_id``, each mail that ``record`` says
    was not recorded before; how many were sent."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    sent = 0
    with SmtpHook(smtp_conn_id=conn_id) as hook:
        for mail in mails:
            # Recorded first: a retry or a second run sends it no more.
            if record(mail):
                hook.send_email_smtp(
                    to=mail.to,
                    subject=mail.subject,
                    html_content=mail.html,
                    files=[str(path) for path in mail.attachments],
                )
                sent += 1
    return sent
