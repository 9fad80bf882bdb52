from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from climate_contract.parse.grid import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".tmp", "#")
HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class IncomingFile:
    """A file found in a partner's inbox; the partner is the folder, never the content."""

    partner_id: str
    path: str
    content_sha256: str
    size_bytes: int
    received_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"received_at": self.received_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncomingFile:
        return cls(**(data | {"received_at": datetime.fromisoformat(data["received_at"])}))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _is_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith(IGNORED_PREFIXES)
        and not name.endswith(IGNORED_SUFFIXES)
        and path.suffix.lower() in SUPPORTED_SUFFIXES
    )


def find_incoming_files(
    inbox_root: Path, partner_ids: frozenset[str], settle_seconds: float = 0
) -> list[IncomingFile]:
    """Every settled workbook in ``inbox_root/<partner>/``, oldest first.

    A file modified less than ``settle_seconds`` ago may still be being copied: it
    waits for a later run. Office lock and temporary files are passed over; so are
    folders of unknown partners, with a warning for the steward.
    """
    settled_before = datetime.now(UTC).timestamp() - settle_seconds
    found: list[IncomingFile] = []
    if not inbox_root.is_dir():
        return found
    for folder in sorted(path for path in inbox_root.iterdir() if path.is_dir()):
        if folder.name not in partner_ids:
            log.warning("inbox folder %s belongs to no registered partner; skipped", folder)
            continue
        for path in sorted(folder.iterdir()):
            if not _is_candidate(path):
                continue
            stat = path.stat()
            if stat.st_mtime > settled_before:
                log.info("%s was modified less than %ss ago; left for later", path, settle_seconds)
                continue
            found.append(
                IncomingFile(
                    partner_id=folder.name,
                    path=str(path),
                    content_sha256=sha256_of(path),
                    size_bytes=stat.st_size,
                    received_at=datetime.fromtimestamp(stat.st_mtime, UTC),
                )
            )
    return sorted(found, key=lambda incoming: (incoming.received_at, incoming.path))


def keep_original(incoming: IncomingFile, destination_folder: Path) -> Path:
    """Copy the file byte for byte under a name that carries its hash; never overwrite."""
    source = Path(incoming.path)
    stamp = incoming.received_at.strftime("%Y%m%dT%H%M%SZ")
    target = destination_folder / f"{stamp}_{incoming.content_sha256[:16]}_{source.name}"
    destination_folder.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(source, partial)
        if sha256_of(partial) != incoming.content_sha256:
            partial.unlink()
            raise OSError(f"{source} changed while it was being archived")
        partial.rename(target)
    return target
