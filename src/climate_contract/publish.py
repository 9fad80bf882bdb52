"""Published files change together: each publication is a new folder, made whole,
then made current by one atomic rename of the ``current`` link.

Readers open ``published/current/``: they see the previous publication or the
new one, never a mix, even if the writer dies half-way.

An official snapshot is one campaign's publication frozen for a council: a folder
``published/official/<campaign>/<snapshot>/`` named by its date and the hash of
its data, read-only, that no later publication changes or prunes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from climate_contract.intake.files import sha256_of

if TYPE_CHECKING:
    import pyarrow as pa

CURRENT = "current"
OFFICIAL = "official"
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
    files = {f"{name}.parquet": sha256_of(build / f"{name}.parquet") for name in tables}
    manifest = {
        "source_mark": source_mark,
        "published_at": now.isoformat(),
        "files": files | _write_documents(build, documents or {}),
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


def _write_documents(root: Path, documents: dict[str, bytes]) -> dict[str, str]:
    """Write each document under ``root`` by its relative path; return the SHA-256
    of each, for the manifest."""
    for relative, content in documents.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return {
        relative: hashlib.sha256(content).hexdigest() for relative, content in documents.items()
    }


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


def snapshot_id(frozen_at: datetime, data: Iterable[bytes]) -> str:
    """A snapshot's name: when it was frozen, and a hash of what it holds (the same
    data frozen twice gives two snapshots with the same hash)."""
    digest = hashlib.sha256()
    for part in data:
        digest.update(hashlib.sha256(part).digest())
    return f"{frozen_at:%Y-%m-%dT%H%M%SZ}-{digest.hexdigest()[:12]}"


def write_snapshot(
    folder: Path,
    campaign_id: str,
    snapshot: str,
    documents: dict[str, bytes],
    facts: dict[str, str],
) -> Path:
    """Write ``documents`` (by relative path) as the official snapshot ``snapshot``
    of ``campaign_id``, with a manifest of their hashes and ``facts``; the folder
    appears whole or not at all, read-only, and never replaces another."""
    campaign_folder = folder / OFFICIAL / campaign_id
    campaign_folder.mkdir(parents=True, exist_ok=True)
    for unfinished in campaign_folder.glob(".*.partial"):
        # A freeze killed half-way: callers hold the publish lock, so it is dead.
        _make_writable(unfinished)
        shutil.rmtree(unfinished)
    staged = campaign_folder / f".{snapshot}-{uuid.uuid4().hex}.partial"
    staged.mkdir()
    manifest = {
        "snapshot": snapshot,
        "campaign_id": campaign_id,
        **facts,
        "files": _write_documents(staged, documents),
    }
    (staged / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _make_read_only(staged)
    target = campaign_folder / snapshot
    # rename() onto an existing non-empty folder fails: a snapshot is never replaced.
    os.rename(staged, target)
    return target


def official_snapshots(folder: Path, campaign_id: str | None = None) -> list[Path]:
    """The official snapshots under ``folder``, oldest first within each campaign."""
    campaigns = folder / OFFICIAL
    pattern = f"{campaign_id or '*'}/[!.]*"
    return sorted(path for path in campaigns.glob(pattern) if path.is_dir())


def altered_files(snapshot: Path) -> list[str]:
    """The snapshot's files that differ from its manifest: changed, missing or added."""
    recorded = json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))["files"]
    present = {
        path.relative_to(snapshot).as_posix()
        for path in snapshot.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    return sorted(
        relative
        for relative in present | set(recorded)
        if relative not in present
        or relative not in recorded
        or sha256_of(snapshot / relative) != recorded[relative]
    )


def _make_read_only(root: Path) -> None:
    for path in root.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    root.chmod(0o555)


def _make_writable(root: Path) -> None:
    root.chmod(root.stat().st_mode | stat.S_IWUSR)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
