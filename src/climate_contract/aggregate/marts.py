"""Each ``sql/<schema>/<name>.sql`` is one SELECT that becomes the table ``<schema>.<name>``.

``sql/core/`` holds intermediate models (deduplication flags, carbon lines,
target trajectories) that analysts do not read; ``sql/marts/`` what they read.
A model is built after every model whose qualified name its SQL mentions. The
models are plain SQL that DuckDB and PostgreSQL both run; this module only
materialises them; the caller's transaction makes a rebuild all-or-nothing.

One table is written by Python, not SQL: ``core.withheld_cells``, the disclosure
plan, decided once the contributions it reads are built and before the models
that read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from graphlib import TopologicalSorter
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from climate_contract import disclosure
from climate_contract.settings import SQL_DIR

MODEL_SCHEMAS = ("core", "marts")
DISCLOSURE_PLAN = "core.withheld_cells"


def _models() -> dict[str, Path]:
    """Every model file by qualified table name."""
    return {
        f"{schema}.{path.stem}": path
        for schema in MODEL_SCHEMAS
        for path in sorted((SQL_DIR / schema).glob("*.sql"))
    }


def build_order() -> list[str]:
    """Model names (and the disclosure plan), each after the models it reads."""
    models = _models()
    texts = {name: path.read_text(encoding="utf-8") for name, path in models.items()}
    tables = [*models, DISCLOSURE_PLAN]
    graph = {
        name: {
            other
            for other in tables
            if other != name and re.search(rf"\b{re.escape(other)}\b", texts[name])
        }
        for name in models
    } | {DISCLOSURE_PLAN: set(disclosure.CONTRIBUTION_MODELS)}
    return list(TopologicalSorter(graph).static_order())


def mart_names() -> list[str]:
    return sorted(name.split(".", 1)[1] for name in _models() if name.startswith("marts."))


_KEY_LINE = re.compile(r"^-- key: (.+)$", re.MULTILINE)


def mart_key(name: str) -> list[str]:
    """The columns that identify a row of mart ``name``: its SQL's ``-- key:`` line."""
    found = _KEY_LINE.search(_models()[f"marts.{name}"].read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"sql/marts/{name}.sql says no key (a '-- key: a, b' line)")
    return [column.strip() for column in found.group(1).split(",")]


def duplicate_keys(connection: Connection) -> list[str]:
    """Every mart with two rows of one key, as a sentence for the steward."""
    failures = []
    for name in mart_names():
        key = ", ".join(mart_key(name))
        duplicated = connection.execute(
            sa.text(f"SELECT {key} FROM marts.{name} GROUP BY {key} HAVING COUNT(*) > 1")
        ).first()
        if duplicated is not None:
            failures.append(f"{name}: more than one row for ({key}) = {tuple(duplicated)}")
    return failures


def build_marts(connection: Connection, plan_disclosure: Callable[[Connection], None]) -> list[str]:
    """Rebuild every model in dependency order, in the caller's transaction (so that
    checks can run before it commits), ``plan_disclosure`` writing the disclosure
    plan in its turn; return the marts' names."""
    models = _models()
    today = date.today()
    for name in build_order():
        if name == DISCLOSURE_PLAN:
            plan_disclosure(connection)
            continue
        select = _as_of(models[name].read_text(encoding="utf-8").strip().rstrip(";"), today)
        # The date is written into the statement: DDL takes no bound parameters.
        rendered = select.compile(connection, compile_kwargs={"literal_binds": True})
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE TABLE {name} AS {rendered}"))
    return mart_names()


def _as_of(sql: str, day: date) -> sa.TextClause:
    """A model's SQL with its ``:as_of`` date (what it says about "today") bound."""
    clause = sa.text(sql)
    if ":as_of" in sql:
        clause = clause.bindparams(sa.bindparam("as_of", day, type_=sa.Date))
    return clause


def query_model(connection: Connection, name: str, as_of: date) -> list[sa.Row]:
    """Run the model ``name`` (e.g. ``marts.campaign_coverage``) as a query, as it
    stood on ``as_of``, without materialising it. It must read only tables, not
    other models."""
    return list(connection.execute(_as_of(_models()[name].read_text(encoding="utf-8"), as_of)))


def read_mart(engine: Engine, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """The mart ``name`` as an Arrow table (only ``columns`` if given), rows sorted
    by its columns in order: a stored table has no order, and readers expect one."""
    if name not in mart_names():
        raise ValueError(f"unknown mart {name!r}; known: {', '.join(mart_names())}")
    with engine.connect() as connection:
        result = connection.execute(sa.text(f"SELECT * FROM marts.{name}"))
        names = list(result.keys())
        rows = result.all()
    table = pa.table({column: [row[i] for row in rows] for i, column in enumerate(names)})
    if columns is not None:
        table = table.select(list(columns))
    return table.sort_by([(column, "ascending") for column in table.column_names])
