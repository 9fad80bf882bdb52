"""``climate-contract``: the steward's command line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from climate_contract.parts import Part
from climate_contract.progress import RunProgress
from climate_contract.settings import Settings
from climate_contract.wording import Language, local_time, territory_time

if TYPE_CHECKING:
    from rich.progress import Progress

    from climate_contract.findings import Finding
    from climate_contract.pipeline import SubmissionOutcome

# The stages are imported by the commands that use them: pandas, Arrow, SQLAlchemy
# and the rest take seconds to import, and `--help` or a typo must answer at once.


class _StewardCommands(TyperGroup):
    """A mistake the steward can fix (a reference file, a setting, an unknown id)
    ends in one line per mistake, naming where it is, rather than a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValueError as error:
            lines = _fixable(error)
            if lines is None:
                raise
            for line in lines:
                errors.print(f"error: {line}")
            raise typer.Exit(1) from None


def _fixable(error: ValueError) -> list[str] | None:
    """The error's lines for the steward, or None if it is not the steward's to fix."""
    from pydantic import ValidationError

    from climate_contract import pipeline, warehouse
    from climate_contract.reference import ReferenceFileError, UnknownReference
    from climate_contract.reference.registry import ShippedReference
    from climate_contract.settings import MissingConfigFile

    if isinstance(error, ValidationError) and error.title == Settings.__name__:
        return [
            f"setting {'.'.join(str(part) for part in detail['loc'])}: {detail['msg']} "
            "(CLIMATE_CONTRACT_* variables or the CLIMATE_CONTRACT_CONFIG file)"
            for detail in error.errors()
        ]
    if isinstance(error, ReferenceFileError):
        return [str(problem) for problem in error.problems]
    steward_errors = (
        UnknownReference,
        MissingConfigFile,
        ShippedReference,
        warehouse.PostgresOnly,
        pipeline.NothingToFreeze,
        pipeline.NoSuchSubmission,
        pipeline.AlteredOriginal,
    )
    return [str(error)] if isinstance(error, steward_errors) else None


app = typer.Typer(
    cls=_StewardCommands,
    help="Collect and consolidate the climate contract's partner declarations.",
    no_args_is_help=True,
    # Click's plain help and errors: paragraphs rewrapped, one line per usage mistake.
    rich_markup_mode=None,
)
# Marts are printed whole, never squeezed into the terminal's width, where text
# columns would vanish: pick --columns, or page a wide one with `less -S`. What we
# print comes from partners (file names, cells): never read as Rich markup.
console = Console(width=10_000, markup=False, highlight=False, emoji=False)
errors = Console(stderr=True, width=10_000, markup=False, highlight=False, emoji=False)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, for scripts")]
CampaignOption = Annotated[
    str | None, typer.Option(help="Defaults to the current campaign (setting campaign)")
]


profile_app = typer.Typer(help="Write and try mapping profiles of partners' own layouts.")
app.add_typer(profile_app, name="profile")
partners_app = typer.Typer(help="The partners registry (reference/partners.yaml).")
app.add_typer(partners_app, name="partners")
campaign_app = typer.Typer(help="Collection campaigns (reference/campaigns.yaml).")
app.add_typer(campaign_app, name="campaign")
reference_app = typer.Typer(help="The reference files the steward keeps.")
app.add_typer(reference_app, name="reference")
roadmap_app = typer.Typer(
    help="The roadmap's entered indicators (reference/roadmap.yaml, the roadmap part)."
)
app.add_typer(roadmap_app, name="roadmap")


def _territory_today() -> date:
    """Today where the campaign runs: its dates and the days files arrive are Paris days."""
    return territory_time(datetime.now(UTC)).date()


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


