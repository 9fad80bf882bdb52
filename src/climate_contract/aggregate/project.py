"""The dbt project in ``sql/``, run in this process by dbt's programmatic runner.

The profile is written from the settings' warehouse URL (DuckDB file or
PostgreSQL server), the project's variables from the code that owns their values;
what dbt writes (compiled SQL, logs, partial parse) goes under ``<data_dir>/dbt``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import yaml

from climate_contract import warehouse
from climate_contract.settings import SQL_DIR, Settings

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult
    from dbt.contracts.graph.manifest import Manifest

PROJECT_NAME = "climate_contract"
PROJECT_DIR = SQL_DIR
POOL = "confidentiel"
"""The row of a mart where confidential actions are pooled, whatever their axis,
sector or status (a variable of the project, as is the next)."""
TOTAL = "all"
"""The row of a mart that adds up its plan axes (or, for maturity, its colleges)."""
NOT_GIVEN = "non_renseigne"
"""The funding source of an amount the partner gave none for."""
UNKNOWN_COMMUNE = "non_identifiee"
"""The commune of an action whose ``Commune`` cell names none the reference knows."""


class DbtFailed(RuntimeError):
    """dbt could not run the project (not a failed test: an error)."""


@dataclass(frozen=True)
class Project:
    """One run's view of the dbt project: where it is, the warehouse it builds,
    and the variables every command gets."""

    settings: Settings
    directory: Path = field(default_factory=lambda: PROJECT_DIR)

    @property
    def work_dir(self) -> Path:
        return self.settings.data_dir / "dbt"

    def digest(self) -> str:
        """A digest of every file of the project: what its models say."""
        digest = hashlib.sha256()
        for path in sorted(self.directory.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(self.directory)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def target_dir(self, schema_prefix: str) -> Path:
        """Where dbt writes for builds of that prefix: one folder each, so that each
        keeps its own partial parse (dbt parses again whenever variables change)."""
        return self.work_dir / f"{schema_prefix}target"

    def variables(self, schema_prefix: str, as_of: date) -> dict[str, str]:
        return {
            "schema_prefix": schema_prefix,
            "as_of": as_of.isoformat(),
            "confidential_pool": POOL,
            "all_axes": TOTAL,
            "all_colleges": TOTAL,
            "not_given": NOT_GIVEN,
            "unknown_commune": UNKNOWN_COMMUNE,
        }

    def invoke(
        self,
        command: list[str],
        variables: Mapping[str, str],
        manifest: Manifest | None = None,
        role: str | None = None,
    ) -> dbtRunnerResult:
        """Run one dbt command; raise ``DbtFailed`` when dbt itself failed (a
        model that does not compile, a connection refused), not when a test did."""
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        # dbt opens the warehouse itself: a DuckDB file takes one writer at a time.
        warehouse.engine_for(self.settings.url).dispose()
        # A profile of its own: another command may run meanwhile with another role.
        with tempfile.TemporaryDirectory(prefix="dbt-profile-") as profiles:
            self._write_profile(Path(profiles), role)
            try:
                result = self._run(command, variables, manifest, Path(profiles))
            finally:
                _release_duckdb()
        if result.exception is not None:
            raise DbtFailed(f"dbt {command[0]}: {result.exception}") from result.exception
        return result

    def _run(
        self,
        command: list[str],
        variables: Mapping[str, str],
        manifest: Manifest | None,
        profiles: Path,
    ) -> dbtRunnerResult:
        from dbt.cli.main import dbtRunner

        self.work_dir.mkdir(parents=True, exist_ok=True)
        return dbtRunner(manifest=manifest).invoke(
            [
                *command,
                "--project-dir",
                str(self.directory),
                "--profiles-dir",
                str(profiles),
                "--target-path",
                str(self.target_dir(variables["schema_prefix"])),
                "--log-path",
                str(self.work_dir / "logs"),
                "--vars",
                json.dumps(dict(variables)),
                "--quiet",
            ]
        )

    def parse(self, variables: Mapping[str, str]) -> Manifest:
        return self.invoke(["parse"], variables).result

    def _write_profile(self, folder: Path, role: str | None) -> None:
        target = _target(sa.make_url(self.settings.url), role)
        profile = {PROJECT_NAME: {"target": "warehouse", "outputs": {"warehouse": target}}}
        (folder / "profiles.yml").write_text(yaml.safe_dump(profile), encoding="utf-8")


def _target(url: sa.URL, role: str | None) -> dict[str, Any]:
    """dbt's connection settings for the warehouse at ``url``."""
    if url.get_backend_name() == "duckdb":
        return {"type": "duckdb", "path": url.database or ":memory:", "threads": 1}
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"no dbt adapter for {url.get_backend_name()} warehouses")
    target: dict[str, Any] = {
        "type": "postgres",
        # What libpq would take for what the URL leaves out.
        "host": url.host or os.environ.get("PGHOST", "localhost"),
        "port": url.port or int(os.environ.get("PGPORT", "5432")),
        "user": url.username or os.environ.get("PGUSER", "postgres"),
        "password": url.password or "",
        "dbname": url.database,
        # Each model names its schema; this one is never written.
        "schema": "public",
        "threads": 2,
    }
    if role is not None:
        target["role"] = role
    if "sslmode" in url.query:
        target["sslmode"] = url.query["sslmode"]
    return target


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between commands: this
    process opens the same file with its own settings next, and DuckDB refuses
    two configurations of one file in a process."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
