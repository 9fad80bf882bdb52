"""A corpus of bad, odd and hostile partner inputs, generated (nothing binary is committed).

Each kind is a plain function: given where the corpus goes, it returns the entries to
drop into a partner's inbox (a name, the bytes of a regular file or a way to create
something else: a link, a FIFO, a folder) and what the pipeline must answer for each.
Valid bases come from the real template writer and the worked example's rows, then
are corrupted at the zip, XML or cell level.
"""

from __future__ import annotations

import codecs
import copy
import io
import os
import re
import shutil
import struct
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.workbook import Workbook

from climate_contract.findings import MAX_FINDINGS_PER_FILE
from climate_contract.reference import ReferenceData
from climate_contract.template import write_workbook
from climate_contract.wording import Wording
from tests.real_world import TERRITOIRES_EN_TRANSITIONS
from tests.scenario import WORKED_EXAMPLE

ACCEPTED = "accepted"
"""An outcome: the file is fine, whatever is odd about it, and its data are loaded."""
TET_EXPORT = TERRITOIRES_EN_TRANSITIONS / "plan_budget_issue.xlsx"
ACTIONS_PART = "xl/worksheets/sheet2.xml"  # the template's sheets: Instructions, Actions…
INVESTMENTS_PART = "xl/worksheets/sheet3.xml"
TRAP_TITLE = "TRAP-TITLE"
TRAP_DESCRIPTION = "TRAP-DESCRIPTION"
HYPERLINK = '=HYPERLINK("http://x","clic")'
DDE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
UNDEFINED_IN_WINDOWS_1252 = b"\x81\x8d\x8f\x90\x9d"
BS2_AMOUNT = 1_200_000
"""The amount of the worked example's second investment: the cell the amount kinds spoil."""


@dataclass(frozen=True)
class Expected:
    """What the pipeline must do with one inbox entry."""

    outcomes: tuple[str, ...] = ()
    """Acceptable answers: ``ACCEPTED``, or patterns of the rule of a finding that
    names the problem (the submission is then rejected)."""
    notice: str | None = None
    """The kind under which the entry is listed for the steward (landing.inbox_notices)."""
    read: bool = True
    """Whether the entry becomes a submission (a ledger row, its original kept)."""
    or_notice: str | None = None
    """A notice kind that is an acceptable answer instead of a submission."""
    words: Wording | None = None
    """Words the answering finding's message holds, in each language."""
    forbidden: tuple[str, ...] = ()
    """Rules that must not appear: a misleading answer or a cascade."""
    max_findings: int | None = None


@dataclass(frozen=True)
class Drop:
    """One entry placed in an inbox."""

    name: str | bytes
    expected: Expected
    content: bytes | None = None
    """A regular file's bytes (also what its kept original must hold)."""
    make: Callable[[Path], None] | None = None
    """Creates the entry at the given path, when it is not simply ``content``."""
    folder: str | None = None
    """The folder under the inbox root, by default the partner's own."""

    @property
    def shown_name(self) -> str:
        """The name as valid text, as the pipeline shows it."""
        return os.fsencode(self.name).decode("utf-8", "replace")


@dataclass
class CorpusContext:
    reference: ReferenceData
    partner_id: str
    campaign_id: str
    scratch: Path
    shared_root: Path
    other_partner_file: Path
    """A valid file of another partner, in that partner's inbox."""
    language: str = field(init=False)

    def __post_init__(self) -> None:
        self.language = self.reference.partner(self.partner_id).language
        self.scratch.mkdir(parents=True, exist_ok=True)


Kind = Callable[[CorpusContext], list[Drop]]

# ---------------------------------------------------------------------------- bases


def base_rows(tag: str) -> dict[str, list[dict[str, Any]]]:
    """The worked example's rows; ``tag`` in a title makes each file's content unique
    (the same content twice is a duplicate, not a submission)."""
    rows = copy.deepcopy(WORKED_EXAMPLE["bailleur-social"])
    rows["actions"][1]["title"] = f"Rénovation de 120 logements ({tag})"
    return rows


