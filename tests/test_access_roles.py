from __future__ import annotations

import uuid

import psycopg
import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.template import write_workbook
from tests.conftest import POSTGRES_ADMIN_DSN, postgres_database
from tests.scenario import WORKED_EXAMPLE

pytestmark = pytest.mark.postgres


def _as(url: str, role: str) -> str:
    return url.replace("://postgres@", f"://{role}@", 1)


@pytest.fixture
def roles_on_a_loaded_warehouse(make_settings, reference):
    prefix = f"cc_{uuid.uuid4().hex[:8]}"
    with postgres_database() as admin_url:
        roles = warehouse.create_access_roles(warehouse.engine_for(admin_url), prefix)
        settings = make_settings(_as(admin_url, roles["loader"]))
        for partner_id, rows in WORKED_EXAMPLE.items():
            inbox = settings.shared_root / "inbox" / partner_id
            write_workbook(inbox / "f.xlsx", reference, partner_id, "2026", rows)
        pipeline.run_collection(settings)  # as the loader: it writes, and rebuilds marts
        try:
            yield admin_url, roles
        finally:
            for role in roles.values():
                warehouse.engine_for(_as(admin_url, role)).dispose()
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        for role in roles.values():
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def _query(url: str, sql: str) -> list:
    with warehouse.engine_for(url).begin() as connection:
        return connection.execute(sa.text(sql)).all()


def test_the_analyst_reads_marts_and_is_refused_everything_else(roles_on_a_loaded_warehouse):
    admin_url, roles = roles_on_a_loaded_warehouse
    analyst = _as(admin_url, roles["analyst"])

    assert _query(analyst, "SELECT COUNT(*) FROM marts.commitments_by_axis_sector_year")[0][0] > 0
    assert _query(analyst, "SELECT COUNT(*) FROM marts.partner_summary")[0][0] == 3
    for table in (
        "core.actions",
        "intermediate.action_facts",
        "intermediate.withheld_cells",
        "build_marts.partner_summary",
        "landing.submissions",
        "ref.partners",
    ):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            _query(analyst, f"SELECT * FROM {table}")


def test_the_steward_reads_everything_and_writes_nothing(roles_on_a_loaded_warehouse):
    admin_url, roles = roles_on_a_loaded_warehouse
    steward = _as(admin_url, roles["steward"])

    for table in (
        "core.actions",
        "landing.findings",
        "ref.partners",
        "marts.shared_projects",
        "intermediate.withheld_cells",
    ):
        _query(steward, f"SELECT * FROM {table}")
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        _query(steward, "DELETE FROM core.actions")


def test_the_loader_owns_the_tables_it_rebuilds(roles_on_a_loaded_warehouse):
    admin_url, roles = roles_on_a_loaded_warehouse

    owners = _query(
        admin_url,
        "SELECT DISTINCT tableowner FROM pg_tables "
        "WHERE schemaname IN ('ref', 'landing', 'core', 'intermediate', 'marts', 'build_marts')",
    )
    assert owners == [(roles["loader"],)]


def test_a_build_run_by_an_administrator_keeps_the_loader_s_tables_and_grants(
    roles_on_a_loaded_warehouse, make_settings
) -> None:
    admin_url, roles = roles_on_a_loaded_warehouse
    settings = make_settings(admin_url)

    pipeline.rebuild_marts(settings)  # as postgres, not as the loader

    analyst = _as(admin_url, roles["analyst"])
    assert _query(analyst, "SELECT COUNT(*) FROM marts.partner_summary")[0][0] == 3
    owners = _query(
        admin_url,
        "SELECT DISTINCT tableowner FROM pg_tables "
        "WHERE schemaname IN ('ref', 'landing', 'core', 'intermediate', 'marts', 'build_marts')",
    )
    assert owners == [(roles["loader"],)]


def test_the_loader_creates_nothing_outside_its_schemas(roles_on_a_loaded_warehouse) -> None:
    admin_url, roles = roles_on_a_loaded_warehouse
    loader = _as(admin_url, roles["loader"])

    for statement in ("CREATE SCHEMA elsewhere", "CREATE TABLE public.elsewhere (a int)"):
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            _query(loader, statement)