@app.command()
def template(
    partner_id: Annotated[str | None, typer.Argument(help="The partner; or --all")] = None,
    every_partner: Annotated[
        bool, typer.Option("--all", help="Every partner expected, as `templates` does")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write (.xlsx, .ods or .csv); defaults to the partner's outbox"),
    ] = None,
    campaign: CampaignOption = None,
    prefill: Annotated[
        bool, typer.Option(help="Fill in the partner's accepted data of its previous campaign")
    ] = False,
    language: Annotated[
        Language | None, typer.Option(help="fr or en; defaults to the partner's language")
    ] = None,
) -> None:
    """Write a partner's workbook for a campaign, blank or pre-filled."""
    from climate_contract import pipeline
    from climate_contract.template.writer import FORMATS

    if every_partner == (partner_id is not None):
        said = "not both" if every_partner else "neither was given"
        raise typer.BadParameter(f"give a partner's id, or --all ({said})")
    if every_partner:
        if output is not None or language is not None:
            raise typer.BadParameter("--output and --language go with one partner, not --all")
        templates(campaign, prefill)
        return
    if output is not None and (output.suffix.lower() not in FORMATS or output.is_dir()):
        raise typer.BadParameter(
            f"{output} is not a file name ending in {', '.join(FORMATS)}", param_hint="--output"
        )
    settings = Settings()
    campaign_id = campaign or settings.campaign
    path, prefilled = pipeline.write_template(
        settings, partner_id, campaign_id, prefill, output, language
    )
    console.print(f"template written to {path}{_prefill_note(prefill, prefilled)}")


@app.command()
def templates(
    campaign: CampaignOption = None,
    prefill: Annotated[
        bool, typer.Option(help="Fill in each partner's accepted data of its previous campaign")
    ] = False,
) -> None:
    """Write the workbook of every partner expected in a campaign into its outbox
    (also `template --all`)."""
    from climate_contract import pipeline

    settings = Settings()
    campaign_id = campaign or settings.campaign
    expected = [p.id for p in pipeline.reference_data(settings).expected_in(campaign_id)]
    with _progress() as progress:
        for partner_id in progress.track(expected, description="templates"):
            path, prefilled = pipeline.write_template(settings, partner_id, campaign_id, prefill)
            console.print(f"{partner_id}: {path}{_prefill_note(prefill, prefilled)}")
    console.print(f"{len(expected)} templates written for campaign {campaign_id}")


def _prefill_note(asked: bool, prefilled: int) -> str:
    if not asked:
        return ""
    if prefilled == 0:
        return " (blank: no accepted data of an earlier campaign to pre-fill)"
    return f" (pre-filled with {prefilled} actions of the previous campaign)"


@app.command()
def samples(
    campaign: Annotated[str | None, typer.Option(help="Defaults to the current campaign")] = None,
) -> None:
    """Drop a SAMPLE workbook (invented figures) into every expected partner's inbox."""
    from climate_contract import pipeline
    from climate_contract.samples import write_sample_inbox

    settings = Settings()
    reference = pipeline.reference_data(settings)
    written = write_sample_inbox(
        settings.shared_root / "inbox", reference, campaign or settings.campaign
    )
    console.print(f"{len(written)} sample workbooks written under {settings.shared_root / 'inbox'}")


@app.command()
def run() -> None:
    """Process the inboxes in this process, without Airflow, and rebuild the marts."""
    from climate_contract import pipeline

    settings = Settings()
    with _RunBar() as progress:
        outcomes = pipeline.run_collection(settings, progress)
    _summary(outcomes, progress.waiting_files)
    for document in _report_paths(settings.data_dir / "published"):
        console.print(f"report: {document}")


@app.command()
def reprocess(
    partner_id: str,
    file_name: Annotated[
        str | None,
        typer.Argument(help="The file as the partner named it or as it is kept; default: latest"),
    ] = None,
    campaign: CampaignOption = None,
) -> None:
    """Judge a partner's kept file again (after a reference file was corrected, say),
    as it was received; the partner gets a new answer and the marts follow."""
    from climate_contract import pipeline

    settings = Settings()
    if campaign is not None:
        settings = settings.model_copy(update={"campaign": campaign})
    with _RunBar() as progress:
        outcome = pipeline.reprocess(settings, partner_id, file_name, progress)
    _summary([outcome], [])


def _progress() -> Progress:
    """A transient progress display on the terminal only (never in a pipe or a log)."""
    from rich.progress import Progress

    terminal = Console(stderr=True)
    return Progress(console=terminal, transient=True, disable=not terminal.is_terminal)


class _RunBar(RunProgress):
    """A run's progress as a bar of its files, then of its stages."""

    def __init__(self) -> None:
        self.waiting_files: list[str] = []
        self.progress = _progress()
        self.task = self.progress.add_task("files", total=None)

    def __enter__(self) -> _RunBar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exception: object) -> None:
        self.progress.__exit__(*exception)

    def waiting(self, names: list[str]) -> None:
        self.waiting_files = names

    def found(self, count: int) -> None:
        self.progress.update(self.task, total=count)

    def processed(self, outcome: SubmissionOutcome) -> None:
        self.progress.update(self.task, advance=1, description=outcome.partner_id)

    def stage(self, name: str) -> None:
        self.progress.update(self.task, description=name)


