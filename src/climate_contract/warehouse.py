"""The warehouse: its tables, and an engine for the URL in the settings.

The same definitions serve DuckDB and PostgreSQL. ``core`` tables take their
columns from the workbook contract, so a column added there reaches the
warehouse without being written twice.
"""

from __future__ import annotations

import ast
import atexit
import io
import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from climate_contract.contract import COMMUNE_CODE, CONTRACT_YEARS, SCALE_ENDS, SHEETS, ColumnKind

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MODEL_LAYERS = ("staging", "intermediate", "marts", "checks")
"""The dbt project's layers, one schema each (``sql/dbt_project.yml``); a build
writes them with the prefix ``build_`` first."""
SCHEMAS = (
    "ref",
    "landing",
    "core",
    *(f"{prefix}{layer}" for prefix in ("", "build_") for layer in MODEL_LAYERS),
)
MIGRATED_SCHEMAS = frozenset({"ref", "landing", "core"})
VERSION_TABLE_SCHEMA = "landing"
VERSION_TABLE = "alembic_version"
MIGRATIONS_DIR = Path(__file__).with_name("migrations") / "versions"
BASELINE_REVISION = "0001"
"""The warehouse as created before migrations existed."""
metadata = sa.MetaData()

SQL_TYPES: dict[ColumnKind, sa.types.TypeEngine] = {
    "text": sa.Text(),
    "integer": sa.Integer(),
    "decimal": sa.Numeric(20, 6),
    "code": sa.Text(),
    "boolean": sa.Boolean(),
}

