"""Check submissions, and the marts built from them, with Great Expectations suites."""

from climate_contract.validate.marts import MartChecksFailed, check_marts
from climate_contract.validate.suites import (
    load_suite,
    validate_submission,
    validate_submissions,
)

__all__ = [
    "MartChecksFailed",
    "check_marts",
    "load_suite",
    "validate_submission",
    "validate_submissions",
]