def _summary(outcomes: list[SubmissionOutcome], waiting: list[str]) -> None:
    from rich.table import Table

    if outcomes:
        view = Table(title="files processed")
        for column in ("partner", "file", "status", "errors", "warnings"):
            view.add_column(column, no_wrap=True)
        for outcome in outcomes:
            view.add_row(
                outcome.partner_id,
                outcome.file_name,
                outcome.status,
                str(outcome.error_count),
                str(outcome.warning_count),
            )
        console.print(view)
    from climate_contract.load.submission import SubmissionStatus

    statuses = get_args(SubmissionStatus)
    counts = {status: sum(o.status == status for o in outcomes) for status in statuses}
    said = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    console.print(f"{len(outcomes)} files processed" + (f": {said}" if said else ""))
    if waiting:
        console.print(
            f"{len(waiting)} files still settling (changed too recently), "
            f"taken by a later run: {', '.join(waiting)}"
        )


@app.command()
def status(
    campaign: CampaignOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day to answer for; defaults to today"),
    ] = None,
    language: Annotated[Language, typer.Option(help="Language of the states")] = "fr",
    as_json: JsonOption = False,
) -> None:
    """Who has submitted, who is accepted, rejected or late, on any day, for any
    campaign: what the daily follow-up and the coverage mart say."""
    from rich.table import Table

    from climate_contract import pipeline
    from climate_contract.report.campaign import STATE_LABELS

    settings = Settings()
    campaign_id = campaign or settings.campaign
    day = as_of.date() if as_of else _territory_today()
    follow_ups = pipeline.campaign_status(settings, campaign_id, day)
    if as_json:
        _print_json([follow_up.as_dict() for follow_up in follow_ups])
        return
    closed_on = pipeline.reference_data(settings).campaign(campaign_id).closed_on
    closed = f", closed on {closed_on}" if closed_on else ""
    view = Table(title=f"campaign {campaign_id} on {day.isoformat()}{closed}")
    headers = ("partner", "state", "late", "received (Paris)", "file", "errors", "warnings")
    for column in (*headers, "contact", "report"):
        view.add_column(column, no_wrap=True)
    for follow_up in sorted(follow_ups, key=lambda f: (f.state, f.partner_id)):
        view.add_row(
            follow_up.partner_id,
            STATE_LABELS[follow_up.state].in_language(language),
            "late" if follow_up.late else "",
            local_time(follow_up.last_received_at),
            follow_up.latest_file_name or "",
            str(follow_up.latest_error_count),
            str(follow_up.latest_warning_count),
            follow_up.contact,
            follow_up.latest_report or "",
        )
    console.print(view)
    states = {state: sum(f.state == state for f in follow_ups) for state in STATE_LABELS}
    console.print(", ".join(f"{count} {state}" for state, count in states.items()))


@app.command()
def findings(
    partner_id: str,
    file_name: Annotated[
        str | None, typer.Argument(help="One of its files; defaults to its latest")
    ] = None,
    campaign: CampaignOption = None,
    language: Annotated[Language, typer.Option(help="Language of the messages")] = "fr",
    as_json: JsonOption = False,
) -> None:
    """What checking a partner's file found, as the partner read it."""
    from climate_contract import load, pipeline, warehouse

    settings = Settings()
    entry = pipeline.kept_submission(settings, partner_id, campaign or settings.campaign, file_name)
    found = load.submission_findings(warehouse.engine_for(settings.url), entry.submission_id)
    if as_json:
        _print_json(
            {
                "submission_id": entry.submission_id,
                "file_name": entry.file_name,
                "received_at": entry.received_at.isoformat(),
                "status": entry.status,
                "findings": _findings_json(found, language),
            }
        )
        return
    console.print(
        f"{partner_id}: {entry.file_name} received {local_time(entry.received_at)} (Paris), "
        f"{entry.status}, {entry.error_count} errors, {entry.warning_count} warnings"
    )
    _print_findings(found, language)


def _findings_json(found: list[Finding], language: Language) -> list[dict[str, object]]:
    return [
        {
            "severity": f.severity,
            "rule": f.rule,
            "sheet": f.sheet,
            "row": f.row,
            "column": f.column,
            "value": f.value,
            "message": f.message.in_language(language),
        }
        for f in found
    ]


