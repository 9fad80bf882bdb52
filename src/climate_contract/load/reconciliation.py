"""What ``core`` holds, against what was loaded into it.

When a submission is loaded, a fingerprint of its rows in ``core`` (every
column of every row of ``actions``, ``investments``, ``impacts``, ``self_assessment``
and ``estimated_emissions``) is recorded in ``landing.submissions``. Before marts
are built, the rows in ``core`` are fingerprinted again: an amount changed, a
row duplicated or deleted, a flag flipped, a year shifted, or the rows of a file
that should have been replaced all show, submission by submission.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract import warehouse
from climate_contract.contract import SHEETS

FINGERPRINTED_TABLES: tuple[sa.Table, ...] = (
    *warehouse.core_tables.values(),
    warehouse.estimated_emissions,
)


def _fingerprint_query(table: sa.Table, submission_id: str | None) -> sa.TextClause:
    # Each value prefixed by its length, NULL marked apart: no two rows read alike.
    values = " || '|' || ".join(
        f"COALESCE(CAST(LENGTH(CAST({column.name} AS TEXT)) AS TEXT) || ':' "
        f"|| CAST({column.name} AS TEXT), '-')"
        for column in table.columns
    )
    where = "WHERE submission_id = :submission_id" if submission_id is not None else ""
    return sa.text(
        f"SELECT submission_id, COUNT(*) AS row_count, "
        f"md5(string_agg({values}, chr(10) ORDER BY {values})) AS digest "
        f"FROM {table.schema}.{table.name} {where} GROUP BY submission_id"
    ).bindparams(**({"submission_id": submission_id} if submission_id is not None else {}))


def core_fingerprints(
    connection: Connection, submission_id: str | None = None
) -> dict[str, tuple[str, dict[str, int]]]:
    """Per submission in ``core`` (or only ``submission_id``): the fingerprint of
    its rows, and its row count per table."""
    digests: dict[str, dict[str, str]] = defaultdict(dict)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for table in FINGERPRINTED_TABLES:
        for row in connection.execute(_fingerprint_query(table, submission_id)):
            digests[row.submission_id][table.name] = row.digest
            counts[row.submission_id][table.name] = row.row_count
    return {
        submission: (_combined(digests[submission]), dict(counts[submission]))
        for submission in digests
    }


OPTIONAL_TABLES = frozenset(sheet.name for sheet in SHEETS if sheet.part is not None)
"""The tables of the contract's optional sheets: a submission with no row there has
the fingerprint it had before the sheet existed (recorded ones stay true)."""


def _combined(digests: dict[str, str]) -> str:
    whole = hashlib.sha256()
    for table in FINGERPRINTED_TABLES:
        if table.name in OPTIONAL_TABLES and table.name not in digests:
            continue
        whole.update(f"{table.name}={digests.get(table.name, '')};".encode())
    return whole.hexdigest()


EMPTY_FINGERPRINT = _combined({})


def reconcile_core(connection: Connection) -> list[str]:
    """Every submission whose rows in ``core`` are not what was loaded, as a
    sentence for the steward; empty when ``core`` holds exactly the latest
    accepted file of each partner and campaign, as loaded."""
    ledger = warehouse.submissions
    latest = (
        sa.select(
            ledger.c.submission_id,
            ledger.c.partner_id,
            ledger.c.campaign_id,
            ledger.c.file_name,
            ledger.c.core_sha256,
            sa.func.row_number()
            .over(
                partition_by=(ledger.c.partner_id, ledger.c.campaign_id),
                order_by=(ledger.c.received_at.desc(), ledger.c.processed_at.desc()),
            )
            .label("rank"),
        )
        .where(ledger.c.status == "accepted")
        .subquery()
    )
    expected = {
        row.submission_id: row
        for row in connection.execute(sa.select(latest).where(latest.c.rank == 1))
    }
    found = core_fingerprints(connection)
    failures = []
    for submission_id, loaded in sorted(expected.items()):
        fingerprint, counts = found.get(submission_id, (EMPTY_FINGERPRINT, {}))
        if loaded.core_sha256 is not None and fingerprint != loaded.core_sha256:
            held = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
            failures.append(
                f"core rows of {loaded.file_name} ({loaded.partner_id}, campaign "
                f"{loaded.campaign_id}) differ from what was loaded (core holds: "
                f"{held or 'no rows'})"
            )
    failures.extend(
        f"core holds rows of submission {submission_id}, which is not the latest accepted "
        "file of its partner and campaign"
        for submission_id in sorted(set(found) - set(expected))
    )
    return failures
