"""Workbooks built to hurt the reader get an answer before any reader opens them:
cells far away, DTDs and entities, malformed XML, repeated rows, odd encodings."""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from climate_contract.parse import FileLimits, ParsedSubmission, parse_submission
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from tests.scenario import WORKED_EXAMPLE

ACTIONS_PART = "xl/worksheets/sheet2.xml"  # the template's sheets: Instructions, Actions…
FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _template(tmp_path: Path, reference) -> Path:
    rows = WORKED_EXAMPLE["bailleur-social"]
    return write_workbook(tmp_path / "base.xlsx", reference, "bailleur-social", "2026", rows)


def _rewritten(source: Path, target: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, edit(data) if item.filename == part else data)
    return target


def _only_finding(path: Path, reference) -> tuple:
    (finding,) = parse_submission(path, reference, partner_id="bailleur-social").findings
    return finding.rule, finding.sheet, finding.message.fr


def test_one_cell_at_the_far_corner_is_refused_before_the_reader_allocates_it(
    tmp_path: Path, reference
) -> None:
    hostile = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "loin.xlsx",
        ACTIONS_PART,
        lambda xml: xml.replace(b"</sheetData>", FAR_CELL + b"</sheetData>"),
    )

    rule, sheet, message = _only_finding(hostile, reference)

    assert (rule, sheet) == ("trop_de_lignes", "Actions")
    assert "1\u202f048\u202f576 lignes et 16\u202f384 colonnes" in message


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-expansion", "external-entity"],
)
def test_a_dtd_or_entity_in_a_sheet_is_refused(tmp_path: Path, reference, declaration) -> None:
    hostile = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "dtd.xlsx",
        ACTIONS_PART,
        lambda xml: re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m[0] or b"") + declaration, xml),
    )

    rule, _, message = _only_finding(hostile, reference)

    assert rule == "fichier_illisible"
    assert "déclarations interdites" in message


def test_malformed_xml_is_an_answer_not_a_crash(tmp_path: Path, reference) -> None:
    hostile = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "casse.xlsx",
        ACTIONS_PART,
        lambda xml: xml.replace(b"</sheetData>", b"<row><c></sheetData>"),
    )

    rule, _, message = _only_finding(hostile, reference)

    assert rule == "fichier_illisible"
    assert "endommagé" in message
    assert "Detail" not in message


def test_a_declared_dimension_alone_is_no_reason_to_refuse(tmp_path: Path, reference) -> None:
    declared = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "dimension.xlsx",
        ACTIONS_PART,
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml
        ),
    )

    assert parse_submission(declared, reference, partner_id="bailleur-social").findings == []


def test_an_ods_row_repeated_a_million_times_is_refused_unread(tmp_path: Path, reference) -> None:
    path = tmp_path / "repete.ods"
    pd.DataFrame({"Référence de l'action": ["A-1"]}).to_excel(
        path, sheet_name="Actions", index=False, engine="odf"
    )
    hostile = _rewritten(
        path,
        tmp_path / "repete-hostile.ods",
        "content.xml",
        lambda xml: xml.replace(
            b"<table:table-row>", b'<table:table-row table:number-rows-repeated="1000000">', 1
        ),
    )

    rule, sheet, _ = _only_finding(hostile, reference)

    assert (rule, sheet) == ("trop_de_lignes", "Actions")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_csv_in_unicode_with_or_without_its_mark_is_read(
    tmp_path: Path, reference, encoding: str
) -> None:
    from climate_contract.template import write_workbook as write

    utf8 = write(
        tmp_path / "plan.csv",
        reference,
        "bailleur-social",
        "2026",
        WORKED_EXAMPLE["bailleur-social"],
    )
    converted = tmp_path / f"plan-{encoding}.csv"
    converted.write_bytes(utf8.read_bytes().decode("utf-8-sig").encode(encoding))

    parsed = parse_submission(converted, reference, partner_id="bailleur-social")

    assert parsed.findings == []
    assert parsed.sheets["actions"].table.num_rows == 2


