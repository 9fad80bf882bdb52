"""Read a partner file (xlsx, ods, csv) into typed Arrow tables with provenance."""

from climate_contract.lazy import lazy_surface

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "grid": ("FileLimits",),
        "sheets": ("PROVENANCE_COLUMNS", "ParsedSheet", "ParsedSubmission"),
        "submission": ("parse_submission",),
    },
)
