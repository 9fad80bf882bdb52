"""Find the files partners dropped in their inbox folders, and keep their originals."""

from climate_contract.intake.files import IncomingFile, find_incoming_files, keep_original

__all__ = ["IncomingFile", "find_incoming_files", "keep_original"]
