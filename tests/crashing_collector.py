"""A collector killed (SIGKILL, as by the OOM killer or a lost machine) at one named
point of its run, for the tests that check the next run converges.

Run as ``python -m tests.crashing_collector POINT``, with the settings in
``CLIMATE_CONTRACT_*`` environment variables.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import pyarrow.parquet

from climate_contract import aggregate, load, pipeline
from climate_contract.load import submission
from climate_contract.settings import Settings


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _then_die(function: Callable[..., Any], calls_before: int = 0) -> Callable[..., Any]:
    """``function``, except that the process dies right after its call number
    ``calls_before + 1``."""
    calls = 0

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        result = function(*args, **kwargs)
        calls += 1
        if calls > calls_before:
            _die()
        return result

    return wrapper


POINTS: dict[str, Callable[[], None]] = {
    # The original is in the archive, nothing is in the ledger yet.
    "after_archive": lambda: setattr(pipeline, "keep_original", _then_die(pipeline.keep_original)),
    # Core rows are written, the transaction is not committed.
    "inside_load": lambda: setattr(
        submission, "_replace_core_rows", _then_die(submission._replace_core_rows)
    ),
    # The ledger row is committed; the answer and the inbox are not done.
    "after_ledger_commit": lambda: setattr(
        load, "store_submission", _then_die(load.store_submission)
    ),
    # The marts are built and checked; their publication is not committed.
    "inside_mart_rebuild": lambda: setattr(
        aggregate, "publish_build", _then_die(aggregate.publish_build)
    ),
    # One published file of the new set is written, the others not.
    "during_publish": lambda: setattr(
        pyarrow.parquet, "write_table", _then_die(pyarrow.parquet.write_table, calls_before=1)
    ),
}


def main(point: str) -> None:
    POINTS[point]()
    pipeline.run_collection(Settings())
    sys.exit(f"the collector was not killed at {point}")


if __name__ == "__main__":
    main(sys.argv[1])
