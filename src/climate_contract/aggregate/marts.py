"""Build the models of the dbt project in ``sql/``, write-audit-publish.

dbt builds every model, and runs its schema tests, in the ``build_*`` schemas
beside the live ones; the disclosure plan (``withheld_cells``, decided in Python
once the contributions it reads are built) is written there between the models
it reads and those that read it. The caller then checks the build (GX mart
suites, the disclosure audit) and, only if everything holds, publishes it:
every table is copied into its live schema, with its descriptions as database
comments, in one transaction. Until then the live marts stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from climate_contract import disclosure, warehouse
from climate_contract.aggregate.project import PROJECT_NAME, Project
from climate_contract.parts import Part
from climate_contract.settings import SQL_DIR, Settings
from climate_contract.warehouse import BUILD_MODELS, LIVE_MODELS, ModelSchemas

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult
    from dbt.contracts.graph.manifest import Manifest

PUBLISHED_LAYERS = ("intermediate", "marts")
"""The layers a build publishes: marts for analysts, intermediate models for the
steward's lineage. Staging views and check frames serve the build only."""
_PLAN_INPUTS = [f"+{name}" for name in disclosure.CONTRIBUTION_MODELS]
"""The models the disclosure plan reads, and every model they read."""
_TESTS_OF_BUILT_MODELS = ["--indirect-selection", "buildable"]
"""A test runs once every model it reads is built (a test of a model before the
plan that also reads one after it waits for the second build)."""
_WITHHELD_CELLS = "source.climate_contract.disclosure.withheld_cells"


MARTS_DIR = SQL_DIR / "models" / "marts"


def mart_names() -> list[str]:
    return sorted(path.stem for path in MARTS_DIR.glob("*.sql"))


@dataclass(frozen=True)
class MartDescription:
    description: str
    columns: dict[str, str]
    part: str | None = None
    """The optional part of the contract the mart is about (its ``meta.part``)."""


@cache
def mart_descriptions() -> dict[str, MartDescription]:
    """Each mart's and column's description, as the dbt project writes them (the
    source of the database comments and the data dictionary too)."""
    import yaml

    models = yaml.load((MARTS_DIR / "_marts.yml").read_text("utf-8"), Loader=yaml.CSafeLoader)
    return {
        model["name"]: MartDescription(
            " ".join(model.get("description", "").split()),
            {c["name"]: " ".join(c.get("description", "").split()) for c in model["columns"]},
            model.get("config", {}).get("meta", {}).get("part"),
        )
        for model in models["models"]
    }


def marts_shown(parts: Collection[Part]) -> list[str]:
    """The marts published where campaigns collect ``parts``: a territory that does
    not collect an optional part sees nothing of it, not even an empty table."""
    descriptions = mart_descriptions()
    return [name for name in mart_names() if descriptions[name].part in (None, *parts)]


@dataclass(frozen=True)
class Build:
    """The models a build wrote in the ``build_*`` schemas, and what dbt's tests
    found wrong with them."""

    manifest: Manifest
    failures: list[str]


def build_models(
    settings: Settings, plan_disclosure: Callable[[Connection, ModelSchemas], None], today: date
) -> Build:
    """Build every model into the emptied build schemas and run its dbt tests,
    ``plan_disclosure`` writing the disclosure plan in its turn."""
    project = Project(settings)
    variables = project.variables(BUILD_MODELS.prefix, today)
    engine = warehouse.engine_for(settings.url)
    with engine.begin() as connection:
        role = warehouse.owner_to_act_as(connection, BUILD_MODELS.marts)
        warehouse.act_as_owner(connection, BUILD_MODELS.marts)
        # Nothing of an earlier build may be read, checked or published as this one's.
        _empty_build_schemas(connection)
    manifest = project.parse(variables)
    first = project.invoke(
        ["build", "--select", *_PLAN_INPUTS, *_TESTS_OF_BUILT_MODELS], variables, manifest, role
    )
    failures = _failures(first)
    if failures:
        return Build(manifest, failures)
    with engine.begin() as connection:
        warehouse.act_as_owner(connection, BUILD_MODELS.intermediate)
        plan_disclosure(connection, BUILD_MODELS)
    second = project.invoke(
        ["build", "--exclude", *_PLAN_INPUTS, *_TESTS_OF_BUILT_MODELS], variables, manifest, role
    )
    failures = _failures(second)
    built = _built(first) | _built(second)
    failures += [
        f"{node.name}: not built by this run"
        for node in _published_nodes(manifest)
        if node.unique_id.startswith("model.") and node.unique_id not in built
    ]
    with engine.connect() as connection:
        failures += _undescribed_columns(connection, manifest)
    return Build(manifest, failures)


def _empty_build_schemas(connection: Connection) -> None:
    relations = connection.execute(
        sa.text(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_schema IN :schemas"
        ).bindparams(sa.bindparam("schemas", expanding=True)),
        {"schemas": [f"{BUILD_MODELS.prefix}{layer}" for layer in warehouse.MODEL_LAYERS]},
    ).all()
    # Views first: they read the tables (PostgreSQL also drops views reading them).
    cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
    for schema, name, kind in sorted(relations, key=lambda row: row.table_type != "VIEW"):
        what = "VIEW" if kind == "VIEW" else "TABLE"
        connection.execute(sa.text(f'DROP {what} IF EXISTS {schema}."{name}"{cascade}'))


def _built(result: dbtRunnerResult) -> set[str]:
    return {
        outcome.node.unique_id
        for outcome in result.result.results
        if str(outcome.status) == "success"
    }


