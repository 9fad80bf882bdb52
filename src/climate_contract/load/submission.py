from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from climate_contract import warehouse
from climate_contract.contract import SHEETS
from climate_contract.findings import Finding
from climate_contract.load.reconciliation import EMPTY_FINGERPRINT, core_fingerprints
from climate_contract.wording import Wording

if TYPE_CHECKING:
    from climate_contract.parse import ParsedSubmission

SubmissionStatus = Literal["accepted", "rejected", "superseded"]
"""``superseded``: accepted, but a file the partner sent after it was loaded first."""


@dataclass(frozen=True)
class SubmissionRecord:
    """The ledger's view of one file a partner sent."""

    submission_id: str
    partner_id: str
    campaign_id: str
    file_name: str
    content_sha256: str
    size_bytes: int
    received_at: datetime
    processed_at: datetime
    status: SubmissionStatus
    stored_path: str


@dataclass(frozen=True)
class LedgerEntry:
    submission_id: str
    file_name: str
    content_sha256: str
    received_at: datetime
    status: SubmissionStatus
    stored_path: str
    error_count: int
    warning_count: int
    delivered_at: datetime | None


def latest_submission(
    engine: Engine, partner_id: str, campaign_id: str, file_name: str | None = None
) -> LedgerEntry | None:
    """The partner's last file received for the campaign, whatever became of it; or
    its last one named ``file_name`` (as the partner named it, or as it is kept in
    archive or quarantine)."""
    ledger = warehouse.submissions
    query = (
        _ledger_entries()
        .where(ledger.c.partner_id == partner_id, ledger.c.campaign_id == campaign_id)
        .order_by(ledger.c.received_at.desc(), ledger.c.processed_at.desc())
    )
    if file_name is None:
        query = query.limit(1)  # every file of every run asks: read one row
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    entries = [LedgerEntry(**row._mapping) for row in rows]
    if file_name is not None:
        named = (file_name, Path(file_name).name)
        entries = [e for e in entries if e.file_name in named or Path(e.stored_path).name in named]
    return entries[0] if entries else None


def _ledger_entries() -> sa.Select:
    ledger = warehouse.submissions
    return sa.select(*(ledger.c[name] for name in LedgerEntry.__dataclass_fields__))


def ledger_entry(engine: Engine, submission_id: str) -> LedgerEntry:
    query = _ledger_entries().where(warehouse.submissions.c.submission_id == submission_id)
    with engine.connect() as connection:
        return LedgerEntry(**connection.execute(query).one()._mapping)


def submission_findings(engine: Engine, submission_id: str) -> list[Finding]:
    """What checking a submission found, as recorded, in the order the partner read it."""
    table = warehouse.findings
    query = (
        sa.select(table)
        .where(table.c.submission_id == submission_id)
        .order_by(table.c.finding_index)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        Finding(
            severity=row.severity,
            rule=row.rule,
            message=Wording(row.message_fr, row.message_en or row.message_fr),
            sheet=row.sheet,
            row=row.row_number,
            column=row.column_letter,
            value=row.value,
        )
        for row in rows
    ]


def mark_delivered(engine: Engine, submission_id: str, delivered_at: datetime) -> None:
    ledger = warehouse.submissions
    with engine.begin() as connection:
        connection.execute(
            ledger.update()
            .where(ledger.c.submission_id == submission_id)
            .values(delivered_at=delivered_at)
        )


def _replace_core_rows(
    connection: Connection,
    record: SubmissionRecord,
    parsed: ParsedSubmission,
    estimates: pa.Table,
) -> None:
    # A sheet the file leaves out (an optional one) leaves the partner nothing there
    # for the campaign: the file replaces everything the partner declared before.
    batches = [
        (table, parsed.sheets[sheet_name].title, parsed.sheets[sheet_name].table)
        if sheet_name in parsed.sheets
        else (table, "", None)
        for sheet_name, table in warehouse.core_tables.items()
    ]
    batches.append((warehouse.estimated_emissions, parsed.sheets["impacts"].title, estimates))
    for table, sheet_title, rows in batches:
        connection.execute(
            table.delete().where(
                table.c.partner_id == record.partner_id,
                table.c.campaign_id == record.campaign_id,
            )
        )
        if rows is None:
            continue
        provenance = {
            "submission_id": record.submission_id,
            "partner_id": record.partner_id,
            "campaign_id": record.campaign_id,
            "source_sheet": sheet_title,
        }
        for name, value in provenance.items():
            rows = rows.append_column(name, pa.repeat(pa.scalar(value), rows.num_rows))
        warehouse.insert_arrow(connection, table, rows)


