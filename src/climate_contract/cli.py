"""``climate-contract``: the steward's command line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from climate_contract.settings import Settings
from climate_contract.wording import Language

# The stages are imported by the commands that use them: pandas, Arrow, SQLAlchemy
# and the rest take seconds to import, and `--help` or a typo must answer at once.

app = typer.Typer(help="Collect and consolidate the climate contract's partner declarations.")
# Marts are printed whole, never squeezed into the terminal's width, where text
# columns would vanish: pick --columns, or page a wide one with `less -S`. What we
# print comes from partners (file names, cells): never read as Rich markup.
console = Console(width=10_000, markup=False, highlight=False)


profile_app = typer.Typer(help="Write and try mapping profiles of partners' own layouts.")
app.add_typer(profile_app, name="profile")


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


@app.command()
def template(
    partner_id: str,
    output: Annotated[Path | None, typer.Option(help="Where to write; .xlsx, .ods or .csv")] = None,
    campaign: Annotated[str | None, typer.Option(help="Defaults to the current campaign")] = None,
    prefill: Annotated[
        bool, typer.Option(help="Fill in the partner's accepted data of its previous campaign")
    ] = False,
    language: Annotated[
        Language | None, typer.Option(help="fr or en; defaults to the partner's language")
    ] = None,
) -> None:
    """Write a partner's workbook for a campaign, blank or pre-filled."""
    from climate_contract import load, pipeline, warehouse
    from climate_contract.template import write_workbook

    settings = Settings()
    campaign_id = campaign or settings.campaign
    reference = pipeline.reference_data(settings)
    path = output or Path(f"contrat-climat-{campaign_id}-{partner_id}.xlsx")
    rows = None
    if prefill:
        rows = load.accepted_rows(warehouse.engine_for(settings.url), partner_id, campaign_id)
    write_workbook(path, reference, partner_id, campaign_id, rows, language=language)
    console.print(f"Template written to {path}")


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
    outcomes = pipeline.run_collection(settings)
    for outcome in outcomes:
        console.print(
            f"{outcome.partner_id}: {outcome.file_name} {outcome.status} "
            f"({outcome.error_count} errors, {outcome.warning_count} warnings)"
        )
    console.print(f"{len(outcomes)} files processed")
    for document in _report_paths(settings.data_dir / "published"):
        console.print(f"report: {document}")


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


@app.command()
def mart(
    name: Annotated[str, typer.Argument(help="Mart to print")],
    columns: Annotated[str | None, typer.Option(help="Comma-separated columns to show")] = None,
) -> None:
    """Print a mart as a table."""
    import pyarrow as pa
    from rich.table import Table

    from climate_contract import aggregate, warehouse

    engine = warehouse.engine_for(Settings().url)
    table = aggregate.read_mart(engine, name, columns.split(",") if columns else None)
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

    conditions = dict(condition.split("=", 1) for condition in where or [])
    engine = warehouse.engine_for(Settings().url)
    with engine.connect() as connection:
        try:
            rows = disclosure.lineage(connection, name, column, conditions)
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
    from climate_contract.reference import UnknownReference

    settings = Settings()
    if not official:
        written = pipeline.publish_marts(settings)
        published = settings.data_dir / "published" / "current"
        console.print(f"published {published}" if written else f"up to date: {published}")
        return
    if campaign is None:
        console.print("--official freezes one campaign: name it with --campaign")
        raise typer.Exit(2)
    try:
        snapshot = pipeline.freeze_campaign(settings, campaign)
    except (UnknownReference, pipeline.NothingToFreeze) as error:
        console.print(f"nothing frozen: {error}")
        raise typer.Exit(1) from None
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
