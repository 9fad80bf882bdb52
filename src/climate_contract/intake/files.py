"""Find what partners dropped in their inbox folders, and keep the originals.

Only regular files directly inside a registered partner's own folder are ever
opened, and never through a link: whatever else sits in the inboxes (links,
devices, subfolders, unknown folders, lock files) is listed for the steward,
never read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from climate_contract.safe_text import safe_file_name

log = logging.getLogger(__name__)

LOCK_OR_TEMPORARY_PREFIXES = (".", "~$")
LOCK_OR_TEMPORARY_SUFFIXES = (".tmp", "#", ".partial", ".crdownload")
HASH_CHUNK_BYTES = 1 << 20
FUTURE_TOLERANCE_SECONDS = 300
"""Clocks of the partners' machines and of the share drift; more than this is odd."""

NoticeKind = Literal[
    "subfolder",
    "unknown_partner_folder",
    "future_mtime",
    "lock_file",
    "not_a_regular_file",
    "duplicate",
]


@dataclass(frozen=True)
class IncomingFile:
    """A regular file found in a partner's inbox; the partner is the folder, never the
    content. ``received_at`` is when it arrived in the folder (its status-change
    time: copying preserves a file's modification time, not this)."""

    partner_id: str
    path: str
    content_sha256: str
    size_bytes: int
    received_at: datetime

    @property
    def display_name(self) -> str:
        """The file's name as valid text, whatever bytes it was given."""
        return os.fsencode(Path(self.path).name).decode("utf-8", "replace")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"received_at": self.received_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IncomingFile:
        return cls(**(data | {"received_at": datetime.fromisoformat(data["received_at"])}))


@dataclass(frozen=True)
class InboxNotice:
    """Something in the inboxes that is not a submission, for the steward."""

    kind: NoticeKind
    path: str
    """Relative to the inbox root, as valid text."""
    detail: str
    partner_id: str | None = None


@dataclass
class InboxScan:
    files: list[IncomingFile] = field(default_factory=list)
    """Settled regular files, oldest first."""
    notices: list[InboxNotice] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    """Files still being written (or just dropped): picked up once settled."""


class NotARegularFile(OSError):
    """A path that is a link, a device, a pipe or a folder: never read."""


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """Open ``path`` for reading only if it is a regular file, never through a link
    (checked on the opened descriptor, so a swap after a check cannot fool it)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if os.path.islink(path):
            raise NotARegularFile(f"{path} is a symbolic link") from error
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise NotARegularFile(f"{path} is not a regular file")
    with os.fdopen(descriptor, "rb") as stream:
        yield stream


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as stream:
        while chunk := stream.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _shown(path: Path, root: Path) -> str:
    return os.fsencode(path.relative_to(root)).decode("utf-8", "replace")


def _is_lock_or_temporary(name: str) -> bool:
    return name.startswith(LOCK_OR_TEMPORARY_PREFIXES) or name.endswith(LOCK_OR_TEMPORARY_SUFFIXES)


def scan_inbox(
    inbox_root: Path,
    partner_ids: frozenset[str],
    settle_seconds: float = 0,
    now: float | None = None,
) -> InboxScan:
    """Every settled regular file in ``inbox_root/<partner>/``, oldest first, and a
    notice for everything else found there.

    A file changed less than ``settle_seconds`` ago may still be being copied: it
    waits for a later run.
    """
    now = datetime.now(UTC).timestamp() if now is None else now
    scan = InboxScan()
    if not inbox_root.is_dir():
        return scan
    for folder in sorted(inbox_root.iterdir()):
        entry = folder.lstat()
        if folder.name not in partner_ids or not stat.S_ISDIR(entry.st_mode):
            kind: NoticeKind = (
                "not_a_regular_file" if folder.name in partner_ids else "unknown_partner_folder"
            )
            detail = (
                "a partner's inbox that is a link or not a folder: not read"
                if kind == "not_a_regular_file"
                else "belongs to no registered partner: not read"
            )
            scan.notices.append(InboxNotice(kind, _shown(folder, inbox_root), detail))
            continue
        for path in sorted(folder.iterdir()):
            _scan_entry(path, folder.name, inbox_root, settle_seconds, now, scan)
    scan.files.sort(key=lambda incoming: (incoming.received_at, incoming.path))
    return scan


def _scan_entry(
    path: Path, partner_id: str, root: Path, settle_seconds: float, now: float, scan: InboxScan
) -> None:
    entry = path.lstat()
    shown = _shown(path, root)

    def notice(kind: NoticeKind, detail: str) -> None:
        scan.notices.append(InboxNotice(kind, shown, detail, partner_id))

    if stat.S_ISDIR(entry.st_mode):
        notice("subfolder", "a folder inside the partner's inbox: its content is not read")
    elif not stat.S_ISREG(entry.st_mode):
        notice("not_a_regular_file", "a link, device or pipe: never read")
    elif _is_lock_or_temporary(path.name):
        notice("lock_file", "a lock, hidden or temporary file: not a submission")
    elif entry.st_ctime > now - settle_seconds:
        scan.waiting.append(shown)
    else:
        if entry.st_mtime > now + FUTURE_TOLERANCE_SECONDS:
            notice("future_mtime", "modified in the future: processed by its arrival time")
        try:
            digest = sha256_of(path)
        except NotARegularFile:
            notice("not_a_regular_file", "a link, device or pipe: never read")
            return
        scan.files.append(
            IncomingFile(
                partner_id=partner_id,
                path=str(path),
                content_sha256=digest,
                size_bytes=entry.st_size,
                received_at=datetime.fromtimestamp(entry.st_ctime, UTC),
            )
        )


def same_file(incoming: IncomingFile) -> bool:
    """Whether the inbox still holds, as a regular file, the very content found."""
    try:
        return sha256_of(Path(incoming.path)) == incoming.content_sha256
    except OSError:
        return False


def copy_verified(incoming: IncomingFile, target: Path) -> Path:
    """Copy the inbox file to ``target`` byte for byte, never through a link, unless
    ``target`` exists already; the copy is complete or absent."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    with open_regular(Path(incoming.path)) as source, partial.open("wb") as copy:
        while chunk := source.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
            copy.write(chunk)
    if digest.hexdigest() != incoming.content_sha256:
        partial.unlink()
        raise OSError(f"{incoming.path} changed while it was being copied")
    partial.rename(target)
    return target


def stored_name(incoming: IncomingFile) -> str:
    """The name we give a kept original: arrival time, hash, then the partner's name
    made safe (so that it always fits, whatever the partner called it)."""
    stamp = incoming.received_at.strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}_{incoming.content_sha256[:16]}_{safe_file_name(incoming.display_name)}"


def keep_original(staged: Path, incoming: IncomingFile, destination_folder: Path) -> Path:
    """Place the staged copy of an original under ``destination_folder``, byte for
    byte, under a name that carries its hash; never overwrite a kept original."""
    target = destination_folder / stored_name(incoming)
    if not target.exists():
        destination_folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(staged, partial)
        if sha256_of(partial) != incoming.content_sha256:
            partial.unlink()
            raise OSError(f"{staged} does not hold the content received")
        partial.rename(target)
    return target