def _print_findings(found: list[Finding], language: Language) -> None:
    """Findings as a table: where (sheet, row, column), which rule, what to do."""
    from rich.table import Table

    if not found:
        return
    view = Table()
    for column in ("severity", "sheet", "row", "column", "rule", "message"):
        view.add_column(column, no_wrap=column != "message")
    for f in found:
        where = (f.sheet or "", str(f.row or ""), f.column or "")
        view.add_row(f.severity, *where, f.rule, f.message.in_language(language))
    console.print(view)


@app.command("create-roles")
def create_roles(
    prefix: Annotated[
        str, typer.Option(help="Role names are <prefix>_loader, _steward, _analyst")
    ] = ("climate_contract"),
) -> None:
    """On a PostgreSQL warehouse, as an administrator: create the access roles."""
    from climate_contract import warehouse

    engine = warehouse.engine_for(Settings().url)
    for duty, role in warehouse.create_access_roles(engine, prefix).items():
        console.print(f"{duty}: {role}")


def _conditions(where: list[str] | None) -> dict[str, str]:
    """``column=value`` options as a mapping."""
    for condition in where or []:
        if "=" not in condition:
            raise typer.BadParameter(f"{condition!r} is not column=value", param_hint="--where")
    return dict(condition.split("=", 1) for condition in where or [])


@app.command()
def mart(
    name: Annotated[str, typer.Argument(help="Mart to print")],
    columns: Annotated[str | None, typer.Option(help="Comma-separated columns to show")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="column=value keeping only those rows, e.g. --where year=2026"),
    ] = None,
) -> None:
    """Print a mart as a table."""
    import pyarrow as pa
    from rich.table import Table

    from climate_contract import aggregate, warehouse

    engine = warehouse.engine_for(Settings().url)
    try:
        table = aggregate.read_mart(
            engine, name, columns.split(",") if columns else None, _conditions(where)
        )
    except aggregate.UnknownMart as error:
        raise typer.BadParameter(str(error)) from None
    view = Table(title=f"marts.{name}")
    for column in table.column_names:
        text = pa.types.is_string(table.schema.field(column).type)
        view.add_column(column, justify="left" if text else "right", no_wrap=True)
    for row in table.to_pylist():
        view.add_row(*(_cell(value) for value in row.values()))
    console.print(view)
    engine.dispose()


@app.command()
def lineage(
    name: Annotated[str, typer.Argument(help="Mart of the figure")],
    column: Annotated[str, typer.Argument(help="Column of the figure")],
    where: Annotated[
        list[str] | None,
        typer.Option(help="column=value picking the cell, e.g. --where plan_axis=mobilites"),
    ] = None,
) -> None:
    """List the rows of partners' files behind a published figure (steward's view:
    confidential ones included)."""
    from rich.table import Table

    from climate_contract import disclosure, warehouse

    engine = warehouse.engine_for(Settings().url)
    with engine.connect() as connection:
        try:
            rows = disclosure.lineage(connection, name, column, _conditions(where))
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error
    engine.dispose()
    if not rows:
        console.print("no published cell matches")
        return
    view = Table(title=f"marts.{name}.{column}: the rows behind it")
    for key in rows[0]:
        view.add_column(key, no_wrap=True)
    for row in rows:
        view.add_row(*(_cell(value) for value in row.values()))
    console.print(view)


@app.command()
def reports(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign's report")] = None,
) -> None:
    """Print where the campaign reports for elected officials are (HTML and PDF of
    the current publication)."""
    published = Settings().data_dir / "published"
    found = _report_paths(published, campaign)
    if not found:
        console.print(f"no campaign report in {published}: has `climate-contract run` published?")
        raise typer.Exit(1)
    for document in found:
        console.print(str(document))


@app.command()
def publish(
    campaign: Annotated[str | None, typer.Option(help="The campaign to freeze")] = None,
    official: Annotated[
        bool,
        typer.Option(
            help="Freeze the campaign's figures as published now into a dated, hashed "
            "snapshot that later loads and publications never change"
        ),
    ] = False,
) -> None:
    """Publish the marts, reports and exports as the warehouse holds them now; with
    --official, freeze one campaign into an official snapshot."""
    from climate_contract import pipeline

    settings = Settings()
    if not official:
        written = pipeline.publish_marts(settings)
        published = settings.data_dir / "published" / "current"
        console.print(f"published {published}" if written else f"up to date: {published}")
        return
    if campaign is None:
        console.print("--official freezes one campaign: name it with --campaign")
        raise typer.Exit(2)
    snapshot = pipeline.freeze_campaign(settings, campaign)
    console.print(f"official snapshot {snapshot.name} written to {snapshot}")


