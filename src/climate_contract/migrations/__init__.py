"""The warehouse's Alembic migrations (``versions/``), applied by
``warehouse.ensure_schema``. Importing this package teaches Alembic DuckDB."""

from alembic.ddl.impl import DefaultImpl


class DuckDBImpl(DefaultImpl):
    """Alembic knows no DuckDB; its DDL is the default one."""

    __dialect__ = "duckdb"
