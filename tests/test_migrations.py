"""The warehouse schema evolves by Alembic migrations, never by hand, never losing data."""

from __future__ import annotations

import functools
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import climate_contract.migrations
from climate_contract import warehouse
from climate_contract.settings import Settings
from tests.conftest import postgres_database


def _at_alembic_head(connection: sa.Connection) -> bool:
    """Alembic's own reading of the warehouse's revision and of the newest one, and
    ours (which every run makes without importing Alembic), all agree."""
    head = ScriptDirectory.from_config(warehouse.migrations_config()).get_current_head()
    current = MigrationContext.configure(
        connection, opts={"version_table_schema": warehouse.VERSION_TABLE_SCHEMA}
    ).get_current_revision()
    return current == head == warehouse.schema_revision(connection) == warehouse.head_revision()


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
        assert _at_alembic_head(connection)
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
        assert _at_alembic_head(connection)
        assert connection.execute(sa.text("SELECT year FROM ref.years")).scalars().all() == [2030]


def test_a_migration_added_since_the_last_run_is_applied(
    warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs check the warehouse's revision without Alembic: that check must still
    see a migration newer than the warehouse, and let Alembic apply it."""
    engine = warehouse.engine_for(warehouse_settings.url)
    with engine.begin() as connection:
        warehouse.ensure_schema(connection)
        before = warehouse.schema_revision(connection)
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(climate_contract.migrations.__file__).parent, scripts)
    (scripts / "versions" / "9999_added.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = '9999'\ndown_revision = {before!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        "    op.create_table('added', sa.Column('id', sa.Integer), schema='landing')\n",
        encoding="utf-8",
    )
    alembic_config = warehouse.migrations_config

    def config_of_the_copy(connection: sa.Connection | None = None):
        config = alembic_config(connection)
        config.set_main_option("script_location", str(scripts))
        return config

    monkeypatch.setattr(warehouse, "migrations_config", config_of_the_copy)
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", scripts / "versions")
    monkeypatch.setattr(
        warehouse, "head_revision", functools.cache(warehouse.head_revision.__wrapped__)
    )

    with engine.begin() as connection:
        warehouse.ensure_schema(connection)

    with engine.connect() as connection:
        assert _at_alembic_head(connection)
        assert warehouse.schema_revision(connection) == "9999"
        assert sa.inspect(connection).has_table("added", schema="landing")


@pytest.mark.parametrize(
    ("revises", "head"),
    [
        ({"a": None, "b": "a", "c": "b"}, "c"),
        ({"a": None, "b": "a", "c": "a"}, None),  # two branches: left to Alembic
        ({"a": None, "b": "a", "c": "a", "d": ("b", "c")}, "d"),  # merged
    ],
)
def test_the_newest_migration_is_the_one_alembic_would_name(
    revises: dict[str, str | tuple[str, ...] | None],
    head: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for revision, down in revises.items():
        (tmp_path / f"{revision}_step.py").write_text(
            f"revision = {revision!r}\ndown_revision = {down!r}\n", encoding="utf-8"
        )
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", tmp_path)

    assert warehouse.head_revision.__wrapped__() == head


def test_a_migration_file_written_otherwise_is_read_or_left_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alembic's own template annotates the assignments; a file whose revision is
    not a plain literal must not make its parent look like the newest."""
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", tmp_path)
    (tmp_path / "a_first.py").write_text("revision = 'a'\ndown_revision = None\n", "utf-8")
    (tmp_path / "b_annotated.py").write_text(
        "revision: str = 'b'\ndown_revision: str | None = 'a'\n", "utf-8"
    )
    assert warehouse.head_revision.__wrapped__() == "b"

    (tmp_path / "c_computed.py").write_text(
        "from elsewhere import PARENT\nrevision = 'c'\ndown_revision = PARENT\n", "utf-8"
    )
    assert warehouse.head_revision.__wrapped__() is None
