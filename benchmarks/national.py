"""The collection at national scale, side by side in one run with the floor (a bare
calamine read of the same files) and the naive script a steward would write instead.

Two workloads: the 18 Dijon sample partners, and a national one (``--files``
workbooks whose sizes follow a log-normal law: most files small, a few with
thousands of actions, capped by ``--max-actions``). Each side runs as its own
process, rounds interleaved; CPU is the process tree's user + system time, memory
the peak of the tree's resident memory (sampled).

    .venv/bin/python benchmarks/national.py --files 2000 --mean-actions 500

Workbooks are written once per workload into ``--workdir`` and reused.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import psutil
import psycopg
import yaml

from climate_contract.reference import load_reference_data
from climate_contract.samples import PARTNER_ARCHETYPES, sample_rows, scaled_rows
from climate_contract.settings import PROJECT_ROOT
from climate_contract.template import write_workbook

BENCHMARKS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CAMPAIGN = "2026"
MODELS = sorted(PARTNER_ARCHETYPES)
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Workload:
    name: str
    folder: Path

    @property
    def reference(self) -> Path:
        return self.folder / "reference"

    @property
    def originals(self) -> Path:
        return self.folder / "originals"


@dataclass(frozen=True)
class Cost:
    wall: float
    cpu: float
    peak_mib: float


def _write(reference_dir: Path, partner_id: str, model: str, actions: int | None) -> int:
    reference = load_reference_data(reference_dir)
    rows = (
        sample_rows(partner_id, CAMPAIGN)
        if actions is None
        else scaled_rows(model, CAMPAIGN, actions, seed=partner_id)
    )
    path = reference_dir.parent / "originals" / partner_id / f"{partner_id}.xlsx"
    # In French, the naive script reads the French headers only.
    write_workbook(path, reference, partner_id, CAMPAIGN, rows, language="fr")
    return len(rows["actions"])


def _action_counts(files: int, mean: int, cap: int, seed: int) -> list[int]:
    """Log-normal sizes (sigma 1.5) scaled so that their mean is ``mean``."""
    rng = random.Random(seed)
    draws = [rng.lognormvariate(0, 1.5) for _ in range(files)]
    scale = mean / statistics.fmean(draws)
    return [max(1, min(cap, math.ceil(draw * scale))) for draw in draws]


def prepare(workdir: Path, files: int, mean: int, cap: int) -> list[Workload]:
    """The Dijon and national workloads, written unless already there."""
    dijon = Workload("Dijon (18 sample partners)", workdir / "dijon")
    national = Workload(f"national ({files} files)", workdir / f"national-{files}-{mean}-{cap}")
    jobs: list[tuple[Path, str, str, int | None]] = []
    if not (dijon.folder / "done").exists():
        shutil.copytree(PROJECT_ROOT / "reference", dijon.reference, dirs_exist_ok=True)
        jobs += [(dijon.reference, model, model, None) for model in MODELS]
    if not (national.folder / "done").exists():
        shutil.copytree(PROJECT_ROOT / "reference", national.reference, dirs_exist_ok=True)
        partners = [f"partenaire-{number:04d}" for number in range(1, files + 1)]
        colleges = ("entreprise", "organisme_public", "association", "institution")
        registry = [
            {
                "id": p,
                "name": f"Partenaire {p[-4:]}",
                "college": colleges[i % 4],
                "campaigns": [CAMPAIGN],
                "contact": f"{p}@example.org",
            }
            for i, p in enumerate(partners)
        ]
        (national.reference / "partners.yaml").write_text(yaml.safe_dump(registry), "utf-8")
        counts = _action_counts(files, mean, cap, seed=files)
        jobs += [
            (national.reference, p, MODELS[i % len(MODELS)], counts[i])
            for i, p in enumerate(partners)
        ]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        written = list(pool.map(_write, *zip(*jobs, strict=True))) if jobs else []
    for workload in (dijon, national):
        (workload.folder / "done").touch()
    if written:
        print(f"wrote {len(written)} workbooks, {sum(written)} actions", file=sys.stderr)
    return [dijon, national]


def measure(command: list[str], env: dict[str, str] | None = None) -> Cost:
    """Wall time, CPU time and peak resident memory of a command and its children."""
    start = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = 0.0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.wait(0.1):
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                continue

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    finished.set()
    sampler.join()
    if status != 0:
        raise RuntimeError(f"{command} failed ({status})")
    return Cost(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, peak / 2**20)


def _project_env(data_dir: Path, workload: Workload) -> dict[str, str]:
    return os.environ | {
        "CLIMATE_CONTRACT_DATA_DIR": str(data_dir),
        "CLIMATE_CONTRACT_REFERENCE_DIR": str(workload.reference),
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
        "GX_ANALYTICS_ENABLED": "false",
    }


def _fresh_inbox(data_dir: Path, files: list[Path]) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)
    for path in files:
        target = data_dir / "shared" / "inbox" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def _drop_changed(original: Path, dropped: Path) -> None:
    """The partner's workbook again, with its first amount changed."""
    workbook = openpyxl.load_workbook(original)
    workbook["Investissements"]["C2"].value += 1000
    dropped.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(dropped)