def test_a_csv_in_no_known_encoding_is_told_so(tmp_path: Path, reference) -> None:
    path = tmp_path / "inconnu.csv"
    path.write_bytes("Actions\nRéférence\n".encode() + b"\x81\x8d\x8f\x90\x9d\n")

    rule, _, message = _only_finding(path, reference)

    assert rule == "fichier_illisible"
    assert "CSV UTF-8" in message


def _validated(path: Path, reference, campaign_id: str = "2026") -> list:
    parsed = parse_submission(path, reference, partner_id="bailleur-social")
    return validate_submission(parsed, reference, "bailleur-social", campaign_id)


def test_a_hidden_contract_sheet_is_never_read_even_beside_a_visible_decoy(
    tmp_path: Path, reference
) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, reference))
    workbook["Investissements"].sheet_state = "veryHidden"
    decoy = workbook.copy_worksheet(workbook["Investissements"])
    decoy.title = "Investments"  # the English name: the same contract sheet
    decoy.sheet_state = "visible"
    workbook.save(tmp_path / "leurre.xlsx")

    findings = [f for f in _validated(tmp_path / "leurre.xlsx", reference) if f.severity == "error"]

    assert [(f.rule, f.sheet) for f in findings] == [("feuille_masquee", "Investissements")]
    assert "La feuille visible « Investments » qui porte le même nom" in findings[0].message.fr
    assert 'The visible sheet "Investments"' in findings[0].message.en


def test_a_duplicated_header_is_a_finding_naming_both_columns(tmp_path: Path, reference) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, reference))
    investments = workbook["Investissements"]
    investments.cell(row=1, column=7, value="Montant (€)")
    investments.cell(row=2, column=7, value=1_000_000)
    workbook.save(tmp_path / "double.xlsx")

    findings = _validated(tmp_path / "double.xlsx", reference)

    errors = [(f.rule, f.sheet, f.row, f.column) for f in findings if f.severity == "error"]
    assert errors == [("colonne_en_double", "Investissements", 1, "G")]
    assert "Les colonnes C et G" in findings[0].message.fr


def test_a_workbook_of_another_campaign_is_refused(tmp_path: Path, reference) -> None:
    path = write_workbook(
        tmp_path / "2025.xlsx",
        reference,
        "bailleur-social",
        "2025",
        WORKED_EXAMPLE["bailleur-social"],
    )

    (finding,) = [f for f in _validated(path, reference, "2026") if f.severity == "error"]

    assert (finding.rule, finding.value) == ("campagne_differente", "2025")
    assert "campagne 2026 qui est ouverte" in finding.message.fr


def test_an_actions_sheet_over_the_limits_does_not_cascade_into_every_other_row(
    tmp_path: Path, reference
) -> None:
    path = _template(tmp_path, reference)
    full = parse_submission(path, reference, partner_id="bailleur-social")
    others = {name: sheet for name, sheet in full.sheets.items() if name != "actions"}

    findings = validate_submission(ParsedSubmission(path, others), reference, "bailleur-social")

    assert [f.rule for f in findings] == []


def test_a_cached_formula_error_is_told_as_such_not_as_a_blank(tmp_path: Path, reference) -> None:
    hostile = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "div0.xlsx",
        "xl/worksheets/sheet3.xml",  # Investissements
        lambda xml: re.sub(
            rb'<c r="C2"[^>]*>.*?</c>', b'<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml
        ),
    )

    findings = [f for f in _validated(hostile, reference) if f.severity == "error"]

    assert [(f.rule, f.sheet, f.row, f.column, f.value) for f in findings] == [
        ("erreur_de_calcul", "Investissements", 2, "C", "#DIV/0!")
    ]
    assert "erreur de calcul (#DIV/0!)" in findings[0].message.fr