def workbook_bytes(
    context: CorpusContext,
    tag: str,
    suffix: str = ".xlsx",
    rows: dict[str, list[dict[str, Any]]] | None = None,
    partner_id: str | None = None,
    campaign_id: str | None = None,
) -> bytes:
    """A template written by the real writer, for the corpus's partner by default."""
    path = context.scratch / f"{tag}{suffix}"
    write_workbook(
        path,
        context.reference,
        partner_id or context.partner_id,
        campaign_id or context.campaign_id,
        rows or base_rows(tag),
        language=context.language,
    )
    return path.read_bytes()


def edited_workbook(context: CorpusContext, tag: str, edit: Callable[[Workbook], None]) -> bytes:
    """A template changed with openpyxl (sheets by position: Instructions, Actions,
    Investments, Impacts, whatever the language)."""
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(context, tag)))
    edit(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def replace_cell(workbook: Workbook, sheet_index: int, old: Any, new: Any) -> None:
    for row in workbook.worksheets[sheet_index].iter_rows():
        for cell in row:
            if cell.value == old:
                cell.value = new
                return
    raise LookupError(f"{old!r} not in sheet {sheet_index}")


def rezipped(
    data: bytes, edits: dict[str, Callable[[bytes], bytes]], extra: dict | None = None
) -> bytes:
    """The zip ``data`` with some parts rewritten and others added."""
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(stream, "w") as copy_:
        for item in original.infolist():
            part = original.read(item)
            copy_.writestr(item, edits[item.filename](part) if item.filename in edits else part)
        for name, part in (extra or {}).items():
            copy_.writestr(
                zipfile.ZipInfo(name), part, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9
            )
    return stream.getvalue()


def csv_text(context: CorpusContext, tag: str, rows: dict | None = None) -> str:
    """The template as CSV text (without its byte order mark)."""
    return workbook_bytes(context, tag, ".csv", rows).decode("utf-8-sig")


def trapped_rows(tag: str, title: str = TRAP_TITLE, sector: str | None = None) -> dict:
    """Rows whose second action carries placeholders for hostile text, and an
    unknown sector so that the file is answered with an annotated copy."""
    rows = base_rows(tag)
    rows["actions"][1] |= {"title": title, "description": TRAP_DESCRIPTION}
    rows["actions"][1]["sector"] = sector or "secteur_inconnu"
    return rows


# ------------------------------------------------------------------------ OLE2 / BIFF

SECTOR_BYTES = 512
MINI_STREAM_CUTOFF = 4096
FREE_SECTOR, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, kind: int, start: int, size: int, child: int, right: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length, type, colour black
        + struct.pack("<III", NO_STREAM, right, child)
        + b"\0" * 36  # class id, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def ole2_container(streams: dict[str, bytes]) -> bytes:
    """A Compound File Binary (OLE2, version 3) holding ``streams`` in regular sectors
    (each stream padded to the mini-stream cutoff, so no mini stream is needed)."""
    names = sorted(streams, key=lambda name: (len(name), name.upper()))
    fat = [FAT_SECTOR, END_OF_CHAIN]  # sector 0: the FAT, sector 1: the directory
    data, starts, sizes = b"", {}, {}
    for name in names:
        content = streams[name].ljust(MINI_STREAM_CUTOFF, b"\0")
        count = -(-len(content) // SECTOR_BYTES)
        starts[name], sizes[name] = len(fat), len(content)
        fat += [*range(len(fat) + 1, len(fat) + count), END_OF_CHAIN]
        data += content.ljust(count * SECTOR_BYTES, b"\0")
    directory = _directory_entry("Root Entry", 5, END_OF_CHAIN, 0, child=1, right=NO_STREAM)
    for index, name in enumerate(names, start=1):
        following = index + 1 if index < len(names) else NO_STREAM
        directory += _directory_entry(name, 2, starts[name], sizes[name], NO_STREAM, following)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, MINI_STREAM_CUTOFF, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *[FREE_SECTOR] * 108)
    )
    fat_sector = struct.pack(f"<{SECTOR_BYTES // 4}I", *fat, *[FREE_SECTOR] * (128 - len(fat)))
    return header + fat_sector + directory.ljust(SECTOR_BYTES, b"\0") + data


