"""dbt connects where the pipeline does: its profile comes from the warehouse URL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from climate_contract.aggregate.project import _target


def test_a_postgresql_url_gives_its_server_database_and_role() -> None:
    target = _target(
        sa.make_url("postgresql+psycopg://loader:secret@db.example:5433/warehouse?sslmode=require"),
        role="climate_loader",
    )

    assert (target["type"], target["host"], target["port"], target["dbname"]) == (
        "postgres",
        "db.example",
        5433,
        "warehouse",
    )
    assert (target["user"], target["password"], target["role"], target["sslmode"]) == (
        "loader",
        "secret",
        "climate_loader",
        "require",
    )


def test_what_the_url_leaves_out_is_taken_where_libpq_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGHOST", "socket-or-host")
    monkeypatch.setenv("PGPORT", "6543")
    monkeypatch.setenv("PGUSER", "steward")

    target = _target(sa.make_url("postgresql+psycopg:///warehouse"), role=None)

    assert (target["host"], target["port"], target["user"]) == ("socket-or-host", 6543, "steward")
    assert "role" not in target


def test_a_duckdb_url_gives_its_file() -> None:
    target = _target(sa.make_url("duckdb:////data/warehouse.duckdb"), role=None)

    assert (target["type"], target["path"]) == ("duckdb", "/data/warehouse.duckdb")
