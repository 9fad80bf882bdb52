"""The collection flow as plain functions: what the DAGs and the CLI call.

Each function takes the settings and does one step for one unit of work, so a
DAG can fan out over files and a test can call the same step without Airflow.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shlex
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any, get_args

import pyarrow as pa
import sqlalchemy as sa

from climate_contract import (
    aggregate,
    disclosure,
    estimate,
    load,
    locks,
    parse,
    publish,
    report,
    validate,
    warehouse,
)
from climate_contract.findings import Finding, cap_findings, has_errors
from climate_contract.intake import (
    InboxNotice,
    IncomingFile,
    copy_verified,
    keep_original,
    same_file,
    scan_inbox,
    sha256_of,
)
from climate_contract.isolation import AbortCause, IsolatedWorker, WorkAborted
from climate_contract.parse import FileLimits, ParsedSubmission
from climate_contract.parse.grid import SUPPORTED_SUFFIXES
from climate_contract.progress import RunProgress
from climate_contract.reference import Campaign, ReferenceData, load_reference_data
from climate_contract.safe_text import safe_file_name, write_spreadsheet_csv
from climate_contract.settings import Settings
from climate_contract.wording import Language, Wording, territory_time

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

    @property
    def label(self) -> str:
        """How a steward sees the file among others: ``chu: plan.xlsx rejected, 3 errors``."""
        counts = f"{self.error_count} errors, {self.warning_count} warnings"
        return f"{self.partner_id}: {self.file_name} {self.status}, {counts}"


def reference_data(settings: Settings) -> ReferenceData:
    """The reference files' data, read once per process for as long as the files
    are the same (every file of a collection needs them)."""
    return _read_reference(
        _reference_digest(settings), settings.reference_dir, settings.emission_factors_extension
    )


@cache
def _read_reference(digest: str, directory: Path, extension: Path | None) -> ReferenceData:
    return load_reference_data(directory, extension)


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
        reference = reference_data(settings)
        load.load_reference(connection, reference)
        _refresh_roadmap_values(connection, settings, reference)
        connection.execute(state.delete())
        connection.execute(
            state.insert(),
            {"content_sha256": digest, "loaded_at": datetime.now(UTC).replace(tzinfo=None)},
        )
    log.info("reference data loaded (%s)", digest[:12])
    return True


def _refresh_roadmap_values(
    connection: sa.Connection, settings: Settings, reference: ReferenceData
) -> None:
    """Load the values of the steward's roadmap workbook when nothing in it is wrong;
    otherwise keep those loaded before, and tell the steward why beside the inbox
    notices (a mistake there holds up no partner's collection)."""
    folder = settings.shared_root / "steward"
    told = folder / load.ROADMAP_FINDINGS_FILE
    entered = (
        None
        if reference.roadmap is None
        else load.entered_values(settings.reference_dir, reference)
    )
    if entered is None:
        load.replace_roadmap_values(connection, [])
        told.unlink(missing_ok=True)
        return
    if entered.accepted:
        load.replace_roadmap_values(connection, entered.rows)
    else:
        log.warning(
            "%s refused (%d findings, in %s): the roadmap keeps the values loaded before",
            entered.path,
            len(entered.findings),
            told,
        )
    if entered.findings:
        load.write_findings_for_steward(folder, entered)
    else:
        told.unlink(missing_ok=True)


def discover(settings: Settings, progress: RunProgress | None = None) -> list[IncomingFile]:
    """Settled files in the partners' inboxes, oldest first; everything else found
    there is listed for the steward (``landing.inbox_notices``)."""
    engine = warehouse.engine_for(settings.url)
    with engine.begin() as connection:
        warehouse.ensure_schema(connection)
    reference = reference_data(settings)
    # Files are collected for a declared campaign or not at all (UnknownReference).
    reference.campaign(settings.campaign)
    inbox = settings.shared_root / "inbox"
    scan = scan_inbox(inbox, reference.partner_ids, settings.settle_seconds)
    _record_notices(settings, reference, scan.notices)
    if scan.waiting:
        log.info(
            "%d file(s) still settling (changed less than %ss ago), left for a later run: %s",
            len(scan.waiting),
            settings.settle_seconds,
            ", ".join(scan.waiting),
        )
    (progress or RunProgress()).waiting(scan.waiting)
    return scan.files


def _record_notices(
    settings: Settings, reference: ReferenceData, notices: list[InboxNotice]
) -> None:
    """Keep each notice once; warn the steward, and answer the partner whose folder
    holds something we refuse to read, the first time it is seen."""
    table = warehouse.inbox_notices
    now = _now()
    with warehouse.engine_for(settings.url).begin() as connection:
        known = {
            (row.path, row.kind)
            for row in connection.execute(sa.select(table.c.path, table.c.kind))
        }
        for notice in notices:
            if (notice.path, notice.kind) in known:
                connection.execute(
                    table.update()
                    .where(table.c.path == notice.path, table.c.kind == notice.kind)
                    .values(last_seen_at=now)
                )
                continue
            log.warning("inbox: %s %s (%s)", notice.kind, notice.path, notice.detail)
            connection.execute(
                table.insert(),
                asdict(notice) | {"first_seen_at": now, "last_seen_at": now},
            )
            known.add((notice.path, notice.kind))
            if notice.kind == "not_a_regular_file" and notice.partner_id is not None:
                _answer_refused_entry(settings, reference, notice)
    _write_notices_for_steward(settings)


def _answer_refused_entry(
    settings: Settings, reference: ReferenceData, notice: InboxNotice
) -> None:
    name = Path(notice.path).name
    finding = Finding(
        "error",
        "fichier_non_ordinaire",
        Wording(
            f"« {name} » n'est pas un fichier ordinaire (raccourci, lien ou périphérique) : "
            "il n'a pas été lu. Déposez le classeur lui-même, pas un raccourci vers lui.",
            f'"{name}" is not an ordinary file (a shortcut, link or device): it was not '
            "read. Drop the workbook itself, not a shortcut to it.",
        ),
    )
    _answer(settings, reference, notice.partner_id or "", name, _now(), [finding])


def _write_notices_for_steward(settings: Settings) -> None:
    table = warehouse.inbox_notices
    with warehouse.engine_for(settings.url).connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.first_seen_at, table.c.path))
        write_spreadsheet_csv(
            settings.shared_root / "steward" / "inbox-notices.csv",
            ["Vu le", "Vu encore le", "Partenaire", "Chemin", "Nature", "Détail"],
            (
                [
                    row.first_seen_at,
                    row.last_seen_at,
                    row.partner_id or "",
                    row.path,
                    row.kind,
                    row.detail,
                ]
                for row in rows
            ),
        )


