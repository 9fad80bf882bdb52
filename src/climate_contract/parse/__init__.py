"""Read a partner file (xlsx, ods, csv) into typed Arrow tables with provenance."""

from climate_contract.parse.grid import FileLimits
from climate_contract.parse.sheets import PROVENANCE_COLUMNS, ParsedSheet, ParsedSubmission
from climate_contract.parse.submission import parse_submission

__all__ = [
    "PROVENANCE_COLUMNS",
    "FileLimits",
    "ParsedSheet",
    "ParsedSubmission",
    "parse_submission",
]