def sides(workload: Workload, scratch: Path) -> dict[str, Cost]:
    """One round of every side on one workload."""
    files = sorted(workload.originals.rglob("*.xlsx"))
    run = [str(BIN / "climate-contract"), "run"]
    data = scratch / "data"
    costs = {
        "floor: calamine read": measure(
            [sys.executable, str(BENCHMARKS / "floor_read.py"), str(workload.originals)]
        )
    }
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "naive.duckdb").unlink(missing_ok=True)
    costs["naive script"] = measure(
        [
            sys.executable,
            str(BENCHMARKS / "naive_collection.py"),
            str(workload.originals),
            str(scratch / "naive.duckdb"),
        ]
    )
    _fresh_inbox(data, files)
    costs["climate-contract run"] = measure(run, _project_env(data, workload))
    costs["run with nothing new"] = measure(run, _project_env(data, workload))
    changed = files[len(files) // 2]
    _fresh_inbox(data / "alone", [changed])
    costs["that file alone (run)"] = measure(run, _project_env(data / "alone", workload))
    _drop_changed(changed, data / "shared" / "inbox" / changed.parent.name / "changed.xlsx")
    costs["one changed file among all"] = measure(run, _project_env(data, workload))
    costs["climate-contract --help"] = measure([*run[:1], "--help"])
    return costs


REBUILD_MARTS = (
    "from climate_contract import pipeline; from climate_contract.settings import Settings; "
    "pipeline.rebuild_marts(Settings())"
)
"""The marts rebuilt and published (dbt build, mart checks, disclosure audit) on the
warehouse the environment names, nothing else."""


@contextmanager
def postgres_database(admin_dsn: str) -> Iterator[str]:
    """A new PostgreSQL database for one workload's run; dropped afterwards."""
    name = f"cc_bench_{os.getpid()}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield (
            admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            + f"/{name}"
        )
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def warehouses(workload: Workload, scratch: Path, admin_dsn: str) -> dict[str, Cost]:
    """The same files collected into DuckDB and into PostgreSQL, then the marts rebuilt
    on each (the collection's own build included in its run)."""
    files = sorted(workload.originals.rglob("*.xlsx"))
    run = [str(BIN / "climate-contract"), "run"]
    rebuild = [sys.executable, "-c", REBUILD_MARTS]
    costs = {}
    with postgres_database(admin_dsn) as url:
        for name, warehouse_url in (("DuckDB", None), ("PostgreSQL", url)):
            data = scratch / f"warehouse-{name}"
            _fresh_inbox(data, files)
            env = _project_env(data, workload)
            if warehouse_url is not None:
                env["CLIMATE_CONTRACT_WAREHOUSE_URL"] = warehouse_url
            costs[f"run into {name}"] = measure(run, env)
            costs[f"marts rebuilt on {name}"] = measure(rebuild, env)
    return costs


def through_airflow(workload: Workload, scratch: Path) -> dict[str, Cost]:
    """The collection as Airflow runs it: ``partner_collection`` then
    ``impact_aggregation`` (``airflow dags test``), after an untimed migration of a
    fresh SQLite metadata database and the reference data's own DAG."""
    data, home = scratch / "airflow-data", scratch / "airflow-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    _fresh_inbox(data, sorted(workload.originals.rglob("*.xlsx")))
    env = _project_env(data, workload) | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": "benchmark",
    }
    airflow = str(BIN / "airflow")
    measure([airflow, "db", "migrate"], env)
    measure([airflow, "dags", "test", "reference_refresh"], env)
    collection = measure([airflow, "dags", "test", "partner_collection"], env)
    aggregation = measure([airflow, "dags", "test", "impact_aggregation"], env)
    both = Cost(
        collection.wall + aggregation.wall,
        collection.cpu + aggregation.cpu,
        max(collection.peak_mib, aggregation.peak_mib),
    )
    return {"Airflow: partner_collection then impact_aggregation": both}


def report(workload: str, by_side: dict[str, list[Cost]], rounds: int) -> None:
    floor = statistics.median(c.cpu for c in by_side["floor: calamine read"])
    naive_cpu = statistics.median(c.cpu for c in by_side["naive script"])
    naive_wall = statistics.median(c.wall for c in by_side["naive script"])
    print(f"\n### {workload}, median of {rounds} round(s)\n")
    print("| side | wall s | CPU s | peak MiB | CPU / floor | CPU / naive | wall / naive |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for side, costs in by_side.items():
        wall = statistics.median(c.wall for c in costs)
        cpu = statistics.median(c.cpu for c in costs)
        peak = statistics.median(c.peak_mib for c in costs)
        print(
            f"| {side} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {cpu / floor:.1f} "
            f"| {cpu / naive_cpu:.2f} | {wall / naive_wall:.2f} |",
            flush=True,
        )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--files", type=int, default=2000)
    options.add_argument("--mean-actions", type=int, default=500)
    options.add_argument("--max-actions", type=int, default=3000)
    options.add_argument("--rounds", type=int, default=1)
    options.add_argument("--only", choices=("dijon", "national"), help="one workload only")
    options.add_argument("--workdir", type=Path, default=Path("/tmp/cc-national"))
    options.add_argument(
        "--postgres",
        default=os.environ.get("CLIMATE_CONTRACT_TEST_POSTGRES", ADMIN_DSN),
        help="An administrator's DSN: the same files are also collected into a new database",
    )
    options.add_argument(
        "--no-airflow", action="store_true", help="Skip the Dijon collection through Airflow"
    )
    arguments = options.parse_args()
    dijon, national = prepare(
        arguments.workdir, arguments.files, arguments.mean_actions, arguments.max_actions
    )
    chosen = {"dijon": [dijon], "national": [national]}.get(arguments.only, [dijon, national])
    for workload in chosen:
        by_side: dict[str, list[Cost]] = {}
        scratch = arguments.workdir / "scratch"
        for _ in range(arguments.rounds):
            measured = sides(workload, scratch) | warehouses(workload, scratch, arguments.postgres)
            if workload is dijon and not arguments.no_airflow:
                measured |= through_airflow(workload, scratch)
            for side, cost in measured.items():
                by_side.setdefault(side, []).append(cost)
        report(workload.name, by_side, arguments.rounds)


if __name__ == "__main__":
    main()