def batches(files: list[IncomingFile], size: int) -> list[list[IncomingFile]]:
    """Files in groups of ``size``, so that many files do not make as many tasks;
    a partner's files stay in one group, in the order received."""
    by_partner: dict[str, list[IncomingFile]] = {}
    for incoming in files:
        by_partner.setdefault(incoming.partner_id, []).append(incoming)
    groups: list[list[IncomingFile]] = []
    for partner_files in by_partner.values():
        if groups and len(groups[-1]) + len(partner_files) <= size:
            groups[-1].extend(partner_files)
        else:
            groups.append(list(partner_files))
    return groups


def batch_label(batch: list[IncomingFile]) -> str:
    """A short, readable name for a batch: its partners."""
    partners = list(dict.fromkeys(incoming.partner_id for incoming in batch))
    more = f" +{len(partners) - 3}" if len(partners) > 3 else ""
    return ", ".join(partners[:3]) + more


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Examination:
    """What reading and checking one file found; its answer is already written."""

    parsed: ParsedSubmission
    findings: list[Finding]
    estimates: pa.Table

    @property
    def accepted(self) -> bool:
        return not has_errors(self.findings)


def _no_estimates() -> pa.Table:
    return pa.Table.from_pylist([], schema=estimate.ESTIMATE_COLUMNS)


@dataclass(frozen=True)
class Claim:
    """A new file of the inbox taken for processing: its partner's lock is held and
    a verified copy of it is in the intake."""

    incoming: IncomingFile
    submission_id: str
    staged: Path

    @property
    def answer_folder(self) -> Path:
        return self.staged.parent / "answer"


def examine_files(claims: list[Claim], settings: Settings) -> list[Examination]:
    """Parse, check and estimate files, and write each partner's answer into its
    claim's answer folder. Runs in a child process: whatever a file does to the
    reader stays there. The files are checked together (``validate_submissions``)."""
    reference = reference_data(settings)
    limits = FileLimits(
        max_bytes=int(settings.max_file_megabytes * 2**20),
        max_rows=settings.max_rows_per_sheet,
    )
    for claim in claims:
        shutil.rmtree(claim.answer_folder, ignore_errors=True)  # from an attempt that failed
    readable = [c for c in claims if c.staged.suffix.lower() in SUPPORTED_SUFFIXES]
    campaign = reference.campaign(settings.campaign)
    parsed = {
        claim.submission_id: parse.parse_submission(
            claim.staged, reference, limits, claim.incoming.partner_id, campaign
        )
        for claim in readable
    }
    checked = validate.validate_submissions(
        [(parsed[claim.submission_id], claim.incoming.partner_id) for claim in readable],
        reference,
        campaign_id=settings.campaign,
    )
    found = dict(zip((claim.submission_id for claim in readable), checked, strict=True))
    examinations = []
    for claim in claims:
        if claim.submission_id in parsed:
            submission = parsed[claim.submission_id]
            findings = found[claim.submission_id]
            findings += _received_outside_campaign(claim.incoming, campaign)
        else:
            submission = ParsedSubmission(claim.staged)
            findings = [_unsupported_format(claim.incoming)]
        examinations.append(_conclude(claim, submission, findings, reference, settings))
    return examinations


def _conclude(
    claim: Claim,
    parsed: ParsedSubmission,
    findings: list[Finding],
    reference: ReferenceData,
    settings: Settings,
) -> Examination:
    """The estimates of a file without errors, and the partner's answer."""
    estimates = _no_estimates()
    if not has_errors(findings):
        impacts = parsed.sheets["impacts"]
        estimates = estimate.estimate_emissions(impacts.table, reference)
        findings += estimate.compare_with_declared(
            impacts, estimates, reference, settings.estimate_tolerance
        )
    findings = cap_findings(findings)
    _answer(
        settings,
        reference,
        claim.incoming.partner_id,
        claim.incoming.display_name,
        claim.incoming.received_at,
        findings,
        claim.answer_folder,
        parsed,
        estimates,
    )
    return Examination(parsed, findings, estimates)


PARALLEL_READ_BYTES = 2**20
"""Below this many bytes of files, one reader: starting another (Great Expectations'
import and context, several CPU seconds) would cost more than it saves."""


