"""Check submissions, and the marts built from them, with Great Expectations suites."""

import logging

from climate_contract.lazy import lazy_surface

# GX logs hundreds of INFO lines of its own bookkeeping at import ("Skipping
# registering function ...") and each context's temporary folder: in an Airflow
# task's log (INFO) they buried what the run did. Its warnings still show.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "marts": ("MartChecksFailed", "check_marts"),
        "suites": ("load_suite", "validate_submission", "validate_submissions"),
    },
)