@app.command()
def snapshots(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign's snapshots")] = None,
) -> None:
    """List the official snapshots and check each file against its manifest's hash."""
    from climate_contract.publish import altered_files, official_snapshots

    found = official_snapshots(Settings().data_dir / "published", campaign)
    if not found:
        console.print("no official snapshot: `climate-contract publish --official --campaign C`")
    altered_any = False
    for snapshot in found:
        altered = altered_files(snapshot)
        altered_any = altered_any or bool(altered)
        state = f"ALTERED: {', '.join(altered)}" if altered else "intact"
        console.print(f"{snapshot.parent.name} {snapshot.name} {state} {snapshot}")
    if altered_any:
        raise typer.Exit(1)


@app.command()
def docs(
    output: Annotated[Path, typer.Option(help="Folder of the generated documents")] = Path("docs"),
) -> None:
    """Regenerate the data dictionary and the worked example from the dbt project."""
    from climate_contract.aggregate.documentation import write_documents

    for path in write_documents(Settings(), output):
        console.print(f"written {path}")


def _report_paths(published: Path, campaign: str | None = None) -> list[Path]:
    """The current publication's campaign reports, as readers reach them."""
    from climate_contract.report import REPORT_NAME

    names = {REPORT_NAME.fr, REPORT_NAME.en}
    return sorted(
        published / document.parent.name / document.name
        for document in (published / "current").glob(f"{campaign or '*'}/*")
        if document.stem in names
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return str(value)
    return f"{float(value):,.1f}".replace(",", " ")


@profile_app.command("suggest")
def profile_suggest(path: Annotated[Path, typer.Argument(help="A partner's file")]) -> None:
    """Print a draft profile for the layout of PATH: each column's field and score."""
    from climate_contract.parse.grid import read_grids
    from climate_contract.parse.suggestion import suggest_profile, to_yaml

    console.print(to_yaml(suggest_profile(read_grids(path)), path.name))


@profile_app.command("check")
def profile_check(
    path: Annotated[Path, typer.Argument(help="A partner's file")],
    profile: Annotated[str, typer.Option(help="The profile's id")],
    partner: Annotated[
        str | None, typer.Option(help="Use this partner's constants and axis table")
    ] = None,
) -> None:
    """Show what PATH would give through a profile, row by row; nothing is loaded."""
    from rich.table import Table

    from climate_contract import pipeline
    from climate_contract.parse import ParsedSubmission
    from climate_contract.parse.grid import read_grids
    from climate_contract.parse.profiles import parse_with_profile

    reference = pipeline.reference_data(Settings())
    if profile not in reference.profiles:
        raise typer.BadParameter(f"unknown profile; known: {', '.join(reference.profiles)}")
    entry = reference.partner(partner) if partner else None
    parsed = parse_with_profile(
        ParsedSubmission(path),
        read_grids(path),
        reference.profiles[profile],
        reference,
        entry.profile_constants if entry else {},
        entry.axis_map if entry else {},
    )
    for name, sheet in parsed.sheets.items():
        if sheet.table.num_rows == 0:
            continue
        view = Table(title=f"{name} ({sheet.title})")
        for column in sheet.table.column_names:
            view.add_column(column, no_wrap=True)
        for row in sheet.table.to_pylist():
            view.add_row(*("" if value is None else str(value) for value in row.values()))
        console.print(view)
    for finding in parsed.findings:
        where = " ".join(str(part) for part in (finding.sheet, finding.row, finding.column) if part)
        console.print(f"{finding.severity} {finding.rule} [{where}] {finding.message.fr}")


@reference_app.command("check")
def reference_check(as_json: JsonOption = False) -> None:
    """Read every reference file as a run would and list every mistake, with its
    file and line."""
    from climate_contract import pipeline
    from climate_contract.reference import ReferenceFileError

    settings = Settings()
    try:
        data = pipeline.reference_data(settings)
    except ReferenceFileError as error:
        if not as_json:
            raise
        problems = [
            {"file": str(problem.path), "line": problem.line, "message": problem.message}
            for problem in error.problems
        ]
        _print_json({"directory": str(settings.reference_dir), "problems": problems})
        raise typer.Exit(1) from None
    counts = {
        "partners": len(data.partners),
        "campaigns": len(data.campaigns),
        "plan_targets": len(data.plan_targets),
        "codes": sum(len(values) for values in data.code_lists.values()),
        "code_lists": len(data.code_lists),
        "emission_factors": len(data.emission_factors.factors),
        "mapping_profiles": len(data.profiles),
        "roadmap_indicators": len(data.roadmap.indicators) if data.roadmap else 0,
    }
    if as_json:
        _print_json(
            {
                "directory": str(settings.reference_dir),
                "problems": [],
                "emission_factors_version": data.emission_factors.version,
                "counts": counts,
            }
        )
        return
    console.print(
        f"{settings.reference_dir}: no mistake found: {counts['partners']} partners, "
        f"{counts['campaigns']} campaigns, {counts['plan_targets']} plan targets, "
        f"{counts['codes']} codes in {counts['code_lists']} lists, "
        f"{counts['emission_factors']} emission factors ({data.emission_factors.version}), "
        f"{counts['mapping_profiles']} mapping profiles, "
        f"{counts['roadmap_indicators']} roadmap indicators"
    )


@roadmap_app.command("template")
def roadmap_template(
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write (.xlsx, .ods or .csv); defaults to the reference's"),
    ] = None,
    language: Annotated[Language, typer.Option(help="fr or en")] = "fr",
    force: Annotated[bool, typer.Option(help="Replace a file already there")] = False,
) -> None:
    """Write the steward's workbook of the roadmap's entered indicators, holding the
    values entered so far (those of the current workbook, if any)."""
    from climate_contract import load, pipeline
    from climate_contract.contract import ROADMAP_VALUES
    from climate_contract.parse.submission import parse_one_sheet
    from climate_contract.template import write_roadmap_workbook

    settings = Settings()
    reference = pipeline.reference_data(settings)
    current = load.roadmap_values_files(settings.reference_dir)
    if len(current) > 1:
        raise typer.BadParameter(f"keep one of {', '.join(map(str, current))} first")
    # By default the workbook is written over the current one, in its format: one
    # workbook only is read.
    target = output or (current or [settings.reference_dir / load.ROADMAP_VALUES_FILES[0]])[0]
    if target.exists() and not force:
        raise typer.BadParameter(f"{target} exists: give --force to replace it")
    beside = [path for path in current if path != target and target.parent == path.parent]
    if beside and target.name in load.ROADMAP_VALUES_FILES:
        raise typer.BadParameter(f"{target} would be a second workbook beside {beside[0]}")
    rows = []
    if current:
        parsed = parse_one_sheet(current[0], ROADMAP_VALUES, reference)
        unread = [f for f in parsed.findings if f.severity == "error"]
        if unread:
            # Writing it again would drop what it could not read.
            raise typer.BadParameter(
                f"{current[0]} holds {len(unread)} cells or sheets that cannot be read "
                "(climate-contract roadmap check lists them): fix them, or move it away "
                "to start afresh"
            )
        sheet = parsed.sheets.get(ROADMAP_VALUES.name)
        rows = [] if sheet is None else sheet.table.to_pylist()
    try:
        write_roadmap_workbook(target, reference, {ROADMAP_VALUES.name: rows}, language)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    console.print(f"{target}: {len(rows)} values entered so far")


