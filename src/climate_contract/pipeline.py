"""The collection flow as plain functions: what the DAGs and the CLI call.

Each function takes the settings and does one step for one unit of work, so a
DAG can fan out over files and a test can call the same step without Airflow.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from climate_contract import aggregate, estimate, load, warehouse
from climate_contract.findings import has_errors
from climate_contract.intake import IncomingFile, find_incoming_files, keep_original
from climate_contract.parse import parse_submission
from climate_contract.reference import ReferenceData, load_reference_data
from climate_contract.settings import Settings
from climate_contract.validate import MartChecksFailed, check_marts, validate_submission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionOutcome:
    submission_id: str
    partner_id: str
    file_name: str
    status: load.SubmissionStatus
    error_count: int
    warning_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reference_data(settings: Settings) -> ReferenceData:
    return load_reference_data(settings.reference_dir, settings.emission_factors_extension)


def refresh_reference(settings: Settings) -> ReferenceData:
    """Create missing warehouse tables and load the reference files into ``ref``."""
    reference = reference_data(settings)
    engine = warehouse.engine_for(settings.url)
    warehouse.ensure_schema(engine)
    load.load_reference(engine, reference)
    return reference


def discover(settings: Settings) -> list[IncomingFile]:
    """Inbox files whose content was not processed yet for the current campaign."""
    reference = reference_data(settings)
    engine = warehouse.engine_for(settings.url)
    new_files = []
    for incoming in find_incoming_files(settings.shared_root / "inbox", reference.partner_ids):
        if load.known_submission(
            engine, incoming.partner_id, settings.campaign, incoming.content_sha256
        ):
            log.info("%s was already processed (same content); skipped", incoming.path)
            continue
        new_files.append(incoming)
    return new_files


def process(incoming: IncomingFile, settings: Settings) -> SubmissionOutcome:
    """Parse, validate, keep the original, and load one file; then take it out of the inbox."""
    reference = reference_data(settings)
    parsed = parse_submission(Path(incoming.path), reference)
    findings = validate_submission(parsed, reference)
    estimates = pa.Table.from_pylist([], schema=estimate.ESTIMATE_COLUMNS)
    if not has_errors(findings):
        impacts = parsed.sheets["impacts"]
        estimates = estimate.estimate_emissions(impacts.table, reference)
        findings += estimate.compare_with_declared(
            impacts, estimates, reference, settings.estimate_tolerance
        )
    accepted = not has_errors(findings)
    area = "archive" if accepted else "quarantine"
    stored = keep_original(
        incoming, settings.shared_folder(area, incoming.partner_id) / settings.campaign
    )
    record = load.SubmissionRecord(
        submission_id=f"{settings.campaign}-{incoming.partner_id}-{incoming.content_sha256[:16]}",
        partner_id=incoming.partner_id,
        campaign_id=settings.campaign,
        file_name=Path(incoming.path).name,
        content_sha256=incoming.content_sha256,
        size_bytes=incoming.size_bytes,
        received_at=incoming.received_at.replace(tzinfo=None),
        processed_at=datetime.now(UTC).replace(tzinfo=None),
        status="accepted" if accepted else "rejected",
        stored_path=str(stored),
    )
    load.store_submission(warehouse.engine_for(settings.url), record, findings, parsed, estimates)
    Path(incoming.path).unlink()
    log.info("%s %s with %d findings", record.file_name, record.status, len(findings))
    return SubmissionOutcome(
        submission_id=record.submission_id,
        partner_id=record.partner_id,
        file_name=record.file_name,
        status=record.status,
        error_count=sum(f.severity == "error" for f in findings),
        warning_count=sum(f.severity == "warning" for f in findings),
    )


def rebuild_marts(settings: Settings) -> list[str]:
    """Rebuild the marts and publish them only if their checks hold.

    Raises ``MartChecksFailed`` (and keeps the previous marts) otherwise.
    """
    with warehouse.engine_for(settings.url).begin() as connection:
        load.set_publication_rules(connection, settings.confidentiality_min_partners)
        names = aggregate.build_marts(connection)
        failures = check_marts(connection, settings.confidentiality_min_partners)
        if failures:
            raise MartChecksFailed(failures)
    return names


def run_collection(settings: Settings) -> list[SubmissionOutcome]:
    """The whole flow in this process, one file after another (what the DAG fans out)."""
    refresh_reference(settings)
    outcomes = [process(incoming, settings) for incoming in discover(settings)]
    if outcomes:
        rebuild_marts(settings)
    return outcomes