def _failures(result: dbtRunnerResult) -> list[str]:
    """Every model that failed to build and every test that failed, as a sentence."""
    return [
        f"{outcome.node.name}: {outcome.message or outcome.status}"
        + (f" ({outcome.failures} row(s))" if outcome.failures else "")
        for outcome in result.result.results
        if str(outcome.status) in ("error", "fail", "skipped")
    ]


def _undescribed_columns(connection: Connection, manifest: Manifest) -> list[str]:
    """Columns a model's description names that its table does not have: the
    comments and the dictionary would describe what is not there."""
    failures = []
    for node in _published_nodes(manifest):
        if node.unique_id.startswith("source."):
            continue
        actual = _columns(connection, f"{BUILD_MODELS.prefix}{node.schema_layer}", node.name)
        failures += [
            f"{node.name}: column {column!r} is described but not produced"
            for column in node.columns
            if column not in actual
        ]
    return failures


def _columns(connection: Connection, schema: str, table: str) -> set[str]:
    return set(
        connection.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = :schema AND table_name = :table"
            ),
            {"schema": schema, "table": table},
        ).scalars()
    )


def publish_build(connection: Connection, build: Build) -> list[str]:
    """Copy every table of the build into its live schema, descriptions as
    comments, and drop the live tables no model makes any more (a mart removed or
    moved must not stay readable), in the caller's transaction; return the marts'
    names."""
    published = _published_nodes(build.manifest)
    for node in published:
        source = f"{BUILD_MODELS.prefix}{node.schema_layer}.{node.name}"
        live = f"{node.schema_layer}.{node.name}"
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {live}"))
        connection.execute(sa.text(f"CREATE TABLE {live} AS SELECT * FROM {source}"))
        _comment(connection, f"TABLE {live}", node.description)
        for column, description in node.columns.items():
            _comment(connection, f'COLUMN {live}."{column}"', description)
    for layer in PUBLISHED_LAYERS:
        kept = {node.name for node in published if node.schema_layer == layer}
        for name in sa.inspect(connection).get_table_names(schema=layer):
            if name not in kept:
                connection.execute(sa.text(f'DROP TABLE {layer}."{name}"'))
    return mart_names()


@dataclass(frozen=True)
class _Published:
    unique_id: str
    schema_layer: str
    name: str
    description: str
    columns: dict[str, str]


def _published_nodes(manifest: Manifest) -> list[_Published]:
    models = [
        _Published(
            node.unique_id,
            node.config.schema,
            node.name,
            node.description,
            {name: column.description for name, column in node.columns.items()},
        )
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.config.schema in PUBLISHED_LAYERS
    ]
    plan = manifest.sources[_WITHHELD_CELLS]
    return [
        *models,
        _Published(
            plan.unique_id,
            "intermediate",
            plan.name,
            plan.description,
            {name: column.description for name, column in plan.columns.items()},
        ),
    ]


def _comment(connection: Connection, target: str, text: str) -> None:
    if text:
        quoted = text.strip().replace("'", "''").replace(":", r"\:")
        # A description's ":word" is text, not a parameter to bind.
        connection.execute(sa.text(f"COMMENT ON {target} IS '{quoted}'"))


def query_model(settings: Settings, name: str, as_of: date) -> list[sa.Row]:
    """Run the model ``name`` (e.g. ``campaign_coverage``) as a query, as it stood on
    ``as_of``, without materialising it. It must read only sources, not models."""
    project = Project(settings)
    result = project.invoke(
        # No console log: dbt prints a single compiled node even when quiet.
        [
            "compile",
            *("--select", name, "--indirect-selection", "empty", "--no-populate-cache"),
            *("--log-level", "none"),
        ],
        project.variables(LIVE_MODELS.prefix, as_of),
    )
    (node,) = [
        outcome.node
        for outcome in result.result.results
        if outcome.node.unique_id == f"model.{PROJECT_NAME}.{name}"
    ]
    if any(not dependency.startswith("source.") for dependency in node.depends_on.nodes):
        raise ValueError(f"{name} reads other models: it cannot be run as of another day")
    compiled = node.compiled_code
    with warehouse.engine_for(settings.url).connect() as connection:
        return list(connection.execute(sa.text(compiled.replace(":", r"\:"))))


class UnknownMart(ValueError):
    """A mart (or a column of it) the dbt project does not have."""


def read_mart(
    engine: Engine,
    name: str,
    columns: Sequence[str] | None = None,
    where: Mapping[str, str] | None = None,
) -> pa.Table:
    """The mart ``name`` as an Arrow table (only ``columns`` if given; only the rows
    whose columns read as the texts of ``where``), rows sorted by its columns in
    order: a stored table has no order, and readers expect one."""
    if name not in mart_names():
        raise UnknownMart(f"unknown mart {name!r}; known: {', '.join(mart_names())}")
    with engine.connect() as connection:
        result = connection.execute(sa.text(f"SELECT * FROM {LIVE_MODELS.marts}.{name}"))
        names = list(result.keys())
        rows = result.all()
    table = pa.table({column: [row[i] for row in rows] for i, column in enumerate(names)})
    for column, value in (where or {}).items():
        if column not in names:
            raise UnknownMart(f"{name} has no column {column!r}; its columns: {', '.join(names)}")
        table = table.filter(pa.array([str(cell) == value for cell in table[column].to_pylist()]))
    if columns is not None:
        table = table.select(list(columns))
    return _described(table, mart_descriptions()[name]).sort_by(
        [(column, "ascending") for column in table.column_names]
    )


def _described(table: pa.Table, described: MartDescription) -> pa.Table:
    """The table with its mart's and columns' descriptions in its schema's metadata
    (``description``), where Parquet readers find them."""
    fields = [
        field.with_metadata({"description": described.columns.get(field.name, "")})
        for field in table.schema
    ]
    schema = pa.schema(fields, metadata={"description": described.description})
    return table.cast(schema)