@roadmap_app.command("check")
def roadmap_check(
    language: Annotated[Language, typer.Option(help="Language of the messages")] = "fr",
    as_json: JsonOption = False,
) -> None:
    """Check the steward's workbook of entered indicators as a run would: every
    finding with its sheet, row and column; exit 1 when it would be refused."""
    from climate_contract import load, pipeline

    settings = Settings()
    reference = pipeline.reference_data(settings)
    entered = None
    if reference.roadmap is not None:
        entered = load.entered_values(settings.reference_dir, reference)
    if entered is None:
        missing = "reference/roadmap.yaml" if reference.roadmap is None else "its workbook"
        errors.print(f"error: the territory keeps no roadmap values: {missing} is missing")
        raise typer.Exit(1)
    path = entered.path
    if as_json:
        _print_json(
            {
                "file": str(path),
                "accepted": entered.accepted,
                "values": len(entered.rows),
                "findings": _findings_json(entered.findings, language),
            }
        )
    else:
        verdict = "accepted" if entered.accepted else "refused (the values loaded before stay)"
        console.print(f"{path}: {len(entered.rows)} values, {verdict}")
        _print_findings(entered.findings, language)
    if not entered.accepted:
        raise typer.Exit(1)


@reference_app.command("init")
def reference_init(
    directory: Annotated[Path, typer.Argument(help="A new folder, or an empty one")],
) -> None:
    """Copy the shipped reference files (the sample territory's) into DIRECTORY, to
    be made the territory's own: then set CLIMATE_CONTRACT_REFERENCE_DIR to it."""
    import shutil

    from climate_contract.settings import DEFAULT_REFERENCE_DIR

    if directory.is_symlink() and not directory.exists():
        raise typer.BadParameter(f"{directory} is a link to nothing")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise typer.BadParameter(f"{directory} exists and is not an empty folder")
    shutil.copytree(DEFAULT_REFERENCE_DIR, directory, dirs_exist_ok=True)
    copied = sorted(path.name for path in directory.iterdir())
    console.print(f"{directory.resolve()}: {', '.join(copied)} copied")
    console.print(
        f"set CLIMATE_CONTRACT_REFERENCE_DIR={directory.resolve()} (or reference_dir in the "
        "CLIMATE_CONTRACT_CONFIG file), then edit them with `partners add`, `campaign open` "
        "and `reference check`"
    )


