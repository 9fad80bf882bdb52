"""Raw cell grids, one per sheet, whatever the file format."""

from __future__ import annotations

import codecs
import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from climate_contract.contract import SHEETS
from climate_contract.wording import Wording, number_wording

Grid = list[list[Any]]
"""Rows of cell values; ``grid[i][j]`` is the cell at row ``i + 1``, column ``j + 1``."""

HEADER_SEARCH_ROWS = 20
"""Rows searched for a header, from the first non-empty one: titles may stand above."""
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}


def _read_spreadsheet(path: Path) -> dict[str, Grid]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
UNKNOWN_ENCODING = Wording(
    "Les caractères du fichier CSV ne sont dans aucun encodage reconnu : enregistrez-le "
    "depuis votre tableur au format « CSV UTF-8 » (ou déposez un classeur .xlsx).",
    "The CSV file's characters are in no encoding we recognise: save it from your "
    'spreadsheet program as "CSV UTF-8" (or drop an .xlsx workbook).',
)


def _decode(raw: bytes) -> str:
    """The text of a CSV file: by its byte order mark (UTF-8, UTF-16 and UTF-32, as
    spreadsheet programs write them), else UTF-8, else Windows-1252 (Excel on
    French Windows)."""
    encodings = [encoding for mark, encoding in BYTE_ORDER_MARKS if raw.startswith(mark)]
    sample = raw[:4096]
    if not encodings and sample.count(0) > len(sample) // 4:
        # UTF-16 without its mark: every other byte of Latin text is zero.
        encodings = ["utf-16-le" if sample[1::2].count(0) > sample[::2].count(0) else "utf-16-be"]
    for encoding in encodings[:1] or ["utf-8", "cp1252"]:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UnreadableFile("no known text encoding", UNKNOWN_ENCODING)


def _guess_delimiter(lines: list[str]) -> str:
    """The candidate that splits some early line (a header) into the most cells.

    ``csv.Sniffer`` wants every line alike, which a file of sections is not.
    """
    return max(
        ";,\t", key=lambda candidate: max((line.count(candidate) for line in lines[:50]), default=0)
    )


def _read_csv(path: Path) -> dict[str, Grid]:
    """Split a CSV into sheets at each line that holds only a sheet title.

    Each grid keeps the file's line numbers: lines of other sections are blank.
    """
    text = _decode(path.read_bytes())
    lines = text.splitlines()
    delimiter = _guess_delimiter(lines)
    titles = {
        title.casefold(): title for sheet in SHEETS for title in (sheet.title_fr, sheet.title_en)
    }
    grids: dict[str, Grid] = {}
    current: Grid | None = None
    for line_number, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        filled = [cell for cell in cells if cell.strip()]
        if len(filled) == 1 and filled[0].strip().casefold() in titles:
            current = grids.setdefault(titles[filled[0].strip().casefold()], [])
        if current is None:
            continue
        current.extend([] for _ in range(line_number - len(current) - 1))
        current.append(cells)
    return grids


class UnreadableFile(ValueError):
    """A file no reader can open: corrupt, protected, or not what its name says.

    ``advice`` is for the partner when the cause is known; the message is the
    reader's own, for the logs.
    """

    def __init__(self, detail: str, advice: Wording | None = None) -> None:
        super().__init__(detail)
        self.advice = advice


class FileOverLimits(ValueError):
    """A file too large to be read safely; ``advice`` is for the partner."""

    def __init__(self, advice: Wording) -> None:
        super().__init__(advice.en)
        self.advice = advice


@dataclass(frozen=True)
class FileLimits:
    """Bounds against broken or hostile files, checked before any cell is read."""

    max_bytes: int = 20 * 2**20
    max_rows: int = 20_000
    max_columns: int = 1_000
    max_unpacked_bytes: int = 200 * 2**20
    max_compression_ratio: int = 200


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIPPED_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods"})


def check_limits(path: Path, limits: FileLimits) -> None:
    """Raise ``FileOverLimits`` or ``UnreadableFile`` before a reader opens ``path``."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        size_text, limit_text = (
            number_wording(size / 2**20, 1),
            number_wording(limits.max_bytes / 2**20),
        )
        raise FileOverLimits(
            Wording(
                f"Le fichier pèse {size_text.fr} Mo, au-delà de la limite de {limit_text.fr} Mo : "
                "retirez les feuilles, images ou lignes inutiles et déposez-le à nouveau.",
                f"The file weighs {size_text.en} MB, over the limit of {limit_text.en} MB: "
                "remove the sheets, pictures or rows it does not need and drop it again.",
            )
        )
    if path.suffix.lower() not in ZIPPED_SUFFIXES:
        return
    with path.open("rb") as stream:
        container = stream.read()
    if container.startswith(OLE2_MAGIC):
        # An encrypted workbook is an OLE2 container holding "EncryptionInfo"; a
        # legacy .xls one holding "Workbook" (stream names are UTF-16).
        if "EncryptionInfo".encode("utf-16-le") in container:
            raise UnreadableFile(
                "password-protected (OLE2 container)",
                Wording(
                    "Le fichier est protégé par un mot de passe : enregistrez-le sans mot de "
                    "passe (les données confidentielles le restent : cochez « Confidentiel »).",
                    "The file is password-protected: save it without a password "
                    '(confidential data stay confidential: tick "Confidential").',
                ),
            )
        raise UnreadableFile(
            "a legacy OLE2 workbook named as an Office Open XML one",
            Wording(
                f"Ce fichier est un classeur Excel 97-2003 (.xls) nommé « {path.suffix} » : "
                "enregistrez-le au format .xlsx depuis votre tableur (ou renommez-le en "
                ".xls), puis déposez-le à nouveau.",
                f'This file is an Excel 97-2003 workbook (.xls) named "{path.suffix}": save '
                "it as .xlsx from your spreadsheet program (or rename it .xls), then drop it "
                "again.",
            ),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableFile(str(error)) from error
    unpacked = sum(member.file_size for member in members)
    packed = max(1, sum(member.compress_size for member in members))
    if unpacked > limits.max_unpacked_bytes or unpacked / packed > limits.max_compression_ratio:
        raise FileOverLimits(
            Wording(
                "Le contenu du fichier, une fois décompressé, est anormalement volumineux : "
                "enregistrez à nouveau le classeur depuis votre tableur, sans données inutiles.",
                "Once unpacked, the file's content is abnormally large: save the workbook "
                "again from your spreadsheet program, without data it does not need.",
            )
        )


def hidden_sheets(path: Path) -> set[str]:
    """Names of the sheets a spreadsheet program does not show (hidden, or "very
    hidden", which only a macro or an XML edit can undo)."""
    if path.suffix.lower() == ".csv":
        return set()
    try:
        metadata = CalamineWorkbook.from_path(str(path)).sheets_metadata
    except CalamineError as error:
        raise UnreadableFile(str(error)) from error
    return {sheet.name for sheet in metadata if sheet.visible != SheetVisibleEnum.Visible}


def read_grids(path: Path) -> dict[str, Grid]:
    """Every sheet of the file as a grid, keyed by sheet name."""
    try:
        if path.suffix.lower() == ".csv":
            return _read_csv(path)
        return _read_spreadsheet(path)
    except (CalamineError, csv.Error) as error:
        raise UnreadableFile(str(error)) from error
