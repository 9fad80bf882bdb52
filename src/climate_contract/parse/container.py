"""What kind of container a partner file is, from its bytes rather than its name.

A legacy Excel workbook (.xls) and an encrypted Office file are both OLE2 compound
files: which one it is stands in the names of the streams its directory lists
("Workbook" or "Book", "EncryptionInfo"), not in whatever bytes its cells hold.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
LAST_SECTOR = 0xFFFFFFF9
"""Sector numbers above this one are markers (free, end of chain…), not sectors."""
HEADER_FAT_SECTORS = 109
LEGACY_WORKBOOK_STREAMS = frozenset({"workbook", "book"})
ENCRYPTED_STREAMS = frozenset({"encryptioninfo", "encryptedpackage"})


def _sector(data: bytes, number: int, size: int) -> tuple[int, ...]:
    """The sector ``number`` as 32-bit numbers; empty when the file stops short."""
    block = data[(number + 1) * size : (number + 2) * size]
    return struct.unpack(f"<{size // 4}I", block) if len(block) == size else ()


def _fat(data: bytes, size: int) -> list[int]:
    """The file allocation table: for each sector, the next one of its chain."""
    fat_count = struct.unpack_from("<I", data, 44)[0]
    difat_start = struct.unpack_from("<I", data, 68)[0]
    fat_sectors = list(struct.unpack_from(f"<{HEADER_FAT_SECTORS}I", data, 76))
    visited: set[int] = set()
    following = difat_start
    # Each visited sector is read once, so a looping chain in a hostile file ends.
    while following <= LAST_SECTOR and following not in visited and len(fat_sectors) < fat_count:
        visited.add(following)
        entries = _sector(data, following, size)
        if not entries:
            break
        fat_sectors += entries[:-1]
        following = entries[-1]
    fat: list[int] = []
    for number in fat_sectors[:fat_count]:
        entries = _sector(data, number, size) if number <= LAST_SECTOR else ()
        if not entries:
            break
        fat += entries
    return fat


def ole2_stream_names(data: bytes) -> set[str]:
    """The case-folded names of the streams and storages an OLE2 file's directory
    lists; empty for anything else, or a directory that cannot be followed."""
    if not data.startswith(OLE2_MAGIC) or len(data) < 512:
        return set()
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        return set()
    size = 1 << sector_shift
    fat = _fat(data, size)
    names: set[str] = set()
    visited: set[int] = set()
    number = struct.unpack_from("<I", data, 48)[0]
    while number <= LAST_SECTOR and number not in visited:
        visited.add(number)
        block = data[(number + 1) * size : (number + 2) * size]
        for offset in range(0, len(block) - 127, 128):
            length, kind = struct.unpack_from("<HB", block, offset + 64)
            if kind in (1, 2) and 2 <= length <= 64:
                name = block[offset : offset + length - 2].decode("utf-16-le", "replace")
                names.add(name.casefold())
        number = fat[number] if number < len(fat) else LAST_SECTOR + 1
    return names


def content_suffix(path: Path) -> str | None:
    """The suffix the file's content calls for: ``.xls`` (an OLE2 file holding a
    workbook), ``.xlsx`` or ``.ods`` (by the parts of the zip); None for text or
    anything else."""
    with path.open("rb") as stream:
        head = stream.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        return ".xls" if ole2_stream_names(path.read_bytes()) & LEGACY_WORKBOOK_STREAMS else None
    if not head.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            parts = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None
    if "xl/workbook.xml" in parts:
        return ".xlsx"
    return ".ods" if "content.xml" in parts else None
