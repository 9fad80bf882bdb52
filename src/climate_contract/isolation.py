"""Run work on a partner's file in a child process with memory and time limits.

Readers of spreadsheet formats are native code: a hostile or broken file can make
one abort the process, exhaust memory or loop. In a child process, that ends the
child, not the collection: the caller gets ``WorkAborted`` and answers the
partner, and the next file gets a fresh child.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import select
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Literal, ParamSpec, TypeVar

log = logging.getLogger(__name__)

Params = ParamSpec("Params")
Result = TypeVar("Result")
AbortCause = Literal["memory", "time", "crash"]

PRELOADED_MODULES = ["climate_contract.pipeline"]
"""Imported once by the fork server, so that each child starts warm."""


class WorkAborted(Exception):
    """The child stopped before finishing: out of memory, out of time, or killed."""

    def __init__(self, cause: AbortCause, detail: str) -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause


def _prepare_child(max_memory_bytes: int, collector_pid: int) -> None:
    """Limit the child's memory, and make it end with the collector: a collector
    killed mid-run leaves no reader behind (nor, then, the fork server)."""
    resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))
    try:
        collector = os.pidfd_open(collector_pid)
    except OSError:
        return  # already gone: the first call will find no one to answer
    threading.Thread(target=_exit_when_readable, args=(collector,), daemon=True).start()


def _exit_when_readable(descriptor: int) -> None:
    select.select([descriptor], [], [])
    os._exit(1)


class IsolatedWorker:
    """One child process at a time, replaced whenever it dies or overruns.

    Use as a context manager; ``run`` calls a module-level function in the child
    and returns its result, or raises ``WorkAborted``. An exception the function
    raises is raised again here, unchanged.
    """

    def __init__(self, max_memory_bytes: int, max_seconds: float) -> None:
        self.max_memory_bytes = max_memory_bytes
        self.max_seconds = max_seconds
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOADED_MODULES)
        self._context = context
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> IsolatedWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self._discard(kill=False)

    def _current_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=self._context,
                initializer=_prepare_child,
                initargs=(self.max_memory_bytes, os.getpid()),
            )
        return self._pool

    def _discard(self, kill: bool) -> None:
        if self._pool is None:
            return
        if kill:
            # A child that overran its time is stopped, not waited for.
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.kill()
        self._pool.shutdown(wait=not kill, cancel_futures=True)
        self._pool = None

    def run(
        self, function: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Result:
        future = self._current_pool().submit(function, *args, **kwargs)
        try:
            return future.result(timeout=self.max_seconds)
        except FutureTimeout:
            self._discard(kill=True)
            raise WorkAborted("time", f"still running after {self.max_seconds:g} s") from None
        except BrokenProcessPool as error:
            self._discard(kill=True)
            raise WorkAborted("crash", str(error)) from None
        except MemoryError as error:
            self._discard(kill=True)
            raise WorkAborted("memory", str(error)) from None