def _received_later(connection: Connection, record: SubmissionRecord) -> bool:
    """Whether the partner's data for the campaign come from a file received after
    this one: a submission never replaces a later one."""
    ledger = warehouse.submissions
    query = sa.select(sa.func.count()).where(
        ledger.c.partner_id == record.partner_id,
        ledger.c.campaign_id == record.campaign_id,
        ledger.c.status == "accepted",
        ledger.c.received_at > record.received_at,
    )
    return bool(connection.execute(query).scalar_one())


def store_submission(
    engine: Engine,
    record: SubmissionRecord,
    findings: list[Finding],
    parsed: ParsedSubmission,
    estimates: pa.Table,
) -> SubmissionStatus:
    """Record a submission in the ledger with its findings and, if it was accepted and
    no file received after it was, make its rows the partner's data for the campaign:
    all in one transaction. Return the status recorded."""

    def row_count(sheet_name: str) -> int:
        sheet = parsed.sheets.get(sheet_name)
        return sheet.table.num_rows if sheet is not None else 0

    with engine.begin() as connection:
        status = record.status
        if status == "accepted" and _received_later(connection, record):
            status = "superseded"
        core_sha256 = None
        if status == "accepted":
            _replace_core_rows(connection, record, parsed, estimates)
            loaded = core_fingerprints(connection, record.submission_id)
            core_sha256 = loaded.get(record.submission_id, (EMPTY_FINGERPRINT, {}))[0]
        connection.execute(
            warehouse.submissions.insert(),
            asdict(record)
            | {
                "status": status,
                "core_sha256": core_sha256,
                "action_rows": row_count("actions"),
                "investment_rows": row_count("investments"),
                "impact_rows": row_count("impacts"),
                "error_count": sum(f.severity == "error" for f in findings),
                "warning_count": sum(f.severity == "warning" for f in findings),
            },
        )
        if findings:
            connection.execute(
                warehouse.findings.insert(),
                [
                    {
                        "submission_id": record.submission_id,
                        "finding_index": index,
                        "severity": finding.severity,
                        "rule": finding.rule,
                        "sheet": finding.sheet,
                        "row_number": finding.row,
                        "column_letter": finding.column,
                        "header": finding.header.fr if finding.header else None,
                        "value": finding.value,
                        "message_fr": finding.message.fr,
                        "message_en": finding.message.en,
                    }
                    for index, finding in enumerate(findings)
                ],
            )
    return status


def accepted_rows(engine: Engine, partner_id: str, before_campaign: str) -> dict[str, list[dict]]:
    """The partner's accepted rows of its latest campaign before ``before_campaign``,
    in workbook order, keyed by sheet; empty when there is none."""
    actions = warehouse.core_tables["actions"]
    with engine.connect() as connection:
        previous = connection.execute(
            sa.select(sa.func.max(actions.c.campaign_id)).where(
                actions.c.partner_id == partner_id, actions.c.campaign_id < before_campaign
            )
        ).scalar()
        if previous is None:
            return {}
        return {
            sheet_name: [
                dict(row._mapping)
                for row in connection.execute(
                    sa.select(*(table.c[column.name] for column in sheet.columns))
                    .where(table.c.partner_id == partner_id, table.c.campaign_id == previous)
                    .order_by(table.c.source_row)
                )
            ]
            for sheet_name, table, sheet in (
                (sheet.name, warehouse.core_tables[sheet.name], sheet) for sheet in SHEETS
            )
        }
