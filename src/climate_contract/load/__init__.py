"""Write to the warehouse: reference tables, and each submission in one transaction."""

from climate_contract.load.reconciliation import reconcile_core
from climate_contract.load.reference import load_reference
from climate_contract.load.submission import (
    LedgerEntry,
    SubmissionRecord,
    SubmissionStatus,
    accepted_rows,
    latest_submission,
    mark_delivered,
    store_submission,
)

__all__ = [
    "LedgerEntry",
    "SubmissionRecord",
    "SubmissionStatus",
    "accepted_rows",
    "latest_submission",
    "load_reference",
    "mark_delivered",
    "reconcile_core",
    "store_submission",
]