class Readers:
    """Isolated child processes that examine files, several at once on several cores.

    Use as a context manager; a child starts when first needed and serves every
    batch after that, so its start is paid once per run or task.
    """

    def __init__(self, workers: list[IsolatedWorker]) -> None:
        self.workers = workers

    @classmethod
    def for_settings(cls, settings: Settings) -> Readers:
        limits = (settings.max_read_megabytes * 2**20, settings.max_read_seconds)
        return cls([IsolatedWorker(*limits) for _ in range(os.cpu_count() or 1)])

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exception: object) -> None:
        for worker in self.workers:
            worker.__exit__(*exception)

    def examine(self, claims: list[Claim], settings: Settings) -> list[Examination]:
        """The examination of each claim, in order; the files are shared among as
        many children as their size warrants."""
        size = sum(claim.incoming.size_bytes for claim in claims)
        count = max(1, min(len(self.workers), len(claims), math.ceil(size / PARALLEL_READ_BYTES)))
        chunks = _balanced(claims, count)
        with ThreadPoolExecutor(count) as pool:
            examined = pool.map(partial(_examine_chunk, settings=settings), self.workers, chunks)
            by_claim = {
                claim.submission_id: examination
                for chunk, examinations in zip(chunks, examined, strict=True)
                for claim, examination in zip(chunk, examinations, strict=True)
            }
        return [by_claim[claim.submission_id] for claim in claims]


def _balanced(claims: list[Claim], count: int) -> list[list[Claim]]:
    """``count`` groups of claims of about the same size in bytes, largest first."""
    groups: list[list[Claim]] = [[] for _ in range(count)]
    sizes = [0] * count
    for claim in sorted(claims, key=lambda claim: -claim.incoming.size_bytes):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(claim)
        sizes[smallest] += claim.incoming.size_bytes
    return [group for group in groups if group]


def _examine_chunk(
    worker: IsolatedWorker, chunk: list[Claim], settings: Settings
) -> list[Examination]:
    """The files examined together in ``worker``; if that fails, one by one, so that
    one file's fault is that file's answer alone."""
    try:
        seconds = settings.max_read_seconds * len(chunk)
        return worker.run_within(seconds, examine_files, chunk, settings)
    except KeyboardInterrupt:
        raise
    except BaseException as failure:
        # Whatever the reader raised (native panics are not even Exceptions).
        if len(chunk) > 1:
            log.warning("%d files read together failed (%r): one by one", len(chunk), failure)
            return [one for claim in chunk for one in _examine_chunk(worker, [claim], settings)]
        (claim,) = chunk
        cause: AbortCause = failure.cause if isinstance(failure, WorkAborted) else "crash"
        log.error("%s: reading failed (%r)", claim.incoming.path, failure)
        return [_aborted_examination(claim.incoming, settings, cause, claim.answer_folder)]


def _received_outside_campaign(incoming: IncomingFile, campaign: Campaign) -> list[Finding]:
    """Before the opening the file still counts (a partner may be early); after the
    campaign is closed it does not: its figures may already have been shown."""
    received = territory_time(incoming.received_at).date()  # the campaign's days are local
    if campaign.closed_on is not None and received > campaign.closed_on:
        closed = campaign.closed_on
        whom = f" ({campaign.contact})." if campaign.contact else "."
        return [
            Finding(
                "error",
                "campagne_close",
                Wording(
                    f"Ce fichier a été déposé le {received:%d/%m/%Y}, après la clôture de la "
                    f"campagne {campaign.id} le {closed:%d/%m/%Y} : il n'est pas pris en "
                    f"compte. Pour une correction tardive, écrivez à l'équipe de la campagne{whom}",
                    f"This file was dropped on {received:%Y-%m-%d}, after the {campaign.id} "
                    f"campaign closed on {closed:%Y-%m-%d}: it does not count. For a late "
                    f"correction, write to the campaign's team{whom}",
                ),
            )
        ]
    if received >= campaign.opens_on:
        return []
    opens = campaign.opens_on
    return [
        Finding(
            "warning",
            "recu_avant_ouverture",
            Wording(
                f"Ce fichier a été déposé le {received:%d/%m/%Y}, avant l'ouverture "
                f"de la campagne {campaign.id} le {opens:%d/%m/%Y} : il est pris en compte "
                "pour cette campagne ; s'il date d'une campagne précédente, déposez vos "
                "données à jour.",
                f"This file was dropped on {received:%Y-%m-%d}, before the "
                f"{campaign.id} campaign opened on {opens:%Y-%m-%d}: it counts for this "
                "campaign; if it is from an earlier campaign, drop your current data.",
            ),
        )
    ]


def _unsupported_format(incoming: IncomingFile) -> Finding:
    accepted = ", ".join(sorted(SUPPORTED_SUFFIXES))
    return Finding(
        "error",
        "format_non_pris_en_charge",
        Wording(
            f"« {incoming.display_name} » n'est pas un classeur que nous savons lire : "
            f"enregistrez votre fichier dans l'un de ces formats ({accepted}) et "
            "déposez-le à nouveau.",
            f'"{incoming.display_name}" is not a workbook we can read: save your file in '
            f"one of these formats ({accepted}) and drop it again.",
        ),
    )


ABORTED_ADVICE: dict[AbortCause, Wording] = {
    "memory": Wording(
        "Le fichier demande trop de mémoire pour être lu (feuilles ou plages de cellules "
        "démesurées)",
        "The file needs too much memory to be read (oversized sheets or cell ranges)",
    ),
    "time": Wording(
        "La lecture du fichier a pris trop de temps (fichier démesuré ou anormal)",
        "Reading the file took too long (an oversized or abnormal file)",
    ),
    "crash": Wording(
        "Le fichier a interrompu le programme de lecture (fichier endommagé ou anormal)",
        "The file stopped the reading program (a damaged or abnormal file)",
    ),
}