def _biff_record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def legacy_xls(sheet: str = "Feuil1", value: float = 2026.0) -> bytes:
    """A real Excel 97-2003 workbook (BIFF8 in OLE2): one sheet, one number, as
    python-calamine reads it."""

    def begin(substream: int) -> bytes:
        return _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 6))

    def workbook_globals(sheet_offset: int) -> bytes:
        name = struct.pack("<BB", len(sheet), 0) + sheet.encode("latin-1")
        return (
            begin(0x0005)
            + _biff_record(0x0042, struct.pack("<H", 1200))  # code page: UTF-16
            + _biff_record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + name)  # BOUNDSHEET
            + _biff_record(0x000A)  # EOF
        )

    worksheet = (
        begin(0x0010)
        + _biff_record(0x0200, struct.pack("<IIHHH", 0, 1, 0, 1, 0))  # DIMENSIONS
        + _biff_record(0x0203, struct.pack("<HHHd", 0, 0, 0, value))  # NUMBER
        + _biff_record(0x000A)
    )
    return ole2_container({"Workbook": workbook_globals(len(workbook_globals(0))) + worksheet})


# ----------------------------------------------------------------------------- kinds


def rejected(*outcomes: str, **more: Any) -> Expected:
    return Expected(outcomes=outcomes, **more)


def file_kind(name: str, expected: Expected, build: Callable[[CorpusContext], bytes]) -> Kind:
    """A kind made of one regular file."""

    def kind(context: CorpusContext) -> list[Drop]:
        return [Drop(name, expected, build(context))]

    return kind


def _xml_edit(context: CorpusContext, tag: str, edit: Callable[[bytes], bytes]) -> bytes:
    return rezipped(workbook_bytes(context, tag), {ACTIONS_PART: edit})


def _with_declaration(declaration: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m[0] or b"") + declaration, xml)


def _ods_edit(context: CorpusContext, tag: str, edit: Callable[[bytes], bytes]) -> bytes:
    return rezipped(workbook_bytes(context, tag, ".ods"), {"content.xml": edit})


def _before_first_table_end(extra: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</table:table>", extra + b"</table:table>", 1)


def _ods_text_cell(text: str) -> bytes:
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p>'
        "</table:table-cell>"
    ).encode()


def _csv_with(context: CorpusContext, tag: str, old: str, new: str) -> bytes:
    text = csv_text(context, tag)
    assert old in text, (old, text)
    return text.replace(old, new, 1).encode("utf-8")


def _csv_encoded(context: CorpusContext, tag: str, mark: bytes, codec: str) -> bytes:
    return mark + csv_text(context, tag).encode(codec)


def _macro_workbook(context: CorpusContext) -> bytes:
    macro_type = (
        b'<Override PartName="/xl/vbaProject.bin" '
        b'ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    return rezipped(
        workbook_bytes(context, "macros"),
        {
            "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", macro_type).replace(
                b"sheet.main+xml", b"sheet.macroEnabled.main+xml"
            )
        },
        {
            "xl/vbaProject.bin": ole2_container(
                {"VBA": b'Sub AutoOpen()\r\nShell "calc"\r\nEnd Sub'}
            )
        },
    )


def _zip_bomb(context: CorpusContext) -> bytes:
    return rezipped(
        workbook_bytes(context, "bombe"), {}, {"xl/media/image1.bin": bytes(64 * 2**20)}
    )