@partners_app.command("list")
def partners_list(
    campaign: Annotated[str | None, typer.Option(help="Only partners expected in it")] = None,
    as_json: JsonOption = False,
) -> None:
    """The registered partners, with their college, language, campaigns and contact."""
    from rich.table import Table

    from climate_contract import pipeline

    settings = Settings()
    reference = pipeline.reference_data(settings)
    partners = reference.partners if campaign is None else reference.expected_in(campaign)
    if as_json:
        _print_json([partner.model_dump() for partner in partners])
        return
    view = Table(title=f"{len(partners)} partners")
    for column in ("id", "name", "college", "language", "campaigns", "contact", "profile"):
        view.add_column(column, no_wrap=True)
    for p in partners:
        cells = (p.id, p.name, p.college, p.language, " ".join(p.campaigns), p.contact)
        view.add_row(*cells, p.profile or "")
    console.print(view)


@partners_app.command("add")
def partners_add(
    partner_id: Annotated[str, typer.Argument(help="Also its folder name in the shared areas")],
    name: Annotated[str, typer.Option(help="The organisation's name")],
    college: Annotated[
        str, typer.Option(help="entreprise, organisme_public, association or institution")
    ],
    contact: Annotated[str, typer.Option(help="E-mail address for answers and reminders")],
    campaign: Annotated[
        list[str] | None, typer.Option(help="A campaign it is expected in; repeat for more")
    ] = None,
    language: Annotated[Language, typer.Option(help="Of its template, reports, reminders")] = "fr",
) -> None:
    """Register a partner in partners.yaml (kept as the steward wrote it) and create
    its inbox; refused, file unchanged, if the registry would no longer pass."""
    from climate_contract.reference.registry import append_entry

    settings = Settings()
    campaigns = campaign or [settings.campaign]
    entry = {"id": partner_id, "name": name, "college": college, "campaigns": campaigns}
    entry |= {"contact": contact} | ({"language": language} if language != "fr" else {})
    append_entry(
        settings.reference_dir, "partners.yaml", entry, settings.emission_factors_extension
    )
    inbox = settings.shared_folder("inbox", partner_id)
    inbox.mkdir(parents=True, exist_ok=True)
    console.print(f"{partner_id} registered for {', '.join(campaigns)}; its inbox is {inbox}")


@partners_app.command("sign")
def partners_sign(
    partner_id: str,
    on: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day it signed; defaults to today"),
    ] = None,
) -> None:
    """Record the day a partner signed its engagement contract (contract_signed_on in
    partners.yaml): the roadmap counts the contracts signed by each year's end."""
    from climate_contract.reference.registry import add_to_entry

    settings = Settings()
    day = on.date() if on else _territory_today()
    if day > _territory_today():
        raise typer.BadParameter(f"{day} is to come: record a contract once it is signed")
    add_to_entry(
        settings.reference_dir,
        "partners.yaml",
        partner_id,
        "contract_signed_on",
        day,
        settings.emission_factors_extension,
    )
    console.print(f"{partner_id} signed its engagement contract on {day}")


