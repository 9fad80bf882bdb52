"""Find what partners dropped in their inbox folders, and keep their originals."""

from climate_contract.intake.files import (
    InboxNotice,
    InboxScan,
    IncomingFile,
    copy_verified,
    keep_original,
    same_file,
    scan_inbox,
    sha256_of,
)

__all__ = [
    "InboxNotice",
    "InboxScan",
    "IncomingFile",
    "copy_verified",
    "keep_original",
    "same_file",
    "scan_inbox",
    "sha256_of",
]
