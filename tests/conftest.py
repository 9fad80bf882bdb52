from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from climate_contract import warehouse
from climate_contract.reference import ReferenceData, load_reference_data
from climate_contract.settings import PROJECT_ROOT, Settings

os.environ["GX_ANALYTICS_ENABLED"] = "false"
POSTGRES_ADMIN_DSN = os.environ.get(
    "CLIMATE_CONTRACT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data(PROJECT_ROOT / "reference")


@pytest.fixture
def make_settings(tmp_path: Path):
    """Settings on a fresh data directory, for a given warehouse URL (default DuckDB)."""

    def make(warehouse_url: str | None = None) -> Settings:
        # Files the tests write are complete at once: no need to let them settle.
        return Settings(data_dir=tmp_path / "data", warehouse_url=warehouse_url, settle_seconds=0)

    return make


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"climate_contract_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            raise  # CI has a PostgreSQL server: its absence is a failure, never a skip
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_DSN}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    try:
        yield url
    finally:
        warehouse.engine_for(url).dispose()
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_settings(request: pytest.FixtureRequest, make_settings) -> Iterator[Settings]:
    """Settings whose warehouse is a new DuckDB file, then a new PostgreSQL database."""
    if request.param == "duckdb":
        yield make_settings()
        return
    with postgres_database() as url:
        yield make_settings(url)