def test_headers_far_down_the_sheet_are_one_clear_finding(tmp_path: Path, reference) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, reference))
    actions = workbook["Actions"]
    actions.insert_rows(1, amount=24)  # the headers now stand on row 25…
    actions["A1"] = "Plan d'actions climat de notre établissement"  # …under a title
    workbook.save(tmp_path / "bas.xlsx")

    findings = [f for f in _validated(tmp_path / "bas.xlsx", reference) if f.severity == "error"]

    assert [(f.rule, f.sheet, f.row) for f in findings] == [("entetes_introuvables", "Actions", 25)]
    assert "ils sont en ligne 25 : supprimez les lignes qui les précèdent" in findings[0].message.fr
    assert "« Référence de l'action »" in findings[0].message.fr


def test_a_sheet_without_headers_says_what_its_first_row_holds(tmp_path: Path, reference) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, reference))
    workbook["Impacts"].delete_rows(1)  # the headers
    workbook.save(tmp_path / "sans-entetes.xlsx")

    findings = [
        f for f in _validated(tmp_path / "sans-entetes.xlsx", reference) if f.severity == "error"
    ]

    assert [(f.rule, f.sheet) for f in findings] == [("entetes_introuvables", "Impacts")]
    assert "(ligne 1) porte « BS-2 », « Gaz naturel économisé », « 2000 »" in findings[0].message.fr
    assert '(expected: "Action reference"' in findings[0].message.en


END_OF_CHAIN, FREE_SECTOR, FAT_SECTOR, NO_ENTRY = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff8(sheets: dict[str, list[list]]) -> bytes:
    """An Excel 97-2003 "Workbook" stream: BOF, CODEPAGE, one BOUNDSHEET per sheet
    and EOF, then each sheet's BOF, DIMENSIONS, LABEL and NUMBER cells and EOF."""

    def begin(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    bodies = []
    for rows in sheets.values():
        cells = b""
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row):
                where = struct.pack("<HHH", row_index, column_index, 15)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cells += _record(0x0203, where + struct.pack("<d", value))
                elif value is not None:
                    text = str(value)
                    cells += _record(
                        0x0204, where + struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")
                    )
        width = max((len(row) for row in rows), default=0)
        dimensions = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        bodies.append(begin(0x10) + dimensions + cells + _record(0x000A, b""))

    def workbook_globals(offsets: list[int]) -> bytes:
        records = begin(0x05) + _record(0x0042, struct.pack("<H", 1200))
        for name, offset in zip(sheets, offsets, strict=True):
            encoded = struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le")
            records += _record(0x0085, encoded)
        return records + _record(0x000A, b"")

    offsets, at = [], len(workbook_globals([0] * len(sheets)))
    for body in bodies:
        offsets.append(at)
        at += len(body)
    return workbook_globals(offsets) + b"".join(bodies)