def _aborted_finding(cause: AbortCause) -> Finding:
    said = ABORTED_ADVICE[cause]
    return Finding(
        "error",
        "lecture_interrompue",
        Wording(
            f"{said.fr} : ouvrez-le dans votre tableur, copiez vos données dans le modèle "
            "fourni (sans lignes, colonnes ni feuilles superflues), enregistrez-le au "
            "format .xlsx et déposez-le à nouveau. Si le problème persiste, écrivez-nous.",
            f"{said.en}: open it in your spreadsheet program, copy your data into the "
            "template you were given (without extra rows, columns or sheets), save it as "
            ".xlsx and drop it again. If the problem persists, write to us.",
        ),
    )


def _answer(
    settings: Settings,
    reference: ReferenceData,
    partner_id: str,
    file_name: str,
    received_at: datetime,
    findings: list[Finding],
    folder: Path | None = None,
    parsed: ParsedSubmission | None = None,
    estimates: pa.Table | None = None,
) -> None:
    """The partner's report (and annotated copy) into ``folder``, by default its outbox."""
    partner = reference.partner(partner_id)
    feedback = report.Feedback(
        partner_name=partner.name,
        campaign_id=settings.campaign,
        file_name=file_name,
        received_at=received_at,
        accepted=not has_errors(findings),
        findings=findings,
        language=partner.language,
    )
    folder = folder or settings.shared_folder("outbox", partner_id)
    parsed = parsed or ParsedSubmission(Path(file_name))
    estimates = _no_estimates() if estimates is None else estimates
    annotated = report.write_annotated_copy(folder, feedback, parsed)
    report.write_report(
        folder,
        feedback,
        parsed,
        estimates,
        annotated_copy=annotated is not None,
        reference=reference,
    )


def _submission_id(incoming: IncomingFile, campaign_id: str) -> str:
    """Unique per file received: the same content sent again later is a new submission."""
    stamp = incoming.received_at.strftime("%Y%m%dT%H%M%S%f")
    return f"{campaign_id}-{incoming.partner_id}-{stamp}-{incoming.content_sha256[:12]}"


def _staging(settings: Settings, submission_id: str) -> Path:
    return settings.data_dir / "intake" / submission_id


def _claim(incoming: IncomingFile, settings: Settings, submission_id: str | None = None) -> Claim:
    submission_id = submission_id or _submission_id(incoming, settings.campaign)
    staging = _staging(settings, submission_id)
    staged = copy_verified(
        incoming, staging / f"original{Path(safe_file_name(incoming.display_name)).suffix}"
    )
    return Claim(incoming, submission_id, staged)


def _store(claim: Claim, examination: Examination, settings: Settings) -> SubmissionOutcome:
    """Keep the original, load the file's rows and findings, deliver the answer."""
    incoming = claim.incoming
    area = "archive" if examination.accepted else "quarantine"
    stored = keep_original(
        claim.staged,
        incoming,
        settings.shared_folder(area, incoming.partner_id) / settings.campaign,
    )
    record = load.SubmissionRecord(
        submission_id=claim.submission_id,
        partner_id=incoming.partner_id,
        campaign_id=settings.campaign,
        file_name=incoming.display_name,
        content_sha256=incoming.content_sha256,
        size_bytes=incoming.size_bytes,
        received_at=incoming.received_at.replace(tzinfo=None),
        processed_at=_now(),
        status="accepted" if examination.accepted else "rejected",
        stored_path=str(stored),
    )
    findings, parsed = examination.findings, examination.parsed
    engine = warehouse.engine_for(settings.url)
    status = load.store_submission(engine, record, findings, parsed, examination.estimates)
    _deliver(incoming, claim.submission_id, settings)
    log.info("%s %s with %d findings", record.file_name, status, len(findings))
    return SubmissionOutcome(
        submission_id=claim.submission_id,
        partner_id=record.partner_id,
        file_name=record.file_name,
        status=status,
        error_count=sum(f.severity == "error" for f in findings),
        warning_count=sum(f.severity == "warning" for f in findings),
    )


def _aborted_examination(
    incoming: IncomingFile, settings: Settings, cause: AbortCause, answer_folder: Path
) -> Examination:
    """The answer to a file whose reading could not finish: written here, from
    nothing but its name, so that writing it cannot fail the same way."""
    findings = [_aborted_finding(cause)]
    shutil.rmtree(answer_folder, ignore_errors=True)
    _answer(
        settings,
        reference_data(settings),
        incoming.partner_id,
        incoming.display_name,
        incoming.received_at,
        findings,
        answer_folder,
    )
    return Examination(ParsedSubmission(Path(incoming.display_name)), findings, _no_estimates())


def _finish_known(
    incoming: IncomingFile, latest: load.LedgerEntry, settings: Settings
) -> SubmissionOutcome | None:
    """The inbox file repeats the partner's latest submission: finish delivering it
    if a run stopped before, else it is a duplicate."""
    if latest.delivered_at is None:
        _deliver(incoming, latest.submission_id, settings)
        return SubmissionOutcome(
            submission_id=latest.submission_id,
            partner_id=incoming.partner_id,
            file_name=latest.file_name,
            status=latest.status,
            error_count=latest.error_count,
            warning_count=latest.warning_count,
        )
    if latest.received_at != incoming.received_at.replace(tzinfo=None):
        _record_notices(
            settings,
            reference_data(settings),
            [
                InboxNotice(
                    "duplicate",
                    str(Path(incoming.partner_id) / incoming.display_name),
                    f"same content as the partner's latest file ({latest.submission_id}), "
                    "already processed: taken out of the inbox",
                    incoming.partner_id,
                )
            ],
        )
    Path(incoming.path).unlink(missing_ok=True)
    return None


