"""Run work on a partner's file in a child process with memory and time limits.

Readers of spreadsheet formats are native code: a hostile or broken file can make
one abort the process, exhaust memory or loop. In a child process, that ends the
child, not the collection: the caller gets ``WorkAborted`` and answers the
partner, and the next file gets a fresh child.

The child is a plain ``python -m climate_contract.isolation`` fed through a pipe,
not a multiprocessing child: it needs nothing of its parent's main module (an
Airflow task's is Airflow's command line), and it ends by itself when its parent
does, since its input closes.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any, Literal, ParamSpec, TypeVar

log = logging.getLogger(__name__)

Params = ParamSpec("Params")
Result = TypeVar("Result")
AbortCause = Literal["memory", "time", "crash"]
FRAME_LENGTH = struct.Struct("!Q")
PRELOADED_MODULES = (
    "climate_contract.pipeline",
    "climate_contract.parse.submission",
    "climate_contract.validate.suites",
)
STARTUP_SECONDS = 120


class WorkAborted(Exception):
    """The child stopped before finishing: out of memory, out of time, or killed."""

    def __init__(self, cause: AbortCause, detail: str) -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause


def _send(stream: IO[bytes], message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(FRAME_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(FRAME_LENGTH.size)
    if len(header) < FRAME_LENGTH.size:
        raise EOFError
    (length,) = FRAME_LENGTH.unpack(header)
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError
    return pickle.loads(payload)


class IsolatedWorker:
    """One child process at a time, replaced whenever it dies or overruns.

    Use as a context manager; ``run`` calls a module-level function in the child
    and returns its result, or raises ``WorkAborted``. An exception the function
    raises is raised again here.
    """

    def __init__(self, max_memory_bytes: int, max_seconds: float) -> None:
        self.max_memory_bytes = max_memory_bytes
        self.max_seconds = max_seconds
        self._child: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IsolatedWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self._stop()

    def _current_child(self) -> subprocess.Popen[bytes]:
        """The running child, or a new one once it has imported what calls need (so
        that the time limit counts the work, not the interpreter's start)."""
        if self._child is None or self._child.poll() is not None:
            child = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self.max_memory_bytes)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self._child = child
            assert child.stdout is not None
            if not self._readable(child.stdout, STARTUP_SECONDS):
                self._stop()
                raise RuntimeError(f"the isolated worker did not start in {STARTUP_SECONDS} s")
            _receive(child.stdout)
        return self._child

    @staticmethod
    def _readable(stream: IO[bytes], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not select.select([stream], [], [], 1)[0]:
            if time.monotonic() > deadline:
                return False
        return True

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            for stream in (self._child.stdin, self._child.stdout):
                if stream is not None:
                    stream.close()
            self._child = None

    def run(
        self, function: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Result:
        return self.run_within(self.max_seconds, function, *args, **kwargs)

    def run_within(
        self,
        seconds: float,
        function: Callable[Params, Result],
        *args: Params.args,
        **kwargs: Params.kwargs,
    ) -> Result:
        """``run``, with ``seconds`` instead of the worker's time limit (a call that
        covers several files has the time of as many)."""
        child = self._current_child()
        calls, answers = child.stdin, child.stdout
        assert calls is not None
        assert answers is not None
        try:
            _send(calls, (function.__module__, function.__qualname__, args, kwargs))
            if not self._readable(answers, seconds):
                self._stop()
                raise WorkAborted("time", f"still running after {seconds:g} s")
            outcome, value = _receive(answers)
        except (EOFError, BrokenPipeError, pickle.UnpicklingError):
            self._stop()
            raise WorkAborted("crash", f"the child ended with code {child.returncode}") from None
        if outcome == "memory":
            self._stop()
            raise WorkAborted("memory", value)
        if outcome == "error":
            raise value
        return value


def _serve(max_memory_bytes: int) -> None:
    """The child: run each call read from standard input, answer on standard output."""
    resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints must not break the pipe
    calls = sys.stdin.buffer
    for module in PRELOADED_MODULES:
        importlib.import_module(module)
    _send(answers, ("ready", None))
    while True:
        try:
            module, name, args, kwargs = _receive(calls)
        except EOFError:
            return  # the parent is done, or gone
        function = importlib.import_module(module)
        for part in name.split("."):
            function = getattr(function, part)
        try:
            _send(answers, ("ok", function(*args, **kwargs)))
        except MemoryError as error:
            _send(answers, ("memory", repr(error)))
        except Exception as error:
            try:
                _send(answers, ("error", error))
            except Exception:  # an exception that does not pickle
                _send(answers, ("error", RuntimeError(repr(error))))


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