def _ole2(streams: dict[str, bytes]) -> bytes:
    """A compound file (version 3, 512-byte sectors): header, one FAT sector, one
    directory sector, then each stream padded to at least 4096 bytes so that it
    lives in regular sectors."""
    fat, data, entries, first = [FAT_SECTOR, END_OF_CHAIN], b"", [], 2
    for name, content in streams.items():
        padded = content.ljust(max(4096, -(-len(content) // 512) * 512), b"\0")
        count = len(padded) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [END_OF_CHAIN]
        entries.append((name, first, len(padded)))
        first, data = first + count, data + padded

    def entry(name: str, kind: int, right: int, child: int, sector: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        fields = struct.pack("<HBBIII", len(encoded), kind, 1, NO_ENTRY, right, child)
        return (
            encoded.ljust(64, b"\0") + fields + b"\0" * 36 + struct.pack("<II", sector, size)
        ).ljust(128, b"\0")

    directory = entry("Root Entry", 5, NO_ENTRY, 1, END_OF_CHAIN, 0)
    for index, (name, sector, size) in enumerate(entries):
        following = index + 2 if index + 1 < len(entries) else NO_ENTRY
        directory += entry(name, 2, following, NO_ENTRY, sector, size)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *[FREE_SECTOR] * 108)
    )
    fat += [FREE_SECTOR] * (128 - len(fat))
    return header + struct.pack("<128I", *fat) + directory.ljust(512, b"\0") + data


def _legacy_copy(source: Path, target: Path) -> Path:
    """The workbook ``source`` saved as Excel 97-2003 would, under the name ``target``."""
    workbook = openpyxl.load_workbook(source)
    sheets = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook
    }
    target.write_bytes(_ole2({"Workbook": _biff8(sheets)}))
    return target


def test_a_legacy_xls_named_xlsx_is_read_as_what_it_is_with_a_word_on_its_name(
    tmp_path: Path, reference
) -> None:
    original = _template(tmp_path, reference)
    legacy = _legacy_copy(original, tmp_path / "ancien.xlsx")

    parsed = parse_submission(legacy, reference, partner_id="bailleur-social")

    notice, *others = validate_submission(parsed, reference, "bailleur-social", "2026")
    assert (notice.severity, notice.rule) == ("warning", "extension_incorrecte")
    assert "Excel 97-2003 (.xls) nommé « .xlsx »" in notice.message.fr
    assert "mot de passe" not in notice.message.fr
    assert others == _validated(original, reference)
    assert parsed.sheets["actions"].table["action_ref"].to_pylist() == ["BS-1", "BS-2"]


def test_only_an_encryption_stream_makes_a_file_password_protected(
    tmp_path: Path, reference
) -> None:
    protected = tmp_path / "protege.xlsx"
    protected.write_bytes(_ole2({"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"\0" * 8}))
    # A legacy workbook whose cells happen to say "EncryptionInfo".
    talkative = tmp_path / "bavard.xls"
    talkative.write_bytes(_ole2({"Workbook": _biff8({"Notes": [["EncryptionInfo"]]})}))
    document = tmp_path / "lettre.xlsx"
    document.write_bytes(_ole2({"WordDocument": b"\0" * 64}))

    (password,) = parse_submission(protected, reference).findings
    talkative_findings = parse_submission(talkative, reference).findings
    (not_a_workbook,) = parse_submission(document, reference).findings

    assert password.rule == "fichier_illisible"
    assert "protégé par un mot de passe" in password.message.fr
    assert {f.rule for f in talkative_findings} == {"sheet_missing"}
    assert not_a_workbook.rule == "fichier_illisible"
    assert "Detail" not in not_a_workbook.message.en
    assert "WordDocument" not in not_a_workbook.message.en


def test_a_sheet_within_rows_and_columns_but_not_cells_is_refused_before_any_reader(
    tmp_path: Path, reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Row 20,000 and column ALL (1,000): each within its limit, 20 million cells
    # together, which the reader would allocate (800 MB) from a 5 KB file.
    corner = b'<row r="20000"><c r="ALL20000" t="inlineStr"><is><t>x</t></is></c></row>'
    hostile = _rewritten(
        _template(tmp_path, reference),
        tmp_path / "rectangle.xlsx",
        ACTIONS_PART,
        lambda xml: xml.replace(b"</sheetData>", corner + b"</sheetData>"),
    )
    monkeypatch.setattr(
        "climate_contract.parse.grid.CalamineWorkbook", None
    )  # any reader opening it fails the test

    rule, sheet, message = _only_finding(hostile, reference)

    assert (rule, sheet) == ("trop_de_lignes", "Actions")
    assert "20\u202f000 lignes et 1\u202f000 colonnes" in message
    assert "2\u202f000\u202f000 cellules en tout" in message


def test_every_reader_measures_a_sheet_before_building_it(tmp_path: Path, reference) -> None:
    from climate_contract.parse.grid import SheetOverLimits, read_grids

    path = _template(tmp_path, reference)
    csv = write_workbook(
        tmp_path / "plan.csv",
        reference,
        "bailleur-social",
        "2026",
        WORKED_EXAMPLE["bailleur-social"],
    )

    for source in (path, csv):
        with pytest.raises(SheetOverLimits):
            read_grids(source, FileLimits(max_rows=2))
        # Room for every sheet of the template (its Instructions hold a glossary).
        assert read_grids(source, FileLimits(max_rows=500))["Actions"]


@pytest.mark.parametrize(
    ("content", "sheet"),
    [
        ("Actions\n" + "\n" * 3_000_000, "Actions"),  # 3 MB of blank lines
        ("Impacts\n" + ";" * 5_000 + "\n", "Impacts"),  # one line of 5,001 cells
    ],
    ids=["blank-lines", "wide-line"],
)
def test_a_csv_section_over_the_limits_is_refused_while_it_is_read(
    tmp_path: Path, reference, content: str, sheet: str
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(content, encoding="utf-8")

    rule, refused_sheet, _ = _only_finding(path, reference)

    assert (rule, refused_sheet) == ("trop_de_lignes", sheet)


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path, reference) -> None:
    original = _template(tmp_path, reference)
    renamed = tmp_path / "plan.csv"
    renamed.write_bytes(original.read_bytes())

    notice, *others = _validated(renamed, reference)

    assert (notice.severity, notice.rule) == ("warning", "extension_incorrecte")
    assert "Excel (.xlsx) nommé « .csv »" in notice.message.fr
    assert others == _validated(original, reference)


@pytest.mark.parametrize("where", [0.0, 0.5], ids=["bad-deflate-block", "bad-checksum"])
def test_a_damaged_member_of_the_package_is_an_answer_not_a_crash(
    tmp_path: Path, reference, where: float
) -> None:
    original = _template(tmp_path, reference)
    damaged = tmp_path / "abime.xlsx"
    raw = bytearray(original.read_bytes())
    with zipfile.ZipFile(original) as archive:
        member = archive.getinfo(ACTIONS_PART)
    # At its start, the deflated sheet declares an invalid block (zlib fails); further
    # on, it inflates to other bytes (the CRC fails).
    data_start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    at = data_start + int(member.compress_size * where)
    raw[at : at + 16] = b"\xff" * 16
    damaged.write_bytes(bytes(raw))

    rule, _, message = _only_finding(damaged, reference)

    assert rule == "fichier_illisible"
    assert "endommagé" in message


AMOUNT_CELL = b'<table:table-cell office:value-type="float" office:value="1200000">'
AMOUNT_CELL += b"<text:p>1200000</text:p></table:table-cell>"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        # LibreOffice keeps a stand-in value (0) beside the error it shows.
        (
            b'<table:table-cell table:formula="of:=1/0" office:value-type="float" '
            b'office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
            b"</table:table-cell>",
            "#DIV/0!",
        ),
        (
            b'<table:table-cell office:value-type="float" office:value="NaN">'
            b"<text:p>NaN</text:p></table:table-cell>",
            "NaN",
        ),
    ],
    ids=["error-with-stand-in-value", "nan"],
)
def test_an_ods_cell_in_error_is_told_as_such_never_read_as_its_stand_in(
    tmp_path: Path, reference, cell: bytes, shown: str
) -> None:
    original = write_workbook(
        tmp_path / "base.ods",
        reference,
        "bailleur-social",
        "2026",
        WORKED_EXAMPLE["bailleur-social"],
    )
    hostile = _rewritten(
        original, tmp_path / "erreur.ods", "content.xml", lambda xml: xml.replace(AMOUNT_CELL, cell)
    )

    errors = [f for f in _validated(hostile, reference) if f.severity == "error"]

    assert [(f.rule, f.sheet, f.row, f.column, f.value) for f in errors] == [
        ("erreur_de_calcul", "Investissements", 3, "C", shown)
    ]
    assert f"erreur de calcul ({shown})" in errors[0].message.fr


def test_a_csv_cell_showing_a_formula_error_is_told_as_such(tmp_path: Path, reference) -> None:
    csv = write_workbook(
        tmp_path / "plan.csv",
        reference,
        "bailleur-social",
        "2026",
        WORKED_EXAMPLE["bailleur-social"],
    )
    text = csv.read_text(encoding="utf-8-sig").replace(";1200000;", ";#DIV/0!;")
    csv.write_text(text, encoding="utf-8-sig")

    errors = [f for f in _validated(csv, reference) if f.severity == "error"]

    assert [(f.rule, f.column, f.value) for f in errors] == [("erreur_de_calcul", "C", "#DIV/0!")]
    assert "remplissez" not in errors[0].message.fr
