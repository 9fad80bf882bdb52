"""What checking a submission found, as a partner must read it: where, what, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from climate_contract.contract import MAX_FINDINGS_PER_FILE
from climate_contract.wording import Wording, number_wording

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


def cap_findings(findings: list[Finding], limit: int = MAX_FINDINGS_PER_FILE) -> list[Finding]:
    """At most ``limit`` findings, errors first, the last of them a line that says how
    many more there were and of which kinds. Capping a capped list changes nothing."""
    if len(findings) <= limit:
        return findings
    ordered = sorted(findings, key=lambda finding: finding.severity != "error")
    kept, left = ordered[: limit - 1], ordered[limit - 1 :]
    rules = ", ".join(sorted({finding.rule for finding in left}))
    count = number_wording(len(left))
    return [
        *kept,
        Finding(
            "error" if has_errors(left) else "warning",
            "constats_non_listes",
            Wording(
                f"… et {count.fr} autres constats de même nature ({rules}), non listés ici : "
                "corrigez ceux-ci, puis déposez le fichier à nouveau.",
                f"… and {count.en} more findings of the same kinds ({rules}), not listed "
                "here: correct these, then drop the file again.",
            ),
        ),
    ]
