"""Locks that let several collectors run at once without stepping on each other.

On PostgreSQL, session advisory locks (released by the server if a collector
dies); on the embedded DuckDB warehouse, a lock file beside it (released by the
kernel likewise). Locks are tried, never waited for: work another collector holds
is left to it, unless the caller must see that work's result.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import sqlalchemy as sa

from climate_contract import warehouse
from climate_contract.settings import Settings

log = logging.getLogger(__name__)
TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(hashtext(:key))")
UNLOCK = sa.text("SELECT pg_advisory_unlock(hashtext(:key))")


def _advisory_key(name: str) -> dict[str, str]:
    return {"key": f"climate_contract:{name}"}


@contextmanager
def exclusive(settings: Settings, name: str, wait: bool = False) -> Iterator[bool]:
    """Hold the lock ``name`` across collectors for the block; yield whether it
    was acquired (False: another collector holds it now). With ``wait``, wait for
    it instead."""
    engine = warehouse.engine_for(settings.url)
    if engine.dialect.name == "postgresql":
        key = _advisory_key(name)
        with engine.connect() as connection:
            acquired = connection.execute(
                sa.text("SELECT true FROM (SELECT pg_advisory_lock(hashtext(:key))) AS waited")
                if wait
                else TRY_LOCK,
                key,
            ).scalar_one()
            connection.commit()
            try:
                yield bool(acquired)
            finally:
                if acquired:
                    connection.execute(UNLOCK, key)
                    connection.commit()
        return
    folder = settings.data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name}.lock").open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s is held by another collector", name)
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def exclusive_many(settings: Settings, names: list[str]) -> Iterator[set[str]]:
    """Hold, for the block, those of the locks ``names`` no other collector holds;
    yield their names. Tried, never waited for; on PostgreSQL on one connection
    (a batch of files would otherwise take one connection per partner)."""
    engine = warehouse.engine_for(settings.url)
    if engine.dialect.name != "postgresql":
        with ExitStack() as stack:
            yield {name for name in names if stack.enter_context(exclusive(settings, name))}
        return
    with engine.connect() as connection:
        acquired = {
            name for name in names if connection.execute(TRY_LOCK, _advisory_key(name)).scalar_one()
        }
        connection.commit()
        try:
            yield acquired
        finally:
            for name in acquired:
                connection.execute(UNLOCK, _advisory_key(name))
            connection.commit()
