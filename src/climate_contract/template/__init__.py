"""Write the partner workbook: the canonical template, optionally filled with rows."""

from climate_contract.template.writer import (
    SubmissionRows,
    write_roadmap_workbook,
    write_workbook,
)

__all__ = ["SubmissionRows", "write_roadmap_workbook", "write_workbook"]
