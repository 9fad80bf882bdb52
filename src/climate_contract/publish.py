"""Published files change together: each publication is a new folder, made whole,
then made current by one atomic rename of the ``current`` link.

Readers open ``published/current/``: they see the previous publication or the
new one, never a mix, even if the writer dies half-way.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from climate_contract.intake.files import sha256_of

if TYPE_CHECKING:
    import pyarrow as pa

CURRENT = "current"
MANIFEST = "manifest.json"
BUILDS = "builds"
KEPT_BUILDS = 2
"""The current publication and the one before, for readers still reading it."""


def published_mark(folder: Path) -> str | None:
    """What the current publication was made from, or None if there is none."""
    manifest = folder / CURRENT / MANIFEST
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8"))["source_mark"]


def publish_tables(
    folder: Path,
    source_mark: str,
    tables: dict[str, pa.Table],
    documents: dict[str, bytes] | None = None,
) -> list[Path]:
    """Write ``tables`` as Parquet files, and ``documents`` (by relative path) beside
    them, into a new publication under ``folder`` and make it current; return the
    Parquet files as readers reach them."""
    # Imported here: a run with nothing new reads only the mark.
    import pyarrow.parquet as pq

    now = datetime.now(UTC)
    build = folder / BUILDS / f"{now:%Y%m%dT%H%M%S%fZ}-{source_mark[:12]}"
    build.mkdir(parents=True)
    for name, table in tables.items():
        pq.write_table(table, build / f"{name}.parquet")
    for relative, content in (documents or {}).items():
        (build / relative).parent.mkdir(parents=True, exist_ok=True)
        (build / relative).write_bytes(content)
    files = [f"{name}.parquet" for name in tables] + list(documents or {})
    manifest = {
        "source_mark": source_mark,
        "published_at": now.isoformat(),
        "files": {relative: sha256_of(build / relative) for relative in files},
    }
    (build / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _replace_link(folder / CURRENT, build.relative_to(folder))
    for subfolder in {Path(relative).parts[0] for relative in documents or {} if "/" in relative}:
        # ``published/2026/`` (a campaign's report), ``published/exports/``... reach
        # the current publication's folder of that name.
        if not (folder / subfolder).exists() or (folder / subfolder).is_symlink():
            _replace_link(folder / subfolder, Path(CURRENT) / subfolder)
    _prune(folder, build)
    return [folder / CURRENT / f"{name}.parquet" for name in tables]


def _replace_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` in one step: readers see the old or the new."""
    staged = link.parent / f".{link.name}-{uuid.uuid4().hex}"
    staged.symlink_to(target, target_is_directory=True)
    os.replace(staged, link)


def _prune(folder: Path, current: Path) -> None:
    """Older publications, and files of the layout before publications had folders."""
    builds = sorted((folder / BUILDS).iterdir())
    for old in builds[: max(0, len(builds) - KEPT_BUILDS)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in folder.glob("*.parquet*"):
        stale.unlink(missing_ok=True)
