"""Check submissions, and the marts built from them, with Great Expectations suites."""

from climate_contract.lazy import lazy_surface

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "marts": ("MartChecksFailed", "check_marts"),
        "suites": ("load_suite", "validate_submission", "validate_submissions"),
    },
)
