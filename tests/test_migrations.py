"""The warehouse schema evolves by Alembic migrations, never by hand, never losing data."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from climate_contract import warehouse
from climate_contract.settings import Settings
from tests.conftest import postgres_database


@pytest.mark.postgres
def test_the_migrations_build_exactly_the_tables_the_code_declares() -> None:
    with postgres_database() as url, warehouse.engine_for(url).begin() as connection:
        warehouse.ensure_schema(connection)
        migrated = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": warehouse.is_migrated,
                "version_table_schema": warehouse.VERSION_TABLE_SCHEMA,
            },
        )

        assert compare_metadata(migrated, warehouse.metadata) == []


def test_a_warehouse_made_before_migrations_is_brought_up_to_date_with_its_data(
    warehouse_settings: Settings,
) -> None:
    engine = warehouse.engine_for(warehouse_settings.url)
    with engine.begin() as connection:
        # The warehouse as the first release created it: its tables, no version.
        command.upgrade(warehouse.migrations_config(connection), warehouse.BASELINE_REVISION)
        connection.execute(sa.text("DROP TABLE landing.alembic_version"))
        now = datetime(2026, 2, 1, 9, 30)
        connection.execute(
            sa.text(
                "INSERT INTO landing.submissions VALUES ('s1', 'chu', '2026', 'chu.xlsx', "
                "'ab12', 10, :now, :now, 'rejected', '/q/chu.xlsx', 1, 0, 0, 1, 0)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO landing.findings VALUES "
                "('s1', 0, 'error', 'positif', 'Investissements', 2, 'C', 'Montant (€)', "
                "'-5', 'Le montant -5 est négatif.')"
            )
        )

    with engine.begin() as connection:
        warehouse.ensure_schema(connection)

    with engine.connect() as connection:
        assert warehouse.schema_revision(connection) == warehouse.head_revision()
        kept = connection.execute(
            sa.text("SELECT message_fr, message_en FROM landing.findings")
        ).one()
        assert tuple(kept) == ("Le montant -5 est négatif.", None)
        present = connection.execute(
            sa.text(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE table_schema IN ('ref', 'landing', 'core') "
                "AND table_name != 'alembic_version'"
            )
        ).all()
        assert set(present) == {
            (table.schema, table.name, column.name)
            for table in warehouse.metadata.tables.values()
            for column in table.columns
        }


def test_an_up_to_date_warehouse_is_left_as_it_is(warehouse_settings: Settings) -> None:
    engine = warehouse.engine_for(warehouse_settings.url)
    with engine.begin() as connection:
        warehouse.ensure_schema(connection)
        connection.execute(sa.text("INSERT INTO ref.years VALUES (2030)"))

    with engine.begin() as connection:
        warehouse.ensure_schema(connection)

    with engine.connect() as connection:
        assert warehouse.schema_revision(connection) == warehouse.head_revision()
        assert connection.execute(sa.text("SELECT year FROM ref.years")).scalars().all() == [2030]
