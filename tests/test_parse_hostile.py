"""Workbooks built to hurt the reader get an answer before any reader opens them:
cells far away, DTDs and entities, malformed XML, repeated rows, odd encodings."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from climate_contract.parse import parse_submission
from climate_contract.template import write_workbook
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
