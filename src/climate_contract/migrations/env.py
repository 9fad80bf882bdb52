"""Alembic's entry point for the warehouse.

``warehouse.ensure_schema`` runs it on its own connection; the ``alembic``
command (``alembic.ini`` at the project root) runs it on the warehouse of the
settings, e.g. ``alembic revision --autogenerate -m "..."`` after changing
``warehouse.py``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import climate_contract.migrations  # noqa: F401 (DuckDB for Alembic)
from climate_contract import warehouse
from climate_contract.settings import Settings


def _migrate(connection: Connection) -> None:
    warehouse.create_schemas(connection)  # the version table lives in one of them
    context.configure(
        connection=connection,
        target_metadata=warehouse.metadata,
        version_table_schema=warehouse.VERSION_TABLE_SCHEMA,
        include_schemas=True,
        include_name=warehouse.is_migrated,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _migrate(given)
else:
    with warehouse.engine_for(Settings().url).begin() as connection:
        _migrate(connection)
