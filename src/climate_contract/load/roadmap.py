"""The steward's workbook of the roadmap's entered indicators
(``reference/roadmap_values.xlsx``, ``.ods`` or ``.csv``): read and checked as a
partner's workbook is, its values loaded when nothing in it is wrong."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from climate_contract import warehouse
from climate_contract.contract import ROADMAP_VALUES
from climate_contract.findings import Finding, has_errors
from climate_contract.reference import ReferenceData
from climate_contract.safe_text import write_spreadsheet_csv
from climate_contract.wording import Language, Wording

log = logging.getLogger(__name__)

ROADMAP_VALUES_FILES = ("roadmap_values.xlsx", "roadmap_values.ods", "roadmap_values.csv")
"""Where the steward keeps the workbook, in the reference folder, in one format."""


@dataclass(frozen=True)
class EnteredValues:
    path: Path
    rows: list[dict[str, Any]]
    findings: list[Finding]

    @property
    def accepted(self) -> bool:
        return not has_errors(self.findings)


def roadmap_values_files(reference_dir: Path) -> list[Path]:
    """The steward's workbooks in the reference folder: one, or none."""
    return [
        reference_dir / name for name in ROADMAP_VALUES_FILES if (reference_dir / name).is_file()
    ]


def entered_values(reference_dir: Path, reference: ReferenceData) -> EnteredValues | None:
    """The steward's workbook read and checked; None when there is none. Two of them
    (an .xlsx written beside the .csv, say) are refused: which one counts is the
    steward's call. A fault while reading is a refusal too, never a stop: the
    workbook holds up no partner's collection."""
    found = roadmap_values_files(reference_dir)
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        return _refused(
            found[0],
            "plusieurs_classeurs",
            Wording(
                f"Plusieurs classeurs des indicateurs saisis ({names}) : gardez-en un seul, "
                "celui qui fait foi.",
                f"Several workbooks of entered indicators ({names}): keep only the one that "
                "counts.",
            ),
        )
    if reference.roadmap is not None and not reference.roadmap.entered:
        return _refused(
            found[0],
            "aucun_indicateur_saisi",
            Wording(
                "La feuille de route (roadmap.yaml) n'a aucun indicateur saisi (mesure "
                "« entered ») : ce classeur n'est pas lu. Retirez-le, ou ajoutez à la "
                "feuille de route les indicateurs qu'il donne.",
                "The roadmap (roadmap.yaml) has no entered indicator (measure "
                '"entered"): this workbook is not read. Remove it, or add to the roadmap '
                "the indicators it gives.",
            ),
        )
    try:
        return read_roadmap_values(found[0], reference)
    except Exception:
        log.exception("%s could not be read", found[0])
        return _refused(
            found[0],
            "fichier_illisible",
            Wording(
                "Le classeur n'a pas pu être lu (voir le journal) : enregistrez-le à "
                "nouveau depuis le modèle (climate-contract roadmap template).",
                "The workbook could not be read (see the log): save it again from the "
                "template (climate-contract roadmap template).",
            ),
        )


def _refused(path: Path, rule: str, message: Wording) -> EnteredValues:
    return EnteredValues(path, [], [Finding("error", rule, message)])


def read_roadmap_values(path: Path, reference: ReferenceData) -> EnteredValues:
    """The values of the steward's workbook at ``path`` and every finding on it: the
    parser's (unreadable cells, bounds) and the suite's (required cells, indicators of
    the roadmap's entered ones, one value per indicator and year)."""
    from climate_contract.parse.submission import parse_one_sheet
    from climate_contract.validate import validate_submission

    parsed = parse_one_sheet(path, ROADMAP_VALUES, reference)
    findings = validate_submission(parsed, reference)
    sheet = parsed.sheets.get(ROADMAP_VALUES.name)
    columns = [column.name for column in ROADMAP_VALUES.columns]
    rows = [] if sheet is None else sheet.table.select(columns).to_pylist()
    return EnteredValues(path, rows, findings)


def replace_roadmap_values(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Replace the entered values with ``rows``, in the caller's transaction."""
    connection.execute(warehouse.roadmap_values.delete())
    if rows:
        connection.execute(warehouse.roadmap_values.insert(), rows)


ROADMAP_FINDINGS_FILE = "roadmap-values-findings.csv"
"""Beside the inbox notices, in the steward's folder: why the workbook was refused."""


def write_findings_for_steward(
    folder: Path, entered: EnteredValues, language: Language = "fr"
) -> Path:
    """The workbook's findings as a CSV a spreadsheet opens: where, rule, message."""
    return write_spreadsheet_csv(
        folder / ROADMAP_FINDINGS_FILE,
        ["Fichier", "Gravité", "Feuille", "Ligne", "Colonne", "Règle", "Message"],
        (
            [
                entered.path.name,
                finding.severity,
                finding.sheet or "",
                finding.row or "",
                finding.column or "",
                finding.rule,
                finding.message.in_language(language),
            ]
            for finding in entered.findings
        ),
    )
