"""What taking in partner files costs, compared side by side in one run.

Baseline: reading every sheet of the files with calamine, nothing else. Then the
same files through each further stage: parse (typed Arrow tables), validate
(Great Expectations; also the way it was first done, collecting unexpected rows for
every expectation in one pass, for comparison), the whole processing of a file
(estimate, archive, load in one transaction, partner report), and finally a
collection run when nothing is new. Times are medians of --repeat runs; ratios are
to the baseline.

    .venv/bin/python benchmarks/intake_costs.py --actions 200 --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from climate_contract import pipeline
from climate_contract.parse import parse_submission
from climate_contract.parse.grid import read_grids
from climate_contract.samples import sample_rows
from climate_contract.settings import Settings
from climate_contract.template import write_workbook
from climate_contract.validate import suites, validate_submission


def _scaled_rows(partner_id: str, actions: int) -> dict[str, list[dict]]:
    """The partner's sample rows, repeated under new references up to ``actions``."""
    base = sample_rows(partner_id, "2026")
    rows: dict[str, list[dict]] = {"actions": [], "investments": [], "impacts": []}
    copy = 0
    while len(rows["actions"]) < actions:
        copy += 1
        for sheet, sheet_rows in base.items():
            for row in sheet_rows:
                reference = f"{row['action_ref']}-{copy}"
                extra = {"title": f"{row['title']} ({copy})"} if sheet == "actions" else {}
                rows[sheet].append(row | {"action_ref": reference} | extra)
    return rows


def _one_pass(
    batch: Any, suite: Any, result_format: dict[str, Any], parameters: dict[str, Any]
) -> list[Any]:
    """Validation as first designed: every expectation with its unexpected rows."""
    result = batch.validate(suite, result_format=result_format, expectation_parameters=parameters)
    return [outcome for outcome in result.results if not outcome.success]


def _validated_in_one_pass(files: list[Path], reference: Any) -> None:
    with mock.patch.object(suites, "_failed_outcomes", _one_pass):
        for path in files:
            validate_submission(parse_submission(path, reference), reference)


def _median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--actions", type=int, default=200, help="actions per file")
    options.add_argument("--partners", type=int, default=18)
    options.add_argument("--repeat", type=int, default=3)
    arguments = options.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    settings = Settings(data_dir=workdir / "data", settle_seconds=0)
    reference = pipeline.reference_data(settings)
    partners = [p.id for p in reference.partners][: arguments.partners]
    originals = workdir / "originals"
    files = [
        write_workbook(
            originals / p / f"{p}.xlsx", reference, p, "2026", _scaled_rows(p, arguments.actions)
        )
        for p in partners
    ]
    pipeline.refresh_reference(settings)
    validate_submission(parse_submission(files[0], reference), reference)  # warm GX up

    def process_all() -> None:
        shutil.rmtree(settings.data_dir / "shared", ignore_errors=True)
        for path in files:
            inbox = settings.shared_root / "inbox" / path.parent.name
            inbox.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, inbox / path.name)
        with pipeline.warehouse.engine_for(settings.url).begin() as connection:
            connection.exec_driver_sql("DELETE FROM landing.findings")
            connection.exec_driver_sql("DELETE FROM landing.submissions")
        pipeline.process_batch(pipeline.discover(settings), settings)

    steps: list[tuple[str, Callable[[], object]]] = [
        ("read cells (calamine)", lambda: [read_grids(path) for path in files]),
        ("parse", lambda: [parse_submission(path, reference) for path in files]),
        (
            "parse + validate (GX)",
            lambda: [
                validate_submission(parse_submission(path, reference), reference) for path in files
            ],
        ),
        (
            "parse + validate, rows collected in one pass (first design)",
            lambda: _validated_in_one_pass(files, reference),
        ),
        ("process: + estimate, archive, load, report", process_all),
        (
            "collection run with nothing new",
            lambda: pipeline.process_batch(pipeline.discover(settings), settings),
        ),
    ]
    results = [(name, _median_seconds(step, arguments.repeat)) for name, step in steps]
    baseline = results[0][1]
    rows = sum(len(_scaled_rows(p, arguments.actions)["actions"]) for p in partners)
    print(f"{len(files)} xlsx files, {rows} actions in all, median of {arguments.repeat} runs\n")
    print("| step | ratio to reading the cells |")
    print("|---|---|")
    for name, seconds in results:
        print(f"| {name} | {seconds / baseline:.2f} |")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