@partners_app.command("check")
def partners_check() -> None:
    """Check the registry (with every reference file) and the inboxes: a folder no
    registered partner has is an error (its files are never read); a partner without
    an inbox folder yet is listed."""
    from climate_contract import pipeline

    settings = Settings()
    reference = pipeline.reference_data(settings)
    inbox_root = settings.shared_root / "inbox"
    present = {path.name for path in inbox_root.iterdir()} if inbox_root.is_dir() else set()
    for partner_id in sorted(reference.partner_ids - present):
        console.print(f"{partner_id}: no inbox folder yet ({inbox_root / partner_id})")
    strangers = sorted(present - reference.partner_ids)
    for name in strangers:
        errors.print(f"error: {inbox_root / name}: no registered partner has this folder")
    if strangers:
        errors.print("its files are never read: rename it to a partner's id, or register one")
        raise typer.Exit(1)
    console.print(f"{len(reference.partners)} partners registered, no stray inbox folder")


@campaign_app.command("open")
def campaign_open(
    campaign_id: str,
    opens_on: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day files count")],
    deadline: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day on time")],
    contact: Annotated[
        str | None, typer.Option(help="Whom partners ask about it, shown on their template")
    ] = None,
    part: Annotated[
        list[str] | None,
        typer.Option(
            help="An optional part of the contract it collects (repeatable): "
            + ", ".join(get_args(Part))
        ),
    ] = None,
) -> None:
    """Declare a campaign in campaigns.yaml (kept as the steward wrote it); partners
    are expected in it once their entry lists it (partners add --campaign)."""
    from climate_contract.reference.registry import append_entry

    settings = Settings()
    if deadline < opens_on:
        raise typer.BadParameter("the deadline comes before the opening")
    entry = {"id": campaign_id, "opens_on": opens_on.date(), "deadline": deadline.date()}
    append_entry(
        settings.reference_dir,
        "campaigns.yaml",
        entry | ({"contact": contact} if contact else {}) | ({"parts": part} if part else {}),
        settings.emission_factors_extension,
    )
    collected = f", collecting {', '.join(part)}" if part else ""
    console.print(
        f"campaign {campaign_id} declared: {opens_on.date()} to {deadline.date()}{collected}"
    )


@campaign_app.command("close")
def campaign_close(
    campaign_id: str,
    on: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day files count; defaults to today"),
    ] = None,
) -> None:
    """Close a campaign: files dropped after the day it closes are refused (the
    partner is told why) and its partners are no longer reminded. Undone by removing
    closed_on from its entry in campaigns.yaml."""
    from climate_contract.reference.registry import add_to_entry

    settings = Settings()
    day = on.date() if on else _territory_today()
    add_to_entry(
        settings.reference_dir,
        "campaigns.yaml",
        campaign_id,
        "closed_on",
        day,
        settings.emission_factors_extension,
    )
    console.print(f"campaign {campaign_id} closed: files dropped after {day} are refused")


@campaign_app.command("list")
def campaign_list(as_json: JsonOption = False) -> None:
    """The declared campaigns: opening, deadline, closing, contact, partners expected."""
    from rich.table import Table

    from climate_contract import pipeline

    reference = pipeline.reference_data(Settings())
    expected = {
        campaign.id: len(reference.expected_in(campaign.id)) for campaign in reference.campaigns
    }
    if as_json:
        _print_json(
            [
                campaign.model_dump(mode="json") | {"partners_expected": expected[campaign.id]}
                for campaign in reference.campaigns
            ]
        )
        return
    view = Table(title=f"{len(reference.campaigns)} campaigns")
    columns = ("id", "opens on", "deadline", "closed on", "partners expected", "parts", "contact")
    for column in columns:
        view.add_column(column, no_wrap=True)
    for campaign in reference.campaigns:
        view.add_row(
            campaign.id,
            str(campaign.opens_on),
            str(campaign.deadline),
            str(campaign.closed_on or ""),
            str(expected[campaign.id]),
            ", ".join(campaign.parts),
            campaign.contact or "",
        )
    console.print(view)


campaign_app.command("status", help="Same as `climate-contract status`.")(status)
