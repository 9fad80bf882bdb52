"""Write to the warehouse: reference tables, and each submission in one transaction."""

from climate_contract.load.reference import load_reference, set_publication_rules
from climate_contract.load.submission import (
    SubmissionRecord,
    SubmissionStatus,
    accepted_rows,
    known_submission,
    store_submission,
)

__all__ = [
    "SubmissionRecord",
    "SubmissionStatus",
    "accepted_rows",
    "known_submission",
    "load_reference",
    "set_publication_rules",
    "store_submission",
]
