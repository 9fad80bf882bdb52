"""The paths that make a national collection affordable must not change a figure:
Arrow tables loaded in bulk, reference files read once per process, files shared
among readers on several cores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from climate_contract import pipeline, warehouse
from climate_contract.isolation import IsolatedWorker
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from tests.scenario import WORKED_EXAMPLE
from tests.test_isolation import GIB, _AbortingOn

AWKWARD_TEXTS = [
    "",
    None,
    'guillemet " double',
    "virgule, point-virgule; tab\tfin",
    "ligne\nsuivante\r\n",
    "\\N",
    "NULL",
    "  espaces  ",
    "é€😀 ﬁ",
    "\\.",
]
AWKWARD_NUMBERS = [0.1, 1e-300, 1e300, -2.5, None, 123456789.123456, 0.0, 3.0, -0.0, 1 / 3]


def test_arrow_rows_load_exactly_as_given(warehouse_settings) -> None:
    table = sa.Table(
        "bulk_round_trip",
        sa.MetaData(),
        sa.Column("text", sa.Text),
        sa.Column("number", sa.Double),
        sa.Column("whole", sa.BigInteger),
        sa.Column("flag", sa.Boolean),
        schema="landing",
    )
    rows = pa.table(
        {
            "text": pa.array(AWKWARD_TEXTS, pa.string()),
            "number": pa.array(AWKWARD_NUMBERS, pa.float64()),
            "whole": pa.array([0, -1, 2**62, None, 7, 8, 9, 10, 11, 12], pa.int64()),
            "flag": pa.array([True, False, None] + [True] * 7, pa.bool_()),
        }
    )
    engine = warehouse.engine_for(warehouse_settings.url)
    with engine.begin() as connection:
        warehouse.ensure_schema(connection)
        table.create(connection)
        warehouse.insert_arrow(connection, table, rows)
        warehouse.insert_arrow(connection, table, rows.slice(0, 0))
    with engine.connect() as connection:
        loaded = [tuple(row) for row in connection.execute(sa.select(table))]

    assert sorted(loaded, key=repr) == sorted(
        (tuple(row.values()) for row in rows.to_pylist()), key=repr
    )


def test_rows_loaded_in_a_rolled_back_transaction_are_gone(warehouse_settings) -> None:
    engine = warehouse.engine_for(warehouse_settings.url)
    actions = warehouse.core_tables["actions"]
    with engine.begin() as connection:
        warehouse.ensure_schema(connection)
    with engine.connect() as connection:
        transaction = connection.begin()
        warehouse.insert_arrow(
            connection,
            actions,
            pa.table(
                {
                    "submission_id": ["s"],
                    "partner_id": ["p"],
                    "campaign_id": ["2026"],
                    "source_sheet": ["Actions"],
                    "source_row": [2],
                    "action_ref": ["A-1"],
                }
            ),
        )
        transaction.rollback()
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(actions)).scalar() == 0


def test_a_changed_reference_file_is_read_again(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", reference_dir=tmp_path / "reference")
    shutil.copytree(PROJECT_ROOT / "reference", settings.reference_dir)
    assert pipeline.reference_data(settings) is pipeline.reference_data(settings)
    registry = settings.reference_dir / "partners.yaml"
    registry.write_text(
        registry.read_text("utf-8").replace("Opéra (exemple)", "Opéra de Dijon"), "utf-8"
    )

    assert pipeline.reference_data(settings).partner("opera").name == "Opéra de Dijon"


class _Counting(_AbortingOn):
    def __init__(self, real: IsolatedWorker, file_name: str) -> None:
        super().__init__(real, file_name)
        self.files_read: list[str] = []

    def run_within(self, seconds, function, claims, *args):
        self.files_read += [claim.incoming.display_name for claim in claims]
        return super().run_within(seconds, function, claims, *args)


def test_files_are_shared_among_readers_and_one_aborting_file_is_its_own_answer(
    make_settings, reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings()
    partners = list(WORKED_EXAMPLE)
    for partner_id in partners:
        path = settings.shared_root / "inbox" / partner_id / f"{partner_id}.xlsx"
        write_workbook(path, reference, partner_id, "2026", WORKED_EXAMPLE[partner_id])
    hostile = f"{partners[0]}.xlsx"
    pipeline.refresh_reference(settings)
    monkeypatch.setattr(pipeline, "PARALLEL_READ_BYTES", 1)

    with IsolatedWorker(4 * GIB, 300) as first, IsolatedWorker(4 * GIB, 300) as second:
        readers = [_Counting(first, hostile), _Counting(second, hostile)]
        outcomes = pipeline.process_batch(
            pipeline.discover(settings), settings, pipeline.Readers(readers)
        )

    assert {o.file_name: o.status for o in outcomes} == {
        f"{partner_id}.xlsx": "rejected" if f"{partner_id}.xlsx" == hostile else "accepted"
        for partner_id in partners
    }
    assert all(reader.files_read for reader in readers)  # both cores had files
    read_once = [name for reader in readers for name in set(reader.files_read)]
    assert sorted(read_once) == sorted(f"{partner_id}.xlsx" for partner_id in partners)


def _in_fresh_interpreter(
    statement: str, heavy: tuple[str, ...], environment: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """The lines ``statement`` printed, run in a new interpreter, and which of the
    modules ``heavy`` it imported."""
    probe = f"import sys\n{statement}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    lines = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | (environment or {}),
    ).stdout.splitlines()
    return lines[:-1], [module for module in lines[-1].split(",") if module]


def test_the_command_line_answers_without_importing_the_stages() -> None:
    """`climate-contract --help`, or a typo, must not wait for pandas, Arrow,
    SQLAlchemy, Great Expectations or dbt to import (seconds)."""
    heavy = ("pandas", "pyarrow", "sqlalchemy", "great_expectations", "dbt", "scipy", "duckdb")

    _, imported = _in_fresh_interpreter("import climate_contract.cli", heavy)

    assert imported == []


def test_a_run_with_nothing_new_imports_no_stage_it_does_not_need(make_settings) -> None:
    """A run that finds nothing new (the daily case) checks the inbox, the ledger, the
    warehouse's revision and the marts' source, and stops: without importing the
    libraries of reading, checking, building or publishing (seconds in all)."""
    settings = make_settings()
    (settings.shared_root / "inbox").mkdir(parents=True)
    pipeline.run_collection(settings)  # marts built, published
    heavy = (
        "pandas",
        "great_expectations",
        "dbt",
        "scipy",
        "highspy",
        "alembic",
        "openpyxl",
        "jinja2",
        "pyarrow.parquet",
    )
    environment = {
        "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
    }

    printed, imported = _in_fresh_interpreter(
        "from climate_contract.cli import app\napp(['run'], standalone_mode=False)",
        heavy,
        environment,
    )

    assert imported == []
    assert printed[0] == "0 files processed"
    assert [line.rsplit("/", 2)[-2:] for line in printed[1:]] == [
        ["2025", "rapport.html"],
        ["2025", "rapport.pdf"],
        ["2026", "rapport.html"],
        ["2026", "rapport.pdf"],
    ]