partners = sa.Table(
    "partners",
    metadata,
    sa.Column("partner_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("college", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("contract_signed_on", sa.Date),
    schema="ref",
)
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("campaign_id", sa.Text, primary_key=True),
    sa.Column("opens_on", sa.Date, nullable=False),
    sa.Column("deadline", sa.Date, nullable=False),
    schema="ref",
)
expected_partners = sa.Table(
    "expected_partners",
    metadata,
    sa.Column("campaign_id", sa.Text, primary_key=True),
    sa.Column("partner_id", sa.Text, primary_key=True),
    schema="ref",
)
plan_targets = sa.Table(
    "plan_targets",
    metadata,
    sa.Column("plan", sa.Text, primary_key=True),
    sa.Column("plan_axis", sa.Text, primary_key=True),
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("milestone_year", sa.Integer, primary_key=True),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("baseline_value", sa.Numeric(20, 6), nullable=False),
    sa.Column("milestone_value", sa.Numeric(20, 6), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    schema="ref",
)
observed_inventory = sa.Table(
    "observed_inventory",
    metadata,
    sa.Column("plan_axis", sa.Text, primary_key=True),
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("value", sa.Numeric(20, 6), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    schema="ref",
)
communes = sa.Table(
    "communes",
    metadata,
    sa.Column("commune_code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("epci_code", sa.Text, nullable=False),
    sa.Column("epci_name", sa.Text, nullable=False),
    schema="ref",
)
code_values = sa.Table(
    "code_values",
    metadata,
    sa.Column("list_name", sa.Text, primary_key=True),
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("label_fr", sa.Text, nullable=False),
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("indicator_kind", sa.Text),
    sa.Column("dimension", sa.Text),
    sa.Column("scale", sa.Double),
    sa.Column("vat_rate", sa.Double),
    schema="ref",
)
emission_factors = sa.Table(
    "emission_factors",
    metadata,
    sa.Column("referential_version", sa.Text, primary_key=True),
    sa.Column("factor_code", sa.Text, primary_key=True),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("kgco2e_per_unit", sa.Double, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_ids", sa.Text, nullable=False),
    sa.Column("source_year", sa.Integer, nullable=False),
    schema="ref",
)
activities = sa.Table(
    "activities",
    metadata,
    sa.Column("referential_version", sa.Text, primary_key=True),
    sa.Column("activity_code", sa.Text, primary_key=True),
    sa.Column("label_fr", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("factor_code", sa.Text, nullable=False),
    sa.Column("replacement_factor_code", sa.Text),
    sa.Column("activity_unit", sa.Text, nullable=False),
    sa.Column("kgco2e_saved_per_unit", sa.Double, nullable=False),
    schema="ref",
)
roadmap_levers = sa.Table(
    "roadmap_levers",
    metadata,
    sa.Column("lever", sa.Text, primary_key=True),
    sa.Column("label_fr", sa.Text, nullable=False),
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("objective_fr", sa.Text, nullable=False),
    sa.Column("objective_en", sa.Text, nullable=False),
    sa.Column("horizon_year", sa.Integer, nullable=False),
    schema="ref",
)
roadmap_lever_axes = sa.Table(
    "roadmap_lever_axes",
    metadata,
    sa.Column("plan_axis", sa.Text, primary_key=True),
    sa.Column("lever", sa.Text, nullable=False),
    schema="ref",
)
roadmap_indicators = sa.Table(
    "roadmap_indicators",
    metadata,
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("lever", sa.Text),
    sa.Column("label_fr", sa.Text, nullable=False),
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("measure", sa.Text, nullable=False),
    sa.Column("unit_fr", sa.Text, nullable=False),
    sa.Column("unit_en", sa.Text, nullable=False),
    sa.Column("start_year", sa.Integer, nullable=False),
    sa.Column("baseline_value", sa.Numeric(20, 6), nullable=False),
    schema="ref",
)
roadmap_milestones = sa.Table(
    "roadmap_milestones",
    metadata,
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("years_after_start", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("milestone_year", sa.Integer, nullable=False),
    sa.Column("target_value", sa.Numeric(20, 6), nullable=False),
    schema="ref",
)
roadmap_values = sa.Table(
    "roadmap_values",
    metadata,
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Numeric(20, 6), nullable=False),
    sa.Column("source", sa.Text),
    schema="ref",
)
"""The values the steward entered for the roadmap's entered indicators, from the last
workbook accepted (a refused one leaves them as they were)."""
reference_state = sa.Table(
    "reference_state",
    metadata,
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    schema="ref",
)
years = sa.Table(
    "years",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    schema="ref",
)
YEARS = range(2000, int(CONTRACT_YEARS.maximum) + 1)
"""Plan baselines may predate the contract's period; nothing goes beyond it."""

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("submission_id", sa.Text, primary_key=True),
    sa.Column("partner_id", sa.Text, nullable=False),
    sa.Column("campaign_id", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("received_at", sa.DateTime, nullable=False),
    sa.Column("processed_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("stored_path", sa.Text, nullable=False),
    sa.Column("action_rows", sa.Integer, nullable=False),
    sa.Column("investment_rows", sa.Integer, nullable=False),
    sa.Column("impact_rows", sa.Integer, nullable=False),
    sa.Column("error_count", sa.Integer, nullable=False),
    sa.Column("warning_count", sa.Integer, nullable=False),
    # Set once the partner's report is in its outbox and the file out of its inbox:
    # a submission recorded without it is finished by the next run.
    sa.Column("delivered_at", sa.DateTime),
    # The fingerprint of the rows it put in core (climate_contract.load.reconciliation);
    # NULL when it put none, or was loaded before fingerprints existed.
    sa.Column("core_sha256", sa.Text),
    schema="landing",
)
inbox_notices = sa.Table(
    "inbox_notices",
    metadata,
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("partner_id", sa.Text),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    schema="landing",
)
"""What sits in the inboxes without being a partner's submission, for the steward."""
marts_state = sa.Table(
    "marts_state",
    metadata,
    sa.Column("source_mark", sa.Text, nullable=False),
    sa.Column("built_at", sa.DateTime, nullable=False),
    schema="landing",
)
"""What the marts were last built from: the loads, reference data, rules and models."""
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("submission_id", sa.Text, primary_key=True),
    sa.Column("finding_index", sa.Integer, primary_key=True),
    sa.Column("severity", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text),
    sa.Column("row_number", sa.Integer),
    sa.Column("column_letter", sa.Text),
    sa.Column("header", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("message_fr", sa.Text, nullable=False),
    sa.Column("message_en", sa.Text),  # none for findings recorded before English existed
    schema="landing",
)

campaign_follow_up = sa.Table(
    "campaign_follow_up",
    metadata,
    sa.Column("campaign_id", sa.Text, primary_key=True),
    sa.Column("checked_on", sa.Date, primary_key=True),
    sa.Column("partner_id", sa.Text, primary_key=True),
    sa.Column("partner_name", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("latest_status", sa.Text),
    sa.Column("latest_file_name", sa.Text),
    sa.Column("latest_error_count", sa.Integer, nullable=False),
    schema="landing",
)


reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("campaign_id", sa.Text, primary_key=True),
    sa.Column("partner_id", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, primary_key=True),
    sa.Column("checked_on", sa.Date, primary_key=True),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    schema="landing",
)
"""Each reminder, recorded before it is sent: a retried or repeated run never sends
it twice."""

answer_mails = sa.Table(
    "answer_mails",
    metadata,
    sa.Column("submission_id", sa.Text, primary_key=True),
    sa.Column("partner_id", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    schema="landing",
)
"""The answer mailed for each submission, recorded before it is sent."""


def _provenance() -> list[sa.Column]:
    """Where a core row comes from: submission, partner, campaign, sheet and row."""
    return [
        sa.Column("submission_id", sa.Text, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("campaign_id", sa.Text, nullable=False),
        sa.Column("source_sheet", sa.Text, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
    ]


DERIVED_COLUMNS: dict[str, tuple[sa.Column, ...]] = {
    "actions": (sa.Column(COMMUNE_CODE, sa.Text),),
    "self_assessment": tuple(sa.Column(end, sa.Integer) for end in SCALE_ENDS),
}
"""What reading a sheet adds to its contract columns: the INSEE code of the commune
an action names (``parse.with_commune_codes``), the ends of the scale an answer was
given on (``parse.with_scale_ends``)."""

core_tables: dict[str, sa.Table] = {
    sheet.name: sa.Table(
        sheet.name,
        metadata,
        *_provenance(),
        *(sa.Column(column.name, SQL_TYPES[column.kind]) for column in sheet.columns),
        *DERIVED_COLUMNS.get(sheet.name, ()),
        schema="core",
    )
    for sheet in SHEETS
}


estimated_emissions = sa.Table(
    "estimated_emissions",
    metadata,
    *_provenance(),
    sa.Column("action_ref", sa.Text, nullable=False),
    sa.Column("indicator", sa.Text, nullable=False),
    sa.Column("activity_quantity", sa.Double, nullable=False),
    sa.Column("activity_unit", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("factor_code", sa.Text, nullable=False),
    sa.Column("replacement_factor_code", sa.Text),
    sa.Column("kgco2e_saved_per_unit", sa.Double, nullable=False),
    sa.Column("tco2e_avoided_per_year", sa.Double, nullable=False),
    sa.Column("referential_version", sa.Text, nullable=False),
    schema="core",
)


withheld_cells = sa.Table(
    "withheld_cells",
    sa.MetaData(),
    sa.Column("campaign_id", sa.Text, nullable=False),
    sa.Column("measure", sa.Text, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("cell", sa.Text),
    sa.Column("gross_reason", sa.Text),
    sa.Column("deduplicated_reason", sa.Text),
    sa.Column("gross_rule", sa.Text),
    sa.Column("deduplicated_rule", sa.Text),
)
"""Pooled confidential figures the marts must not publish: written by
``climate_contract.disclosure`` into each build's intermediate schema, read by the
models, published with them. Not migrated: a build creates it. The reason the
marts show is the same for all ('confidential'); the rule that withheld each
figure is for the steward."""


@dataclass(frozen=True)
class ModelSchemas:
    """Where the dbt models are: the live ones (no prefix), or a build's before it
    is checked and published (prefix ``build_``)."""

    prefix: str = ""

    @property
    def intermediate(self) -> str:
        return f"{self.prefix}intermediate"

    @property
    def marts(self) -> str:
        return f"{self.prefix}marts"

    @property
    def checks(self) -> str:
        return f"{self.prefix}checks"

    def withheld_cells(self) -> sa.Table:
        return withheld_cells.to_metadata(sa.MetaData(), schema=self.intermediate)


LIVE_MODELS = ModelSchemas()
BUILD_MODELS = ModelSchemas("build_")
published_pools = sa.Table(
    "published_pools",
    metadata,
    sa.Column("pool_signature", sa.Text, primary_key=True),
    sa.Column("submission_id", sa.Text, primary_key=True),
    sa.Column("source_sheet", sa.Text, primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("measure", sa.Text, primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("partner_id", sa.Text, nullable=False),
    sa.Column("action_ref", sa.Text, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("value", sa.Double, nullable=False),
    schema="core",
)
"""Every confidential pool a kept build published, contribution by contribution:
what later publications are audited against (``climate_contract.disclosure.history``)."""


@cache
def engine_for(url: str) -> Engine:
    """One engine per warehouse URL for the life of the process."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "duckdb" and engine.url.database not in (None, "", ":memory:"):
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    atexit.register(engine.dispose)
    return engine


def _quiet_interpreter_exit() -> None:
    """Close stderr for the interpreter's very last steps.

    When Great Expectations was imported beside duckdb_engine, DuckDB's extension
    module is never torn down at exit (its memory goes back to the system with
    the process), and its bindings (nanobind) then list every constant of it as
    "leaked": about 50 lines on stderr after every command and task, mixed into
    the next command's output. Registered when this module is imported, before
    any engine, this runs after every exit handler registered later (engines
    disposed, dbt's connections closed): only the interpreter's teardown
    writes after it."""
    if sys.stderr is not None:
        sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), STDERR_DESCRIPTOR)


STDERR_DESCRIPTOR = 2
atexit.register(_quiet_interpreter_exit)


def insert_arrow(connection: Connection, table: sa.Table, rows: pa.Table) -> None:
    """Append ``rows``, whose columns are named as ``table``'s, in one statement:
    DuckDB scans the Arrow table, PostgreSQL takes it as COPY (row-by-row inserts
    cost 10 to 100 times more)."""
    if not rows.num_rows:
        return
    columns = ", ".join(f'"{name}"' for name in rows.column_names)
    target = f'{table.schema}."{table.name}"'
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "duckdb":
        view = f"arrow_rows_{uuid.uuid4().hex}"
        driver.register(view, rows)
        try:
            driver.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {view}")
        finally:
            driver.unregister(view)
    elif connection.dialect.name == "postgresql":
        # CSV tells a null (nothing) from an empty text (""), which COPY's text
        # format would need escaping for.
        text = io.BytesIO()
        options = pyarrow.csv.WriteOptions(include_header=False, quoting_style="needed")
        pyarrow.csv.write_csv(rows, text, options)
        statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv)"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(text.getvalue())
    else:
        connection.execute(table.insert(), rows.to_pylist())


def create_schemas(connection: Connection) -> None:
    """Create the schemas that are missing, only those: the loader may not create
    schemas, and PostgreSQL checks that right even for one that exists."""
    if connection.dialect.name != "postgresql":
        for schema in SCHEMAS:
            connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        return
    existing = set(sa.inspect(connection).get_schema_names())
    for schema in SCHEMAS:
        if schema not in existing:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))


def owner_to_act_as(connection: Connection, schema: str) -> str | None:
    """On PostgreSQL, the owner of ``schema`` when the current user is another role
    that may act as it: tables rebuilt or added by whoever runs the build then
    belong to the owner, and its default privileges (the readers' grants) apply."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(
        sa.text(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = :schema "
            "AND nspowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) "
            "AND pg_has_role(current_user, nspowner, 'MEMBER')"
        ),
        {"schema": schema},
    ).scalar()


def act_as_owner(connection: Connection, schema: str) -> None:
    """Run the rest of the transaction as ``owner_to_act_as(schema)``, if any."""
    owner = owner_to_act_as(connection, schema)
    if owner is not None:
        connection.execute(sa.text(f"SET LOCAL ROLE {owner}"))


def analyze_loaded(connection: Connection) -> None:
    """On PostgreSQL, refresh the planner's statistics of the tables loads fill:
    autovacuum may not have yet, and on stale statistics the models' anti joins
    become nested loops whose cost grows with the square of the rows."""
    if connection.dialect.name != "postgresql":
        return
    act_as_owner(connection, "core")
    tables = [*core_tables.values(), estimated_emissions, submissions]
    connection.execute(sa.text("ANALYZE " + ", ".join(f"{t.schema}.{t.name}" for t in tables)))


def is_migrated(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Whether the migrations manage this schema or table: not ``marts``, which the
    SQL models rebuild whole. (Alembic leaves its own version table out itself.)"""
    if type_ == "schema":
        return name in MIGRATED_SCHEMAS
    if type_ == "table":
        return parent_names.get("schema_name") in MIGRATED_SCHEMAS
    return True


def migrations_config(connection: Connection | None = None) -> AlembicConfig:
    """Alembic's configuration for the warehouse migrations, run on ``connection``."""
    # Alembic is imported when needed: it would add half a second to parsing DAG files.
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "climate_contract:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str | None:
    """The newest migration: the one no other revises, read from the migration
    files as Alembic reads them but without importing it (half a second, paid by
    every run). None unless that is certain (exactly one, every file read): the
    caller then asks Alembic."""
    revisions: dict[str, tuple[str, ...]] = {}
    for path in MIGRATIONS_DIR.glob("*.py"):
        if path.name == "__init__.py":
            continue
        assigned = _assignments(path)
        try:
            down = ast.literal_eval(assigned["down_revision"])
            revisions[ast.literal_eval(assigned["revision"])] = tuple(
                down if isinstance(down, tuple | list) else [down]
            )
        except (KeyError, ValueError):
            return None
    heads = set(revisions) - {down for downs in revisions.values() for down in downs}
    return heads.pop() if len(heads) == 1 else None


def _assignments(path: Path) -> dict[str, ast.expr]:
    """A file's module-level ``name = value`` and ``name: type = value``."""
    found: dict[str, ast.expr] = {}
    for node in ast.parse(path.read_bytes()).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        found.update({target.id: value for target in targets if isinstance(target, ast.Name)})
    return found


def schema_revision(connection: Connection) -> str | None:
    """The migration the warehouse is at (Alembic's version table, read plainly);
    None before any. The migrations are one line: several would raise."""
    if not sa.inspect(connection).has_table(VERSION_TABLE, schema=VERSION_TABLE_SCHEMA):
        return None
    return connection.execute(
        sa.text(f"SELECT version_num FROM {VERSION_TABLE_SCHEMA}.{VERSION_TABLE}")
    ).scalar_one_or_none()


def ensure_schema(connection: Connection) -> None:
    """Bring the warehouse to this version's tables with the migrations in
    ``migrations/``, adding what is missing and never dropping data.

    A warehouse created before migrations existed is recognised (it has tables but
    no version) and taken as the baseline. On PostgreSQL, concurrent callers
    (parallel tasks) wait for each other.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('climate_contract'))"))
    act_as_owner(connection, VERSION_TABLE_SCHEMA)
    current = schema_revision(connection)
    if current is not None and current == head_revision():
        return
    from alembic import command

    if current is None and sa.inspect(connection).has_table("submissions", schema="landing"):
        command.stamp(migrations_config(connection), BASELINE_REVISION)
    command.upgrade(migrations_config(connection), "head")


def access_role_names(prefix: str) -> dict[str, str]:
    return {duty: f"{prefix}_{duty}" for duty in ("loader", "steward", "analyst")}


class PostgresOnly(ValueError):
    """Asked of a warehouse that is not on PostgreSQL."""


def create_access_roles(engine: Engine, prefix: str) -> dict[str, str]:
    """On PostgreSQL, as an administrator: the loader owns and writes the warehouse,
    the steward reads all of it, the analyst reads ``marts`` and nothing else.

    Roles are created with LOGIN and no password (set one, or use the server's
    authentication rules). Tables the loader creates later, such as rebuilt
    marts, get the same read grants through default privileges; a build run by
    another role (an administrator) acts as the loader (``act_as_owner``).
    """
    if engine.dialect.name != "postgresql":
        raise PostgresOnly(
            f"access roles exist on PostgreSQL only; this warehouse is {engine.dialect.name} "
            "(set CLIMATE_CONTRACT_WAREHOUSE_URL to a postgresql:// address)"
        )
    roles = access_role_names(prefix)
    loader, steward, analyst = roles["loader"], roles["steward"], roles["analyst"]
    with engine.begin() as connection:
        existing = set(connection.execute(sa.text("SELECT rolname FROM pg_roles")).scalars())
        for role in roles.values():
            if role not in existing:
                connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        database = connection.execute(sa.text("SELECT current_database()")).scalar_one()
        connection.execute(sa.text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
        connection.execute(
            sa.text(
                f'GRANT CONNECT ON DATABASE "{database}" TO "{loader}", "{steward}", "{analyst}"'
            )
        )
        # The loader owns its schemas and creates nothing outside them.
        connection.execute(sa.text(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{loader}"'))
        for schema in SCHEMAS:
            connection.execute(
                sa.text(f'CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION "{loader}"')
            )
            connection.execute(sa.text(f'ALTER SCHEMA {schema} OWNER TO "{loader}"'))
            readers = f'"{steward}", "{analyst}"' if schema == "marts" else f'"{steward}"'
            connection.execute(sa.text(f"GRANT USAGE ON SCHEMA {schema} TO {readers}"))
            for table in connection.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema},
            ).scalars():
                connection.execute(sa.text(f'ALTER TABLE {schema}."{table}" OWNER TO "{loader}"'))
            connection.execute(
                sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {readers}")
            )
            connection.execute(
                sa.text(
                    f'ALTER DEFAULT PRIVILEGES FOR ROLE "{loader}" IN SCHEMA {schema} '
                    f"GRANT SELECT ON TABLES TO {readers}"
                )
            )
    return roles
