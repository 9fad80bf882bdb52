"""Each ``sql/marts/<name>.sql`` is one SELECT that becomes the table ``marts.<name>``.

The models are plain SQL that DuckDB and PostgreSQL both run; this module only
materialises them, all in one transaction so analysts never see half a rebuild.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from climate_contract.settings import SQL_DIR

MARTS_DIR = SQL_DIR / "marts"


def _model_files() -> list[Path]:
    return sorted(MARTS_DIR.glob("*.sql"))


def mart_names() -> list[str]:
    return [path.stem for path in _model_files()]


def build_marts(engine: Engine) -> list[str]:
    """Rebuild every mart; return their names."""
    with engine.begin() as connection:
        for path in _model_files():
            select = path.read_text(encoding="utf-8").strip().rstrip(";")
            connection.execute(sa.text(f"DROP TABLE IF EXISTS marts.{path.stem}"))
            connection.execute(sa.text(f"CREATE TABLE marts.{path.stem} AS {select}"))
    return mart_names()


def read_mart(engine: Engine, name: str) -> pa.Table:
    """The whole mart ``name`` as an Arrow table."""
    if name not in mart_names():
        raise ValueError(f"unknown mart {name!r}; known: {', '.join(mart_names())}")
    with engine.connect() as connection:
        result = connection.execute(sa.text(f"SELECT * FROM marts.{name}"))
        columns = list(result.keys())
        rows = result.all()
    return pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})
