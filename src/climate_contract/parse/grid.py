"""Raw cell grids, one per sheet, whatever the file format."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

from climate_contract.contract import WORKBOOK_SHEETS, Sheet
from climate_contract.findings import Finding
from climate_contract.parse.container import (
    ENCRYPTED_STREAMS,
    LEGACY_WORKBOOK_STREAMS,
    OLE2_MAGIC,
    ZIP_MAGIC,
    content_suffix,
    ole2_stream_names,
)
from climate_contract.parse.values import normalise_label
from climate_contract.wording import Wording, number_wording

Grid = list[list[Any]]
"""Rows of cell values; ``grid[i][j]`` is the cell at row ``i + 1``, column ``j + 1``."""

HEADER_SEARCH_ROWS = 20
"""Rows searched for a header, from the first non-empty one: titles may stand above."""
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}


def _read_spreadsheet(path: Path, limits: FileLimits) -> dict[str, Grid]:
    """Every sheet, each measured before it is turned into Python lists (which cost
    far more than the reader's own cells): an over-limit sheet is never built."""
    with path.open("rb") as stream:
        # By content, not by name: a legacy .xls named .xlsx is read as what it is.
        workbook = CalamineWorkbook.from_filelike(stream)
        grids = {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            last_row, last_column = sheet.end or (-1, -1)
            check_extent(name, last_row + 1, last_column + 1, limits)
            grids[name] = sheet.to_python(skip_empty_area=False)
        return grids


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
        ";,\t", key=lambda candidate: max((line.count(candidate) for line in lines), default=0)
    )


def _read_csv(path: Path, limits: FileLimits) -> dict[str, Grid]:
    """Split a CSV into sheets at each line that holds only a sheet title.

    Each grid keeps the file's line numbers: lines of other sections are blank.
    Lines are read one at a time and a section is refused as soon as it goes
    beyond the limits, so that a small file of blank lines or delimiters never
    grows into millions of cells.
    """
    text = _decode(path.read_bytes())
    delimiter = _guess_delimiter(list(itertools.islice(io.StringIO(text), 50)))
    sheets = {
        title.casefold(): (title, sheet)
        for sheet in WORKBOOK_SHEETS
        for title in (sheet.title_fr, sheet.title_en)
    }
    grids: dict[str, Grid] = {}
    widths: dict[str, int] = {}
    current: str | None = None
    # A line holding only a sheet's title opens its section when the next filled
    # line is that sheet's header (or no section is open yet): a cell that merely
    # says "Actions" (a justification, say) stays in its own section.
    pending: tuple[str, Sheet, list[str], int] | None = None

    def keep(section: str, cells: list[str], line: int) -> None:
        grid = grids.setdefault(section, [])
        widths[section] = max(widths.get(section, 0), len(cells))
        check_extent(section, line, widths[section], limits)
        grid.extend([] for _ in range(line - len(grid) - 1))
        grid.append(cells)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for cells in reader:
        filled = [cell for cell in cells if cell.strip()]
        if not filled and pending is not None:
            # Not kept yet, but within the limits all the same: blank lines and
            # delimiters cost as much read as any.
            check_extent(pending[0], reader.line_num, len(cells), limits)
            continue
        if pending is not None:
            title, sheet, title_cells, title_line = pending
            pending = None
            if current is None or _names_headers(cells, sheet):
                current = title
            keep(current, title_cells, title_line)
        titled = sheets.get(filled[0].strip().casefold()) if len(filled) == 1 else None
        if titled is not None:
            pending = (*titled, cells, reader.line_num)
            continue
        if current is not None:
            keep(current, cells, reader.line_num)
    if pending is not None:
        title, _, title_cells, title_line = pending
        keep(title if current is None else current, title_cells, title_line)
    return grids


CSV_HEADERS_OPENING_A_SECTION = 2
"""Headers of a sheet the line after its title must name for the title to open its
section in a CSV."""


def _names_headers(cells: list[str], sheet: Sheet) -> bool:
    headers = {
        normalise_label(text)
        for column in sheet.columns
        for text in (column.header_fr, column.header_en, column.name)
    }
    named = sum(normalise_label(cell) in headers for cell in cells if cell.strip())
    return named >= CSV_HEADERS_OPENING_A_SECTION


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
    max_cells: int = 2_000_000
    """Rows times columns of a sheet, counted from A1: readers allocate every cell of that
    rectangle, empty or not (20,000 rows by 1,000 columns take 800 MB)."""
    max_unpacked_bytes: int = 200 * 2**20
    max_compression_ratio: int = 200


class SheetOverLimits(FileOverLimits):
    """A sheet whose cells reach beyond the rows, columns or cells a partner file may have."""

    def __init__(self, sheet: str, rows: int, columns: int, limits: FileLimits) -> None:
        row_count, column_count = number_wording(rows), number_wording(columns)
        max_rows, max_columns = number_wording(limits.max_rows), number_wording(limits.max_columns)
        max_cells = number_wording(limits.max_cells)
        super().__init__(
            Wording(
                f"La feuille « {sheet} » s'étend sur {row_count.fr} lignes et "
                f"{column_count.fr} colonnes, au-delà des limites ({max_rows.fr} lignes, "
                f"{max_columns.fr} colonnes, {max_cells.fr} cellules en tout) : supprimez "
                "les lignes et colonnes vides ou inutiles (y compris une cellule isolée tout "
                "en bas ou tout à droite), puis déposez le fichier à nouveau.",
                f'The sheet "{sheet}" spans {row_count.en} rows and {column_count.en} '
                f"columns, over the limits ({max_rows.en} rows, {max_columns.en} columns, "
                f"{max_cells.en} cells in all): delete the empty or needless rows and "
                "columns (including a lone cell far down or far right), then drop the file "
                "again.",
            )
        )
        self.sheet = sheet


def check_extent(sheet: str, rows: int, columns: int, limits: FileLimits) -> None:
    """Raise ``SheetOverLimits`` when a sheet reaching row ``rows`` and column
    ``columns`` is beyond the limits."""
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        raise SheetOverLimits(sheet, rows, columns, limits)


DEFAULT_LIMITS = FileLimits()

PASSWORD_PROTECTED = Wording(
    "Le fichier est protégé par un mot de passe : enregistrez-le sans mot de "
    "passe (les données confidentielles le restent : cochez « Confidentiel »).",
    "The file is password-protected: save it without a password "
    '(confidential data stay confidential: tick "Confidential").',
)


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
    with path.open("rb") as stream:
        head = stream.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        streams = ole2_stream_names(path.read_bytes())
        if streams & ENCRYPTED_STREAMS:
            raise UnreadableFile("password-protected (OLE2 container)", PASSWORD_PROTECTED)
        if not streams & LEGACY_WORKBOOK_STREAMS:
            raise UnreadableFile(f"an OLE2 file holding no workbook: {sorted(streams)}")
        return
    if not head.startswith(ZIP_MAGIC):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
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


def misnamed(path: Path) -> Finding | None:
    """A warning when the file is a workbook of another format than its name says
    (it is read as what it is)."""
    actual, named = content_suffix(path), path.suffix.lower()
    if actual is None or actual == named or (actual, named) == (".xlsx", ".xlsm"):
        return None
    return Finding(
        "warning",
        "extension_incorrecte",
        Wording(
            f"Ce fichier est un classeur {FORMAT_NAMES[actual].fr} nommé « {path.suffix} » : il "
            "a été lu comme tel. La prochaine fois, enregistrez-le au format .xlsx depuis "
            "votre tableur plutôt que de changer son extension.",
            f'This file is a {FORMAT_NAMES[actual].en} workbook named "{path.suffix}": it was '
            "read as such. Next time, save it as .xlsx from your spreadsheet program rather "
            "than change its extension.",
        ),
    )


FORMAT_NAMES = {
    ".xls": Wording("Excel 97-2003 (.xls)", "Excel 97-2003 (.xls)"),
    ".xlsx": Wording("Excel (.xlsx)", "Excel (.xlsx)"),
    ".ods": Wording("OpenDocument (.ods)", "OpenDocument (.ods)"),
}


def _is_text(path: Path) -> bool:
    """Whether the file is read as CSV: named so, and no workbook by its content."""
    return path.suffix.lower() == ".csv" and content_suffix(path) is None


def hidden_sheets(path: Path) -> set[str]:
    """Names of the sheets a spreadsheet program does not show (hidden, or "very
    hidden", which only a macro or an XML edit can undo)."""
    if _is_text(path):
        return set()
    try:
        with path.open("rb") as stream:
            metadata = CalamineWorkbook.from_filelike(stream).sheets_metadata
    except CalamineError as error:
        raise UnreadableFile(str(error)) from error
    return {sheet.name for sheet in metadata if sheet.visible != SheetVisibleEnum.Visible}


def read_grids(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> dict[str, Grid]:
    """Every sheet of the file as a grid, keyed by sheet name; ``SheetOverLimits``
    for a sheet beyond ``limits``, before it is built."""
    try:
        if _is_text(path):
            return _read_csv(path, limits)
        return _read_spreadsheet(path, limits)
    except PasswordError as error:
        raise UnreadableFile(str(error), PASSWORD_PROTECTED) from error
    except (CalamineError, csv.Error) as error:
        raise UnreadableFile(str(error)) from error
