"""Write to the warehouse: reference tables, and each submission in one transaction."""

from climate_contract.lazy import lazy_surface

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "reconciliation": ("reconcile_core",),
        "reference": ("load_reference",),
        "roadmap": (
            "ROADMAP_FINDINGS_FILE",
            "ROADMAP_VALUES_FILES",
            "EnteredValues",
            "entered_values",
            "read_roadmap_values",
            "replace_roadmap_values",
            "roadmap_values_files",
            "write_findings_for_steward",
        ),
        "submission": (
            "LedgerEntry",
            "SubmissionRecord",
            "SubmissionStatus",
            "accepted_rows",
            "latest_submission",
            "ledger_entry",
            "mark_delivered",
            "store_submission",
            "submission_findings",
        ),
    },
)
