"""The collection flow as plain functions: what the DAGs and the CLI call.

Each function takes the settings and does one step for one unit of work, so a
DAG can fan out over files and a test can call the same step without Airflow.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from climate_contract import aggregate, estimate, load, report, warehouse
from climate_contract.findings import has_errors
from climate_contract.intake import IncomingFile, find_incoming_files, keep_original
from climate_contract.parse import FileLimits, parse_submission
from climate_contract.reference import ReferenceData, load_reference_data
from climate_contract.settings import Settings
from climate_contract.validate import MartChecksFailed, check_marts, validate_submission

log = logging.getLogger(__name__)

# Worth retrying: the warehouse or the shared folder was briefly unreachable.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    ConnectionError,
    TimeoutError,
)


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


def _reference_digest(settings: Settings) -> str:
    digest = hashlib.sha256()
    files = sorted(path for path in settings.reference_dir.rglob("*") if path.is_file())
    if settings.emission_factors_extension is not None:
        files.append(settings.emission_factors_extension)
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def refresh_reference(settings: Settings) -> bool:
    """Create missing warehouse tables and, if the reference files changed since they
    were last loaded, load them into ``ref``, in one transaction. Return whether they
    were loaded."""
    digest = _reference_digest(settings)
    with warehouse.engine_for(settings.url).begin() as connection:
        warehouse.ensure_schema(connection)
        state = warehouse.reference_state
        if connection.execute(sa.select(state.c.content_sha256)).scalar() == digest:
            return False
        load.load_reference(connection, reference_data(settings))
        connection.execute(state.delete())
        connection.execute(
            state.insert(),
            {"content_sha256": digest, "loaded_at": datetime.now(UTC).replace(tzinfo=None)},
        )
    log.info("reference data loaded (%s)", digest[:12])
    return True


def discover(settings: Settings) -> list[IncomingFile]:
    """Settled inbox files whose content was not processed yet for the current campaign."""
    reference = reference_data(settings)
    inbox = settings.shared_root / "inbox"
    found = find_incoming_files(inbox, reference.partner_ids, settings.settle_seconds)
    return [incoming for incoming in found if not _already_processed(incoming, settings)]


def _already_processed(incoming: IncomingFile, settings: Settings) -> bool:
    engine = warehouse.engine_for(settings.url)
    if load.known_submission(
        engine, incoming.partner_id, settings.campaign, incoming.content_sha256
    ):
        log.info("%s was already processed (same content); skipped", incoming.path)
        return True
    return False


def batches(files: list[IncomingFile], size: int) -> list[list[IncomingFile]]:
    """Files in groups of ``size``, so that many files do not make as many tasks."""
    return [files[start : start + size] for start in range(0, len(files), size)]


def batch_label(batch: list[IncomingFile]) -> str:
    """A short, readable name for a batch: its partners."""
    partners = list(dict.fromkeys(incoming.partner_id for incoming in batch))
    more = f" +{len(partners) - 3}" if len(partners) > 3 else ""
    return ", ".join(partners[:3]) + more


def process(incoming: IncomingFile, settings: Settings) -> SubmissionOutcome:
    """Parse, validate, keep the original, and load one file; then take it out of the inbox."""
    reference = reference_data(settings)
    limits = FileLimits(
        max_bytes=int(settings.max_file_megabytes * 2**20), max_rows=settings.max_rows_per_sheet
    )
    parsed = parse_submission(Path(incoming.path), reference, limits, incoming.partner_id)
    findings = validate_submission(parsed, reference, incoming.partner_id)
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
    partner = reference.partner(incoming.partner_id)
    feedback = report.Feedback(
        partner_name=partner.name,
        campaign_id=settings.campaign,
        file_name=record.file_name,
        received_at=incoming.received_at,
        accepted=accepted,
        findings=findings,
        language=partner.language,
    )
    outbox = settings.shared_folder("outbox", incoming.partner_id)
    report.write_report(outbox, feedback, parsed, estimates)
    report.write_annotated_copy(outbox, feedback, parsed)
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


def process_batch(batch: list[IncomingFile], settings: Settings) -> list[SubmissionOutcome]:
    """Process each file of the batch in turn. Safe to re-run after a failure: files
    already processed (gone from the inbox, or known by content) are skipped."""
    return [
        process(incoming, settings)
        for incoming in batch
        if Path(incoming.path).exists() and not _already_processed(incoming, settings)
    ]


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


def publish_marts(settings: Settings) -> list[Path]:
    """Write each mart as a Parquet file under ``<data_dir>/published/``, for BI tools
    that read files; a file is replaced only once its new version is complete."""
    folder = settings.data_dir / "published"
    folder.mkdir(parents=True, exist_ok=True)
    engine = warehouse.engine_for(settings.url)
    written = []
    for name in aggregate.mart_names():
        target = folder / f"{name}.parquet"
        partial = target.with_suffix(".parquet.partial")
        pq.write_table(aggregate.read_mart(engine, name), partial)
        partial.replace(target)
        written.append(target)
    return written


def watched_campaigns(settings: Settings, today: date) -> list[str]:
    """Campaigns open today, or closed for less than the follow-up period."""
    days = settings.campaign_monitoring_days_after_deadline
    return [c.id for c in reference_data(settings).campaigns if report.is_watched(c, today, days)]


def follow_up_campaign(
    settings: Settings, campaign_id: str, today: date
) -> tuple[list[report.FollowUp], Path]:
    """Today's state of every expected partner, stored in the warehouse and written
    for the steward under ``<shared_root>/steward/<campaign>/``."""
    engine = warehouse.engine_for(settings.url)
    follow_ups = report.campaign_follow_up(engine, campaign_id, today)
    folder = settings.shared_root / "steward" / campaign_id
    return follow_ups, report.write_follow_up(engine, follow_ups, folder)


def campaign_reminders(
    settings: Settings, follow_ups: list[report.FollowUp]
) -> list[report.Reminder]:
    return report.reminders_for(follow_ups, reference_data(settings))


def run_collection(settings: Settings) -> list[SubmissionOutcome]:
    """The whole flow in this process, one file after another (what the DAGs fan out)."""
    refresh_reference(settings)
    outcomes = process_batch(discover(settings), settings)
    if outcomes:
        rebuild_marts(settings)
        publish_marts(settings)
    return outcomes
