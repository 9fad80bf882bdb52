"""The built wheel runs on its own.

Built from the repository as ``uv build`` builds it (sdist, then the wheel from
the sdist), installed (not editable) in a fresh virtual environment, it collects
the sample partners' files from a folder outside the repository with the dbt
project, the suites and the reference data it carries itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePath

import duckdb
import pytest

from climate_contract.layout import BUNDLED_FOLDERS, BUNDLED_PROJECT

REPOSITORY = Path(__file__).resolve().parents[1]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
LOCATIONS = """
import json
from climate_contract import settings
print(json.dumps({
    "module": settings.__file__,
    "sql": str(settings.SQL_DIR),
    "expectations": str(settings.EXPECTATIONS_DIR),
    "reference": str(settings.Settings().reference_dir),
}))
"""
"""What the installed package says it reads, asked of the installed package."""

pytestmark = pytest.mark.packaging


def _uv(*args: str | Path) -> None:
    """Run uv from its cache alone first (``make setup`` filled it: no index to ask,
    seconds saved), and from the package index when the cache lacks something."""
    assert UV is not None, "uv is installed by make setup"
    for network in (["--offline"], []):
        done = subprocess.run([UV, *args, "--quiet", *network], capture_output=True, text=True)
        if done.returncode == 0:
            return
    raise AssertionError(f"uv {' '.join(map(str, args))}: {done.stderr[-3000:]}")


def _bundled_sources() -> set[str]:
    """The files of the bundled folders in the checkout, as git sees them (tracked or
    new, not ignored): what the wheel must carry."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *BUNDLED_FOLDERS],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {name for name in listed if (REPOSITORY / name).is_file()}


def _environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without what would point the installed package
    back at the checkout (its settings, a path to its sources)."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CLIMATE_CONTRACT_")
        and name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    return kept | {
        "CLIMATE_CONTRACT_DATA_DIR": str(data_dir),
        # The sample files are complete as soon as written.
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
        "AIRFLOW_HOME": str(data_dir.parent / "airflow"),
        "GX_ANALYTICS_ENABLED": "false",
    }


def _files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def _built_wheel(dist: Path) -> Path:
    """The wheel ``uv build`` makes of the repository, checked to carry every file
    of the bundled folders."""
    _uv("build", REPOSITORY, "--out-dir", dist)
    [wheel] = dist.glob("*.whl")
    carried = set(zipfile.ZipFile(wheel).namelist())
    sources = _bundled_sources()
    assert {PurePath(name).parts[0] for name in sources} == set(BUNDLED_FOLDERS)
    inside = f"climate_contract/{BUNDLED_PROJECT}"
    missing = sorted(name for name in sources if f"{inside}/{name}" not in carried)
    assert not missing, f"the wheel lacks {missing}"
    return wheel


def _fresh_venv(venv: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel and the locked dependencies (linked
    from uv's cache, not downloaded); its interpreter."""
    python = venv / "bin" / "python"
    _uv("venv", "--python", sys.executable, venv)
    _uv("pip", "install", "--python", python, "-r", REPOSITORY / "requirements.lock", wheel)
    return python


def test_the_installed_wheel_collects_the_samples_from_anywhere(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = _fresh_venv(venv, _built_wheel(tmp_path / "dist"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data_dir = elsewhere / "data"
    environment = _environment(data_dir)

    def installed(*command: str, succeeds: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            command, cwd=elsewhere, env=environment, capture_output=True, text=True
        )
        outcome = f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        assert (done.returncode == 0) == succeeds, outcome
        return done

    locations = json.loads(installed(str(python), "-c", LOCATIONS).stdout)
    package = Path(locations.pop("module")).parent
    assert package.is_relative_to(venv)
    for folder, location in locations.items():
        assert Path(location) == package / BUNDLED_PROJECT / folder
    project = _files_under(package / BUNDLED_PROJECT)

    cli = str(python.with_name("climate-contract"))
    installed(cli, "samples")
    written = len(_files_under(data_dir / "shared" / "inbox"))
    ran = installed(cli, "run")

    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as warehouse:
        statuses = warehouse.execute("SELECT status FROM landing.submissions").fetchall()
        loaded = warehouse.execute("SELECT count(DISTINCT partner_id) FROM core.actions").fetchone()
        summarised = warehouse.execute("SELECT count(*) FROM marts.partner_summary").fetchone()
    assert written > 0  # one file per partner the reference data expects
    assert statuses == [("accepted",)] * written
    assert loaded == (written,)
    assert summarised[0] > 0
    # dbt built the project the wheel carries, and wrote nothing into it.
    runs = list(data_dir.glob("dbt/*/run_results.json"))
    assert runs
    for results in runs:
        arguments = json.loads(results.read_text(encoding="utf-8"))["args"]
        assert Path(arguments["project_dir"]) == package / BUNDLED_PROJECT / "sql"
    assert _files_under(package / BUNDLED_PROJECT) == project
    # Quiet: the summary and where the reports are; no library chatter, and none of
    # the "nanobind: leaked" lines DuckDB's bindings wrote at exit.
    assert ran.stderr == ""
    assert f"{written} files processed: {written} accepted" in ran.stdout
    assert len(ran.stdout.splitlines()) < written + 15

    # The registry the package carries is a sample an upgrade replaces: the steward
    # edits a copy of it, never the package.
    musee = ("partners", "add", "musee", "--name", "Musée", "--college", "institution")
    musee += ("--contact", "accueil@musee.example")
    shipped = package / BUNDLED_PROJECT / "reference"
    registry = (shipped / "partners.yaml").read_bytes()
    refused = installed(cli, *musee, succeeds=False)
    installed(cli, "reference", "init", "territoire")
    environment["CLIMATE_CONTRACT_REFERENCE_DIR"] = str(elsewhere / "territoire")
    installed(cli, *musee)
    assert refused.stderr.startswith(f"error: {shipped} holds the installed package's sample")
    assert "`climate-contract reference init DIR`" in refused.stderr
    assert (shipped / "partners.yaml").read_bytes() == registry
    territory = (elsewhere / "territoire" / "partners.yaml").read_text(encoding="utf-8")
    assert territory.startswith(registry.decode("utf-8"))
    assert "id: musee" in territory