def _deliver(incoming: IncomingFile, submission_id: str, settings: Settings) -> None:
    """After the ledger commit: the answer into the outbox, the delivery recorded,
    the file out of the inbox. Each step can be done again."""
    staging = _staging(settings, submission_id)
    outbox = settings.shared_folder("outbox", incoming.partner_id)
    outbox.mkdir(parents=True, exist_ok=True)
    answer_folder = staging / "answer"
    if answer_folder.is_dir():
        for answer in sorted(answer_folder.iterdir()):
            shutil.move(answer, outbox / answer.name)
    load.mark_delivered(warehouse.engine_for(settings.url), submission_id, _now())
    if same_file(incoming):
        Path(incoming.path).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def process_batch(
    batch: list[IncomingFile],
    settings: Settings,
    readers: Readers | None = None,
    progress: RunProgress | None = None,
) -> list[SubmissionOutcome]:
    """Read, check, keep and load the batch's files, answer each partner and take
    the files out of the inbox; files are read in isolated children (``readers``,
    by default started for this batch). Safe to re-run after a failure: what was
    done is not done again, what was left half-way is finished.

    A partner's files are taken one at a time, in the order received (each is
    judged against the one before); files another collector holds are left to it.
    """
    progress = progress or RunProgress()
    with ExitStack() as stack:
        if readers is None:
            readers = stack.enter_context(Readers.for_settings(settings))
        outcomes = []
        pending = list(batch)
        while pending:
            firsts: dict[str, IncomingFile] = {}
            for incoming in pending:
                firsts.setdefault(incoming.partner_id, incoming)
            pending = [incoming for incoming in pending if incoming not in firsts.values()]
            done = _process_round(list(firsts.values()), settings, readers)
            for outcome in done:
                progress.processed(outcome)
            outcomes += done
    return outcomes


def _process_round(
    files: list[IncomingFile], settings: Settings, readers: Readers
) -> list[SubmissionOutcome]:
    """One file per partner: those already known finished, the new ones examined
    together, then stored one by one."""
    engine = warehouse.engine_for(settings.url)
    outcomes: dict[int, SubmissionOutcome | None] = {}
    claims: dict[int, Claim] = {}
    lock_names = [f"partner-{incoming.partner_id}" for incoming in files]
    with locks.exclusive_many(settings, lock_names) as held:
        for position, incoming in enumerate(files):
            if lock_names[position] not in held or not same_file(incoming):
                continue
            with _left_in_inbox_on_fault(incoming):
                latest = load.latest_submission(engine, incoming.partner_id, settings.campaign)
                if latest is not None and latest.content_sha256 == incoming.content_sha256:
                    outcomes[position] = _finish_known(incoming, latest, settings)
                else:
                    claims[position] = _claim(incoming, settings)
        examinations = readers.examine(list(claims.values()), settings) if claims else []
        for (position, claim), examination in zip(claims.items(), examinations, strict=True):
            with _left_in_inbox_on_fault(claim.incoming):
                outcomes[position] = _store(claim, examination, settings)
    return [outcome for _, outcome in sorted(outcomes.items()) if outcome is not None]


@contextmanager
def _left_in_inbox_on_fault(incoming: IncomingFile) -> Iterator[None]:
    """Our own fault, not the file's (its reading is isolated): the other files go
    on, this one is tried again by the next run. A warehouse or shared folder out
    of reach stops the batch, to be retried."""
    try:
        yield
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        log.exception("%s could not be processed; left in the inbox", incoming.path)


def _source_mark(connection: sa.Connection, settings: Settings) -> str:
    """What the marts are built from: accepted loads, reference data, publication
    rules, the SQL models and the day they are as of (partners late, contracts
    signed by then); the marts are stale when it changed."""
    ledger = warehouse.submissions
    loads = connection.execute(
        sa.select(sa.func.count(), sa.func.max(ledger.c.processed_at)).where(
            ledger.c.status == "accepted"
        )
    ).one()
    reference = connection.execute(sa.select(warehouse.reference_state.c.content_sha256)).scalar()
    rules = disclosure_rules(settings)
    digest = hashlib.sha256(f"{tuple(loads)}|{reference}|{rules}|{date.today()}".encode())
    digest.update(aggregate.Project(settings).digest().encode())
    return digest.hexdigest()


def marts_are_stale(settings: Settings) -> bool:
    """Whether the marts were built from other loads, reference data or rules than
    the warehouse holds now (or never built)."""
    with warehouse.engine_for(settings.url).begin() as connection:
        warehouse.ensure_schema(connection)
        built = connection.execute(sa.select(warehouse.marts_state.c.source_mark)).scalar()
        return built != _source_mark(connection, settings)


def disclosure_rules(settings: Settings) -> disclosure.DisclosureRules:
    return disclosure.DisclosureRules(
        min_partners=settings.confidentiality_min_partners,
        dominance_share=settings.confidentiality_dominance_share,
        protection_share=settings.confidentiality_protection_share,
    )


