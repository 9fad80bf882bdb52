"""Workbooks built to hurt the reader get an answer before any reader opens them:
cells far away, DTDs and entities, malformed XML, repeated rows, odd encodings."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from climate_contract.parse import ParsedSubmission, parse_submission
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
    workbook["Actions"].sheet_state = "veryHidden"
    decoy = workbook.copy_worksheet(workbook["Actions"])
    decoy.title = "actions"
    decoy.sheet_state = "visible"
    workbook.save(tmp_path / "leurre.xlsx")

    findings = _validated(tmp_path / "leurre.xlsx", reference)

    assert [(f.rule, f.sheet) for f in findings] == [("feuille_masquee", "Actions")]


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

    assert [(f.rule, f.sheet) for f in findings] == [("entetes_introuvables", "Actions")]
    assert "« Référence de l'action »" in findings[0].message.fr