def _oversize_csv(context: CorpusContext) -> bytes:
    text = csv_text(context, "volumineux")
    padding = ";" * 11 + "\n"
    return (text + padding * (21 * 2**20 // len(padding))).encode()


def _large_year_typo(context: CorpusContext) -> bytes:
    """3,000 investment rows for one action whose start year has one digit too many."""
    rows = base_rows("faute-annee")
    rows["actions"][1]["start_year"] = 20226
    template = rows["investments"][1]
    rows["investments"] += [template | {"year": 2026 + index % 2} for index in range(3000)]
    return workbook_bytes(context, "faute-annee", ".csv", rows)


def _sheet_over_row_limit(context: CorpusContext) -> bytes:
    rows = "".join(
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>X-{number}</t></is></c></row>'
        for number in range(10, 20_012)
    ).encode()
    return _xml_edit(
        context, "trop-long", lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")
    )


def _header_on_row_25(workbook: Workbook) -> None:
    actions = workbook.worksheets[1]
    actions.insert_rows(1, 24)
    actions["A1"] = "Plan d'actions climat de notre organisation"


def _very_hidden_with_decoy(workbook: Workbook) -> None:
    actions = workbook.worksheets[1]
    decoy = workbook.copy_worksheet(actions)
    decoy.title = actions.title.rstrip("s")  # "Action": the same sheet to the reader
    decoy["A3"] = "LEURRE-1"
    actions.sheet_state = "veryHidden"


def _hide_investments(workbook: Workbook) -> None:
    workbook.worksheets[2].sheet_state = "hidden"


def _twin_investments(workbook: Workbook) -> None:
    """The partner kept a copy of its investments under the English name."""
    workbook.copy_worksheet(workbook.worksheets[2]).title = "Investments"


def _duplicate_title_column(workbook: Workbook) -> None:
    actions = workbook.worksheets[1]
    actions["M1"] = actions["B1"].value
    actions["M2"], actions["M3"] = "Autre intitulé", "Encore un autre"


def _tet_year(context: CorpusContext) -> bytes:
    """The real Territoires en Transitions import file, one end date typed 99999999."""
    workbook = openpyxl.load_workbook(TET_EXPORT)
    sheet = workbook.worksheets[0]
    header = [str(cell.value or "").strip() for cell in sheet[2]]
    sheet.cell(row=3, column=header.index("Date de fin") + 1, value=99999999)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _formula_csv(context: CorpusContext) -> bytes:
    text = workbook_bytes(context, "formules", ".csv", trapped_rows("formules")).decode("utf-8-sig")
    quoted = '"' + HYPERLINK.replace('"', '""') + '"'
    return text.replace(TRAP_TITLE, quoted).replace(TRAP_DESCRIPTION, DDE).encode("utf-8")


def _formula_ods(context: CorpusContext) -> bytes:
    def plant(xml: bytes) -> bytes:
        for trap, payload in ((TRAP_TITLE, HYPERLINK), (TRAP_DESCRIPTION, DDE)):
            xml = xml.replace(trap.encode(), escape(payload, {'"': "&quot;"}).encode())
        return xml

    ods = workbook_bytes(context, "formules-ods", ".ods", trapped_rows("formules-ods"))
    return rezipped(ods, {"content.xml": plant})


def _valid(tag: str) -> Callable[[CorpusContext], bytes]:
    return lambda context: workbook_bytes(context, tag)


def _cells(tag: str, sheet: int, old: Any, new: Any) -> Callable[[CorpusContext], bytes]:
    return lambda context: edited_workbook(
        context, tag, lambda workbook: replace_cell(workbook, sheet, old, new)
    )


def _edited(tag: str, edit: Callable[[Workbook], None]) -> Callable[[CorpusContext], bytes]:
    return lambda context: edited_workbook(context, tag, edit)


def _entry_kind(name: str, expected: Expected, make: Callable[[CorpusContext, Path], None]) -> Kind:
    """A kind that is not a regular file of the partner's (a link, a FIFO, a folder)."""

    def kind(context: CorpusContext) -> list[Drop]:
        return [Drop(name, expected, make=lambda path: make(context, path))]

    return kind


def _subfolder(context: CorpusContext, path: Path) -> None:
    path.mkdir()
    (path / "plan.xlsx").write_bytes(workbook_bytes(context, f"sous-dossier-{path.name[:8]}"))


def _future_mtime(context: CorpusContext) -> list[Drop]:
    content = workbook_bytes(context, "futur")
    in_a_year = time.time() + 365 * 86400

    def make(path: Path) -> None:
        path.write_bytes(content)
        os.utime(path, (in_a_year, in_a_year))

    return [Drop("plan-futur.xlsx", Expected((ACCEPTED,), notice="future_mtime"), content, make)]


def _unknown_partner_folder(context: CorpusContext) -> list[Drop]:
    def make(path: Path) -> None:
        path.mkdir()
        (path / "plan.xlsx").write_bytes(workbook_bytes(context, "inconnu"))

    return [
        Drop(
            "partenaire-inconnu",
            Expected(notice="unknown_partner_folder", read=False),
            make=make,
            folder="",
        )
    ]


def _dropped_twice(context: CorpusContext) -> list[Drop]:
    content = _cells("deux-fois", 2, BS2_AMOUNT, -5)(context)
    return [
        Drop("plan-envoi.xlsx", rejected("positif"), content),
        Drop("plan-envoi (copie).xlsx", Expected(notice="duplicate", read=False), content),
    ]


def _earlier_version_again(context: CorpusContext) -> list[Drop]:
    """A, then B, then A again: A must end up loaded."""
    version_a, version_b = (
        workbook_bytes(context, "version-a"),
        workbook_bytes(context, "version-b"),
    )
    loaded = Expected((ACCEPTED,))
    return [
        Drop("plan-v1.xlsx", loaded, version_a),
        Drop("plan-v2.xlsx", loaded, version_b),
        Drop("plan-v1-renvoye.xlsx", loaded, version_a),
    ]


PASSWORD = Wording("mot de passe", "password")
ENCODING = Wording("encodage", "encoding")
NOT_ORDINARY = Expected(notice="not_a_regular_file", read=False)
UNSUPPORTED = Expected(("format_non_pris_en_charge",), or_notice="unsupported_type")
EMPTY = ("fichier_vide", "fichier_illisible")
FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL_ENTITY = b'<!DOCTYPE d [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>'
NOT_A_NUMBER = ("nombre_invalide", "type")
CELL_IN_ERROR = ("nombre_invalide", r".*erreur.*")

KINDS: dict[str, Kind] = {
    # Damaged or disguised containers
    "corrupt_zip": file_kind(
        "plan-corrompu.xlsx",
        rejected("fichier_illisible"),
        lambda _: b"PK\x03\x04" + bytes(range(256)) * 8,
    ),
    "truncated_xlsx": file_kind(
        "plan-tronque.xlsx",
        rejected("fichier_illisible"),
        lambda context: (data := workbook_bytes(context, "tronque"))[: len(data) // 2],
    ),
    "zero_byte_xlsx": file_kind("plan-vide.xlsx", rejected(*EMPTY), lambda _: b""),
    "zip_not_a_workbook": file_kind(
        "document.xlsx",
        rejected("fichier_illisible"),
        lambda _: rezipped(_empty_zip(), {}, {"word/document.xml": b"<document/>"}),
    ),
    "encrypted_ole2": file_kind(
        "plan-protege.xlsx",
        rejected("fichier_illisible", words=PASSWORD),
        lambda _: ole2_container(
            {"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(60), "EncryptedPackage": bytes(8192)}
        ),
    ),
    "legacy_xls_named_xlsx": file_kind(
        "ancien-format.xlsx",
        # Read as the .xls it is (the partner is told its extension was wrong); this
        # one holds no contract sheet, which is then what refuses it.
        rejected("fichier_illisible", "sheet_missing"),
        lambda _: legacy_xls(),
    ),
    # Read for its values only, its macros never run (the project's rule since the
    # first intake work): accepted like any workbook.
    "macro_enabled_xlsm": file_kind("plan-macros.xlsm", Expected((ACCEPTED,)), _macro_workbook),
    "zip_bomb": file_kind("plan-bombe.xlsx", rejected("fichier_trop_volumineux"), _zip_bomb),
    "oversize_file": file_kind(
        "plan-enorme.csv", rejected("fichier_trop_volumineux"), _oversize_csv
    ),
    # Hostile XML
    "malformed_xml": file_kind(
        "xml-casse.xlsx",
        rejected("fichier_illisible"),
        lambda context: _xml_edit(
            context, "xml-casse", lambda xml: xml.replace(b"</sheetData>", b"<row><c></sheetData>")
        ),
    ),
    "billion_laughs": file_kind(
        "entites.xlsx",
        rejected("fichier_illisible"),
        lambda context: _xml_edit(context, "entites", _with_declaration(BILLION_LAUGHS)),
    ),
    "external_entity": file_kind(
        "entite-externe.xlsx",
        rejected("fichier_illisible"),
        lambda context: _xml_edit(
            context,
            "entite-externe",
            lambda xml: _with_declaration(EXTERNAL_ENTITY)(xml).replace(b"BS-2", b"&passwd;"),
        ),
    ),
    "cell_at_xfd1048576": file_kind(
        "cellule-lointaine.xlsx",
        rejected("trop_de_lignes"),
        lambda context: _xml_edit(
            context, "loin", lambda xml: xml.replace(b"</sheetData>", FAR_CELL + b"</sheetData>")
        ),
    ),
    "dimension_xfd1048576": file_kind(
        "dimension-geante.xlsx",
        Expected((ACCEPTED, "trop_de_lignes")),
        lambda context: _xml_edit(
            context,
            "dimension",
            lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
        ),
    ),
    "ods_rows_repeated": file_kind(
        "lignes-repetees.ods",
        rejected("trop_de_lignes"),
        lambda context: _ods_edit(
            context,
            "lignes-repetees",
            _before_first_table_end(
                b'<table:table-row table:number-rows-repeated="1048000">'
                + _ods_text_cell("x")
                + b"</table:table-row>"
            ),
        ),
    ),
    "ods_columns_repeated": file_kind(
        "colonnes-repetees.ods",
        rejected("trop_de_lignes"),
        lambda context: _ods_edit(
            context,
            "colonnes-repetees",
            _before_first_table_end(
                b'<table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
                + _ods_text_cell("x")
                + b"</table:table-row>"
            ),
        ),
    ),
    "ods_trailing_empty_rows": file_kind(
        "lignes-vides.ods",
        Expected((ACCEPTED,)),
        lambda context: _ods_edit(
            context,
            "lignes-vides",
            _before_first_table_end(
                b'<table:table-row table:number-rows-repeated="1048000">'
                b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
            ),
        ),
    ),
    # Text encodings
    "csv_utf16_le_bom": file_kind(
        "utf16le-bom.csv",
        Expected((ACCEPTED,)),
        lambda c: _csv_encoded(c, "u16le-bom", codecs.BOM_UTF16_LE, "utf-16-le"),
    ),
    "csv_utf16_be_bom": file_kind(
        "utf16be-bom.csv",
        Expected((ACCEPTED,)),
        lambda c: _csv_encoded(c, "u16be-bom", codecs.BOM_UTF16_BE, "utf-16-be"),
    ),
    "csv_utf16_le": file_kind(
        "utf16le.csv", Expected((ACCEPTED,)), lambda c: _csv_encoded(c, "u16le", b"", "utf-16-le")
    ),
    "csv_utf16_be": file_kind(
        "utf16be.csv", Expected((ACCEPTED,)), lambda c: _csv_encoded(c, "u16be", b"", "utf-16-be")
    ),
    "csv_undecodable": file_kind(
        "encodage-inconnu.csv",
        rejected("fichier_illisible", words=ENCODING),
        lambda c: (
            csv_text(c, "encodage")
            .replace("Rénovation", "R\ufffdnovation")
            .encode("utf-8")
            .replace("\ufffd".encode(), UNDEFINED_IN_WINDOWS_1252)
        ),
    ),
    "csv_nul_bytes": file_kind(
        "octets-nuls.csv",
        rejected("fichier_illisible"),
        lambda c: csv_text(c, "nuls").encode().replace(b"BS-2;", b"BS-2\x00\x00;"),
    ),
    "empty_csv": file_kind(
        "vide.csv", rejected(*EMPTY, forbidden=("sheet_missing",)), lambda _: b""
    ),
    # Numbers out of any bound
    "csv_amount_inf": file_kind(
        "montant-inf.csv",
        rejected(*NOT_A_NUMBER),
        lambda c: _csv_with(c, "inf", str(BS2_AMOUNT), "inf"),
    ),
    "csv_amount_minus_inf": file_kind(
        "montant-moins-inf.csv",
        rejected(*NOT_A_NUMBER),
        lambda c: _csv_with(c, "moins-inf", str(BS2_AMOUNT), "-inf"),
    ),
    "csv_amount_nan": file_kind(
        "montant-nan.csv",
        rejected(*NOT_A_NUMBER),
        lambda c: _csv_with(c, "nan", str(BS2_AMOUNT), "nan"),
    ),
    "csv_amount_1e15_text": file_kind(
        "montant-1e15.csv",
        rejected("montant_demesure"),
        lambda c: _csv_with(c, "e15", str(BS2_AMOUNT), "1E+15"),
    ),
    "xlsx_amount_1e308": file_kind(
        "montant-1e308.xlsx", rejected("montant_demesure"), _cells("e308", 2, BS2_AMOUNT, 1e308)
    ),
    "xlsx_amount_1e15": file_kind(
        "montant-1e15.xlsx", rejected("montant_demesure"), _cells("e15x", 2, BS2_AMOUNT, 1e15)
    ),
    "xlsx_nan_cell": file_kind(
        "cellule-nan.xlsx",
        rejected(*CELL_IN_ERROR, forbidden=("valeur_obligatoire",)),
        # As a tool that writes what it computed says it: openpyxl itself would
        # write NaN as an empty value, which is an empty cell.
        lambda context: rezipped(
            workbook_bytes(context, "nanx"),
            {INVESTMENTS_PART: lambda xml: xml.replace(b"<v>1200000</v>", b"<v>NaN</v>")},
        ),
    ),
    "xlsx_div0_cell": file_kind(
        "division-par-zero.xlsx",
        rejected(*CELL_IN_ERROR, forbidden=("valeur_obligatoire",)),
        _cells("div0", 2, BS2_AMOUNT, "#DIV/0!"),
    ),
    "xlsx_na_cell": file_kind(
        "valeur-na.xlsx",
        rejected(*CELL_IN_ERROR, r"type", forbidden=("valeur_obligatoire",)),
        _cells("na", 2, 2026, "#N/A"),
    ),
    "negative_amount": file_kind(
        "montant-negatif.xlsx", rejected("positif"), _cells("negatif", 2, BS2_AMOUNT, -1200)
    ),
    "unknown_code": file_kind(
        "code-inconnu.xlsx",
        rejected("code_autorise"),
        lambda c: workbook_bytes(c, "code", rows=trapped_rows("code")),
    ),
    "uncomputed_formula": file_kind(
        "formule.xlsx",
        rejected("formule_sans_valeur"),
        _cells("formule", 2, BS2_AMOUNT, "=1000*1200"),
    ),
    # Years
    "tet_profile_year_99999999": file_kind(
        "export-tet.xlsx", rejected("annee_plausible"), _tet_year
    ),
    "year_typo_in_large_file": file_kind(
        "faute-de-frappe.csv",
        rejected("annee_plausible", max_findings=MAX_FINDINGS_PER_FILE + 1),
        _large_year_typo,
    ),
    # Layout
    "header_on_row_25": file_kind(
        "entete-ligne-25.xlsx",
        Expected((ACCEPTED, r".*en_?tete.*"), forbidden=("colonne_obligatoire",)),
        _edited("entete-25", _header_on_row_25),
    ),
    "sheet_over_row_limit": file_kind(
        "trop-de-lignes.xlsx",
        rejected("trop_de_lignes", forbidden=("action_declaree",)),
        _sheet_over_row_limit,
    ),
    "very_hidden_sheet_with_decoy": file_kind(
        "feuille-tres-masquee.xlsx",
        rejected("feuille_masquee"),
        _edited("tres-masquee", _very_hidden_with_decoy),
    ),
    "hidden_sheet": file_kind(
        "feuille-masquee.xlsx", rejected("feuille_masquee"), _edited("masquee", _hide_investments)
    ),
    "twin_sheets": file_kind(
        "feuilles-en-double.xlsx",
        rejected("feuilles_en_double"),
        _edited("en-double", _twin_investments),
    ),
    "duplicated_header": file_kind(
        "colonne-double.xlsx",
        rejected("colonne_en_double"),
        _edited("double", _duplicate_title_column),
    ),
    "another_campaign": file_kind(
        "campagne-2025.xlsx",
        rejected("campagne_differente"),
        lambda c: workbook_bytes(c, "c2025", campaign_id="2025"),
    ),
    "another_partner": file_kind(
        "modele-du-chu.xlsx",
        rejected("partenaire_different"),
        lambda c: workbook_bytes(c, "chu", partner_id="chu"),
    ),
    # Names
    "name_over_220_bytes": file_kind(
        "Plan climat " + "é" * 110 + ".xlsx", Expected((ACCEPTED,)), _valid("long")
    ),
    "name_not_utf8": file_kind(b"donn\xe9es-2026.xlsx", Expected((ACCEPTED,)), _valid("latin1")),
    "name_html": file_kind(f"{IMG}.xlsx", Expected((ACCEPTED,)), _valid("html")),
    "name_rich_markup": file_kind(
        "[bold red]urgent[reset] plan.xlsx", Expected((ACCEPTED,)), _valid("rich")
    ),
    "name_starts_with_equals": file_kind("=1+1 plan.xlsx", Expected((ACCEPTED,)), _valid("egal")),
    # Formula and markup text in cells
    "csv_formula_cells": file_kind("formules.csv", rejected("code_autorise"), _formula_csv),
    "ods_formula_cells": file_kind("formules.ods", rejected("code_autorise"), _formula_ods),
    "script_in_cells": file_kind(
        "script.xlsx",
        rejected("code_autorise"),
        lambda c: workbook_bytes(c, "script", rows=trapped_rows("script", SCRIPT, sector=SCRIPT)),
    ),
    # What is not a regular file of the partner's own
    "symlink_to_other_partner_file": _entry_kind(
        "plan-du-voisin.xlsx", NOT_ORDINARY, lambda c, path: path.symlink_to(c.other_partner_file)
    ),
    "symlink_to_etc_passwd": _entry_kind(
        "passwd.csv", NOT_ORDINARY, lambda _, path: path.symlink_to("/etc/passwd")
    ),
    "symlink_to_directory": _entry_kind(
        "etc.xlsx", NOT_ORDINARY, lambda _, path: path.symlink_to("/etc")
    ),
    "fifo": _entry_kind("tube.csv", NOT_ORDINARY, lambda _, path: os.mkfifo(path)),
    "subfolder": _entry_kind("archives-2025", Expected(notice="subfolder", read=False), _subfolder),
    "subfolder_named_as_formula": _entry_kind(
        "=cmd|' -C calc'!A0", Expected(notice="subfolder", read=False), _subfolder
    ),
    "unknown_partner_folder": _unknown_partner_folder,
    "future_mtime": _future_mtime,
    "office_lock_file": file_kind(
        "~$plan.xlsx",
        Expected(notice="lock_file", read=False),
        lambda _: b"\x0bjdupont" + bytes(150),
    ),
    "libreoffice_lock_file": file_kind(
        ".~lock.plan.ods#",
        Expected(notice="lock_file", read=False),
        lambda _: b"J Dupont,jdupont,poste,01.01.2026;",
    ),
    "dropped_twice": _dropped_twice,
    # Not a workbook at all
    "text_file": file_kind(
        "notes.txt", UNSUPPORTED, lambda _: b"Nos actions 2026 : voir le classeur.\n"
    ),
    "pdf_file": file_kind(
        "plan.pdf", UNSUPPORTED, lambda _: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ),
    "no_extension": file_kind("plan", UNSUPPORTED, lambda c: workbook_bytes(c, "sans-extension")),
    # Last for its partner: the order of arrival decides what stays loaded
    "earlier_version_sent_again": _earlier_version_again,
}
"""Every kind, in the order its entries are dropped."""

LAST_KIND = "earlier_version_sent_again"


def _empty_zip() -> bytes:
    stream = io.BytesIO()
    zipfile.ZipFile(stream, "w").close()
    return stream.getvalue()


def place(drop: Drop, inbox_root: Path, partner_id: str) -> Path:
    """Create ``drop`` in the inbox and return its path (as bytes-safe ``Path``)."""
    folder = inbox_root / (partner_id if drop.folder is None else drop.folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(os.fsencode(folder) + b"/" + os.fsencode(drop.name)))
    if drop.make is not None:
        drop.make(path)
    else:
        assert drop.content is not None
        path.write_bytes(drop.content)
    return path


def remove_scratch(context: CorpusContext) -> None:
    shutil.rmtree(context.scratch, ignore_errors=True)