BUILD_ATTEMPTS = 3
"""Builds tried in a row while loads keep landing during them."""


def rebuild_marts(settings: Settings) -> list[str]:
    """Rebuild the marts (write-audit-publish) and publish them only if every check
    holds: dbt's tests, ``core`` against what was loaded, the GX mart suites and the
    disclosure audit, all on the build before it replaces the live tables.

    Raises ``MartChecksFailed`` (and keeps the previous marts) otherwise.
    """
    # One build at a time: two would write the same build tables.
    with locks.exclusive(settings, "marts", wait=True):
        for _ in range(BUILD_ATTEMPTS):
            names = _build_and_publish(settings)
            if names is not None:
                return names
            log.info("files were loaded during the build: building again")
    raise validate.MartChecksFailed(
        [f"files kept being loaded during {BUILD_ATTEMPTS} builds in a row: try again later"]
    )


def _build_and_publish(settings: Settings) -> list[str] | None:
    """One build, published if its checks hold; None if files were loaded while it
    ran (its models may then have read ``core`` before and after a load)."""
    engine = warehouse.engine_for(settings.url)
    with engine.begin() as connection:
        warehouse.analyze_loaded(connection)
    with engine.begin() as connection:
        mark = _source_mark(connection, settings)
    rules = disclosure_rules(settings)
    build = aggregate.build_models(
        settings, partial(disclosure.plan_withheld_cells, rules=rules), date.today()
    )
    with engine.connect() as connection:
        failures = build.failures + load.reconcile_core(connection)
        if not build.failures:
            failures += validate.check_marts(connection, warehouse.BUILD_MODELS)
            audit = disclosure.audit_publication(connection, rules, warehouse.BUILD_MODELS)
            failures += audit.failures
        loaded_meanwhile = _source_mark(connection, settings) != mark
    if loaded_meanwhile:
        return None
    if failures:
        raise validate.MartChecksFailed(failures)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Loads commit their rows and ledger row together: waiting for none
            # to be under way, the mark below is what the build read.
            connection.execute(sa.text("LOCK TABLE landing.submissions IN SHARE MODE"))
        if _source_mark(connection, settings) != mark:
            return None
        warehouse.act_as_owner(connection, warehouse.LIVE_MODELS.marts)
        names = aggregate.publish_build(connection, build)
        audit.record(connection)
        connection.execute(warehouse.marts_state.delete())
        connection.execute(
            warehouse.marts_state.insert(), {"source_mark": mark, "built_at": _now()}
        )
    return names


@contextmanager
def _publishing(settings: Settings) -> Iterator[tuple[sa.Engine, Path, sa.Row | None]]:
    """The publication folder, the warehouse and its marts' state, no other build or
    publication moving them meanwhile."""
    folder = settings.data_dir / "published"
    folder.mkdir(parents=True, exist_ok=True)
    engine = warehouse.engine_for(settings.url)
    # Waited for: the other publisher may be writing older marts than these.
    with (
        locks.exclusive(settings, "publish", wait=True),
        # No build publishes while the marts are read: the files are one build's.
        locks.exclusive(settings, "marts", wait=True),
    ):
        with engine.connect() as connection:
            state = connection.execute(sa.select(warehouse.marts_state)).one_or_none()
        yield engine, folder, state


def publish_marts(settings: Settings) -> list[Path]:
    """Write the marts as Parquet files under ``<data_dir>/published/current/``, all
    of them together, when the marts were rebuilt since they were last written;
    return the files written (none when the published files are up to date)."""
    with _publishing(settings) as (engine, folder, state):
        if state is None or state.source_mark == publish.published_mark(folder):
            return []
        with engine.connect() as connection:
            publication = _publication(connection, settings, state)
        return _publish(settings, engine, folder, publication)


def _publish(
    settings: Settings, engine: sa.Engine, folder: Path, publication: report.Publication
) -> list[Path]:
    reference = reference_data(settings)
    collected = {part for campaign in reference.campaigns for part in campaign.parts}
    tables = {name: aggregate.read_mart(engine, name) for name in aggregate.marts_shown(collected)}
    documents = {"docs/index.html": aggregate.docs_site(settings)}
    documents |= report.report_documents(tables, reference, publication, settings.report_languages)
    documents |= report.export_documents(tables, aggregate.mart_descriptions(), publication)
    return publish.publish_tables(folder, publication.mark, tables, documents)


class NothingToFreeze(ValueError):
    """The campaign has no published figures to freeze."""


