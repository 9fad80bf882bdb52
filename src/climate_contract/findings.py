"""What checking a submission found, as a partner must read it: where, what, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from climate_contract.wording import Wording

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a submission.

    ``sheet``, ``row``, ``column`` (letter) and ``header`` are as the partner sees
    them in a spreadsheet program; ``message`` says what to do about it.
    """

    severity: Severity
    rule: str
    message: Wording
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: Wording | None = None
    value: str | None = None


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
