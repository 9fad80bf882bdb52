"""Check a parsed submission with the Great Expectations suites of ``expectations/``."""

from climate_contract.validate.suites import load_suite, validate_submission

__all__ = ["load_suite", "validate_submission"]