def freeze_campaign(settings: Settings, campaign_id: str) -> Path:
    """Freeze ``campaign_id``'s figures as they are published now (publishing the
    marts first if they moved) into a new official snapshot: its report, its marts
    as Parquet and CSV, the referentials they rest on; return its folder."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    reference = reference_data(settings)
    reference.campaign(campaign_id)  # UnknownReference names the declared ones
    with _publishing(settings) as (engine, folder, state):
        if state is None:
            raise NothingToFreeze("the marts were never built: run the collection first")
        with engine.connect() as connection:
            publication = _publication(connection, settings, state)
            reference_sha256 = connection.execute(
                sa.select(warehouse.reference_state.c.content_sha256)
            ).scalar()
        if state.source_mark != publish.published_mark(folder):
            _publish(settings, engine, folder, publication)
        tables = {}
        for name in aggregate.marts_shown(reference.campaign(campaign_id).parts):
            table = pq.read_table(folder / publish.CURRENT / f"{name}.parquet")
            tables[name] = table.filter(pc.equal(table["campaign_id"], campaign_id))
        if not tables["campaign_coverage"].num_rows:
            raise NothingToFreeze(f"campaign {campaign_id!r} has no partner expected or received")
        referentials = {
            "emission_factor_versions": publication.factor_versions.get(campaign_id, []),
            "reference_files_sha256": reference_sha256,
            "confidentiality_min_partners": publication.min_partners,
            "confidentiality_dominance_share": publication.dominance_share,
        }
        frozen_at = datetime.now(UTC)
        marts = {f"marts/{name}.parquet": _parquet_bytes(table) for name, table in tables.items()}
        referentials_json = json.dumps(referentials, indent=2).encode()
        snapshot = publish.snapshot_id(frozen_at, [*marts.values(), referentials_json])
        publication = replace(publication, snapshot=snapshot, frozen_at=frozen_at)
        documents = {**marts, "referentiels.json": referentials_json}
        reports = report.report_documents(tables, reference, publication, settings.report_languages)
        documents |= {path.removeprefix(f"{campaign_id}/"): page for path, page in reports.items()}
        documents |= report.export_documents(tables, aggregate.mart_descriptions(), publication)
        facts = {"frozen_at": frozen_at.isoformat(), "source_mark": state.source_mark}
        return publish.write_snapshot(folder, campaign_id, snapshot, documents, facts)


def _publication(
    connection: sa.Connection, settings: Settings, state: sa.Row
) -> report.Publication:
    """What the campaign report says of the marts it shows."""
    estimates = warehouse.estimated_emissions
    versions: dict[str, list[str]] = {}
    for campaign_id, version in connection.execute(
        sa.select(estimates.c.campaign_id, estimates.c.referential_version)
        .distinct()
        .order_by(estimates.c.campaign_id, estimates.c.referential_version)
    ):
        versions.setdefault(campaign_id, []).append(version)
    return report.Publication(
        built_at=state.built_at,
        mark=state.source_mark,
        factor_versions=versions,
        min_partners=settings.confidentiality_min_partners,
        dominance_share=settings.confidentiality_dominance_share,
    )


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def watched_campaigns(settings: Settings, today: date) -> list[str]:
    """Campaigns open today, or closed for less than the follow-up period."""
    days = settings.campaign_monitoring_days_after_deadline
    return [c.id for c in reference_data(settings).campaigns if report.is_watched(c, today, days)]


def follow_up_campaign(
    settings: Settings, campaign_id: str, today: date
) -> tuple[list[report.FollowUp], Path]:
    """Today's state of every expected partner, stored in the warehouse and written
    for the steward under ``<shared_root>/steward/<campaign>/``."""
    follow_ups = campaign_status(settings, campaign_id, today)
    engine = warehouse.engine_for(settings.url)
    folder = settings.shared_root / "steward" / campaign_id
    return follow_ups, report.write_follow_up(engine, follow_ups, folder)


def campaign_status(settings: Settings, campaign_id: str, as_of: date) -> list[report.FollowUp]:
    """Every expected partner's state on ``as_of``, any day, for any declared campaign:
    what the daily follow-up says, with the reference files as they are now."""
    refresh_reference(settings)
    return report.campaign_follow_up(settings, reference_data(settings), campaign_id, as_of)


def campaign_reminders(
    settings: Settings, follow_ups: list[report.FollowUp]
) -> list[report.Reminder]:
    return report.reminders_for(follow_ups, reference_data(settings))


def record_reminder(settings: Settings, reminder: report.Reminder) -> bool:
    """Whether to send ``reminder``: recorded now, and never before for its day."""
    return report.record_reminder(warehouse.engine_for(settings.url), reminder, _now())


def answer_mail(settings: Settings, outcome: SubmissionOutcome) -> report.AnswerMail:
    """The e-mail telling the partner what became of its file, in its language, with
    the answer written into its outbox attached."""
    from climate_contract.report.partner import OutputKind

    reference = reference_data(settings)
    partner = reference.partner(outcome.partner_id)
    entry = load.ledger_entry(warehouse.engine_for(settings.url), outcome.submission_id)
    folder = settings.shared_folder("outbox", partner.id)
    answers = (
        report.answer_path(folder, entry.received_at, entry.file_name, partner.language, kind)
        for kind in get_args(OutputKind)
    )
    return report.answer_mail(
        partner,
        reference.campaign(settings.campaign),
        entry,
        tuple(path for path in answers if path.is_file()),
    )


def rejections_to_show(processed: list[SubmissionOutcome], room: int) -> list[SubmissionOutcome]:
    """The rejected files among ``processed``, at most ``room`` of them (one line each
    where the collection ran, which has a bound: Airflow's max_map_length); beyond it
    a warning says how many and where to see them all."""
    rejected = [outcome for outcome in processed if outcome.status == "rejected"]
    if len(rejected) > room:
        log.warning(
            "%d files rejected: the first %d are shown one by one; "
            "`climate-contract status` lists every partner's",
            len(rejected),
            room,
        )
    return rejected[:room]


REJECTION_NOTICE_FINDINGS = 10
"""Errors a rejection's notice lists where the collection ran; the command it names shows all."""


def rejection_notice(settings: Settings, outcome: SubmissionOutcome) -> str:
    """What a steward reads of a rejected file where the collection ran: the
    problems as the partner got them (in English) and where to see them all."""
    found = load.submission_findings(warehouse.engine_for(settings.url), outcome.submission_id)
    shown = [f for f in found if f.severity == "error"][:REJECTION_NOTICE_FINDINGS]
    lines = [
        outcome.label,
        *(
            f"  {f.sheet or '-'} row {f.row or '-'} column {f.column or '-'}: {f.message.en}"
            for f in shown
        ),
        f"All of it: climate-contract findings {outcome.partner_id} "
        f"{shlex.quote(outcome.file_name)} (the partner's answer is in "
        f"{settings.shared_folder('outbox', outcome.partner_id)})",
    ]
    return "\n".join(lines)


def record_answer_mail(settings: Settings, mail: report.AnswerMail) -> bool:
    """Whether to send ``mail``: recorded now, and never before."""
    return report.record_answer_mail(warehouse.engine_for(settings.url), mail, _now())


RUN_BATCH_FILES = 100
"""Files a run without Airflow reads and checks together: enough to share the fixed
cost of checking, few enough to keep memory flat."""


def run_collection(
    settings: Settings, progress: RunProgress | None = None
) -> list[SubmissionOutcome]:
    """The whole flow in this process (what the DAGs fan out): new files, then the
    marts and the published files whenever they are behind, whether or not this
    run brought anything new."""
    progress = progress or RunProgress()
    refresh_reference(settings)
    files = discover(settings, progress)
    progress.found(len(files))
    with Readers.for_settings(settings) as readers:
        outcomes = [
            outcome
            for batch in batches(files, RUN_BATCH_FILES)
            for outcome in process_batch(batch, settings, readers, progress)
        ]
    _bring_marts_up_to_date(settings, progress)
    return outcomes


def _bring_marts_up_to_date(settings: Settings, progress: RunProgress) -> None:
    if marts_are_stale(settings):
        progress.stage("marts")
        rebuild_marts(settings)
    progress.stage("publication")
    publish_marts(settings)


class NoSuchSubmission(ValueError):
    """No submission of the partner matches what the steward asked for."""


def kept_submission(
    settings: Settings, partner_id: str, campaign_id: str, file_name: str | None = None
) -> load.LedgerEntry:
    """The partner's latest submission for the campaign, or its latest named
    ``file_name``; ``NoSuchSubmission`` when it has none."""
    reference_data(settings).partner(partner_id)  # UnknownReference names the declared ones
    refresh_reference(settings)
    entry = load.latest_submission(
        warehouse.engine_for(settings.url), partner_id, campaign_id, file_name
    )
    if entry is not None:
        return entry
    if file_name is None:
        raise NoSuchSubmission(f"{partner_id} has sent no file for campaign {campaign_id}")
    raise NoSuchSubmission(
        f"{partner_id} has no submission named {file_name!r} for campaign {campaign_id}"
    )


class AlteredOriginal(ValueError):
    """A kept original no longer holds what the partner sent: never judged again."""


def reprocess(
    settings: Settings,
    partner_id: str,
    file_name: str | None = None,
    progress: RunProgress | None = None,
) -> SubmissionOutcome:
    """Judge a kept submission (the partner's latest, or its latest named
    ``file_name``) again, after a reference file was corrected, say: the same bytes
    with the same arrival time, recorded as a new submission that becomes the
    partner's data if it is accepted and no later file was; the partner gets a new
    answer. The kept original stays where it is. The marts follow."""
    progress = progress or RunProgress()
    entry = kept_submission(settings, partner_id, settings.campaign, file_name)
    kept = Path(entry.stored_path)
    try:
        intact = sha256_of(kept) == entry.content_sha256
    except OSError:
        intact = False
    if not intact:
        raise AlteredOriginal(
            f"{kept} no longer holds the file {partner_id} sent as {entry.file_name!r} "
            "(missing, or its content changed): it is not judged again"
        )
    submission_id = f"{entry.submission_id}-again-{_now():%Y%m%dT%H%M%S%f}"
    staging = _staging(settings, submission_id)
    # A copy in the staging area stands for the inbox file, which delivering removes.
    resent = staging / "resent" / Path(entry.file_name).name
    resent.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, resent)
    incoming = IncomingFile(
        partner_id,
        str(resent),
        entry.content_sha256,
        resent.stat().st_size,
        entry.received_at.replace(tzinfo=UTC),
    )
    progress.found(1)
    with locks.exclusive(settings, f"partner-{partner_id}", wait=True):
        claim = _claim(incoming, settings, submission_id)
        with Readers.for_settings(settings) as readers:
            (examination,) = readers.examine([claim], settings)
        outcome = _store(claim, examination, settings)
    progress.processed(outcome)
    _bring_marts_up_to_date(settings, progress)
    return outcome


def write_template(
    settings: Settings,
    partner_id: str,
    campaign_id: str,
    prefill: bool = False,
    output: Path | None = None,
    language: Language | None = None,
) -> tuple[Path, int]:
    """A partner's workbook for a campaign (by default into its outbox), pre-filled
    with its accepted actions of its previous campaign if asked; return the file and
    how many actions were pre-filled."""
    from climate_contract.template import write_workbook  # openpyxl: only when writing one

    reference = reference_data(settings)
    reference.partner(partner_id)
    reference.campaign(campaign_id)
    rows = None
    if prefill:
        refresh_reference(settings)
        rows = load.accepted_rows(warehouse.engine_for(settings.url), partner_id, campaign_id)
    outbox = settings.shared_folder("outbox", partner_id)
    path = output or outbox / f"contrat-climat-{campaign_id}-{partner_id}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, reference, partner_id, campaign_id, rows, language=language)
    return path, len((rows or {}).get("actions", []))
