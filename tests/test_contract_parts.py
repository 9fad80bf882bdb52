"""The contract's optional parts: a campaign collects only those it turns on, and a
part's figures go from the partner's workbook to its mart under the disclosure rules."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
import sqlalchemy as sa

from climate_contract import aggregate, load, pipeline, warehouse
from climate_contract.contract import ACTIONS
from climate_contract.findings import has_errors
from climate_contract.parse import ParsedSheet, ParsedSubmission, parse_submission
from climate_contract.reference import Commune, ReferenceFileError, load_reference_data
from climate_contract.samples import sample_rows
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from tests.scenario import DISCLOSURE_SCENARIO, _action, _impact, _investment

JOBS_HEADERS_FR = ["Emplois créés (ETP)", "Emplois consolidés (ETP)", "Activité créée"]
JOBS_HEADERS_EN = ["Jobs created (FTE)", "Jobs consolidated (FTE)", "Activity created"]
WITH_JOBS, WITHOUT_JOBS = "2026", "2025"
"""Campaigns of the shipped reference: 2026 turns the jobs part on, 2025 does not."""
SHIPPED_PARTS = "parts: [jobs, self_assessment, roadmap]"
"""How the shipped reference's campaign 2026 turns its parts on."""


def _rows(**jobs) -> dict:
    return {
        "actions": [_action("A-1", "Recyclerie", "economie_circulaire", "dechets", **jobs)],
        "investments": [_investment("A-1", 2026, 80_000)],
        "impacts": [_impact("A-1", "ges_evites", 12.5, "tCO2e/an", 2027)],
    }


def _every_cell(path: Path) -> set[str]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig") as stream:
            return {cell for row in csv.reader(stream, delimiter=";") for cell in row}
    if path.suffix == ".ods":
        import pandas as pd

        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="odf")
        return {str(cell) for frame in sheets.values() for cell in frame.to_numpy().ravel()}
    workbook = openpyxl.load_workbook(path)
    return {
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }


def test_the_reference_turns_jobs_on_in_one_campaign_only(reference) -> None:
    assert "jobs" in reference.campaign(WITH_JOBS).parts
    assert "jobs" not in reference.campaign(WITHOUT_JOBS).parts


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv"])
def test_only_the_template_of_a_campaign_collecting_jobs_asks_for_them(
    tmp_path: Path, reference, suffix: str
) -> None:
    with_jobs = write_workbook(tmp_path / f"with{suffix}", reference, "chu", WITH_JOBS)
    without = write_workbook(tmp_path / f"without{suffix}", reference, "chu", WITHOUT_JOBS)
    english = write_workbook(
        tmp_path / f"english{suffix}", reference, "chu", WITH_JOBS, language="en"
    )

    assert set(JOBS_HEADERS_FR) <= _every_cell(with_jobs)
    assert set(JOBS_HEADERS_EN) <= _every_cell(english)
    # Nowhere: not on the Actions sheet, the glossary or the example.
    assert not {*JOBS_HEADERS_FR, *JOBS_HEADERS_EN} & _every_cell(without)


def test_the_template_s_jobs_columns_close_the_actions_sheet_with_their_validations(
    tmp_path: Path, reference
) -> None:
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", WITH_JOBS)
    actions = openpyxl.load_workbook(path)["Actions"]
    headers = [cell.value for cell in actions[1]]
    example = openpyxl.load_workbook(path)["Exemple"]
    example_cells = {cell for row in example.iter_rows(values_only=True) for cell in row}

    assert headers[-3:] == JOBS_HEADERS_FR
    validated = {
        str(cell_range).split(":")[0].rstrip("0123456789"): validation
        for validation in actions.data_validations.dataValidation
        for cell_range in validation.sqref.ranges
    }
    jobs_letter = openpyxl.utils.get_column_letter(headers.index(JOBS_HEADERS_FR[0]) + 1)
    activity_letter = openpyxl.utils.get_column_letter(headers.index(JOBS_HEADERS_FR[2]) + 1)
    assert validated[jobs_letter].type == "decimal"
    assert (float(validated[jobs_letter].formula1), float(validated[jobs_letter].formula2)) == (
        0,
        100_000,
    )
    assert validated[activity_letter].type == "list"
    assert set(JOBS_HEADERS_FR) <= example_cells


def test_jobs_typed_in_the_template_are_read_back(tmp_path: Path, reference) -> None:
    path = write_workbook(
        tmp_path / "chu.xlsx",
        reference,
        "chu",
        WITH_JOBS,
        _rows(jobs_created=2.5, jobs_consolidated=None, activity_created=True),
    )
    parsed = parse_submission(path, reference, campaign=reference.campaign(WITH_JOBS))

    table = parsed.sheets["actions"].table
    assert table.column("jobs_created").to_pylist() == [2.5]
    assert table.column("jobs_consolidated").to_pylist() == [None]
    assert table.column("activity_created").to_pylist() == [True]
    assert validate_submission(parsed, reference, "chu", WITH_JOBS) == []


def test_jobs_below_zero_over_the_bound_or_unreadable_are_errors_where_typed(
    tmp_path: Path, reference
) -> None:
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", WITH_JOBS, _rows())
    workbook = openpyxl.load_workbook(path)
    actions = workbook["Actions"]
    headers = [cell.value for cell in actions[1]]
    for header, typed in zip(JOBS_HEADERS_FR, (-1, 250_000, "beaucoup"), strict=True):
        actions.cell(row=2, column=headers.index(header) + 1, value=typed)
    workbook.save(path)

    findings = validate_submission(parse_submission(path, reference), reference, "chu")

    told = {(f.rule, f.row, f.header.fr if f.header else None) for f in findings}
    assert ("positif", 2, "Emplois créés (ETP)") in told
    assert ("emplois_demesures", 2, "Emplois consolidés (ETP)") in told
    assert ("type", 2, "Activité créée") in told
    assert has_errors(findings)
    over = next(f for f in findings if f.rule == "emplois_demesures")
    assert "100\u202f000" in over.message.fr
    assert "100,000" in over.message.en


def test_the_suite_holds_jobs_to_the_contract_s_bounds(reference) -> None:
    """Jobs that reach the suite without the parser's check (a sheet built in code)
    are still held to the contract's bounds."""
    values = {column.name: [None, None] for column in ACTIONS.columns}
    values |= {
        "action_ref": ["A-1", "A-2"],
        "title": ["Un", "Deux"],
        "plan_axis": ["mobilites"] * 2,
        "sector": ["transport_routier"] * 2,
        "status": ["engagee"] * 2,
        "start_year": [2026, 2026],
        "role": ["porteur"] * 2,
        "confidential": [False, False],
        "jobs_created": [-0.5, 3.0],
        "jobs_consolidated": [2.0, 100_001.0],
    }
    table = pa.table(
        values | {"source_row": [2, 3]},
        schema=pa.schema(
            [(column.name, column.arrow_type) for column in ACTIONS.columns]
            + [("source_row", pa.int64())]
        ),
    )
    letters = {column.name: chr(ord("A") + i) for i, column in enumerate(ACTIONS.columns)}
    parsed = ParsedSubmission(Path("built.xlsx"))
    parsed.sheets["actions"] = ParsedSheet(ACTIONS, "Actions", table, 1, letters)

    findings = validate_submission(parsed, reference)

    assert {(f.rule, f.row, f.value) for f in findings if f.rule == "emplois_hors_bornes"} == {
        ("emplois_hors_bornes", 2, "-0.5"),
        ("emplois_hors_bornes", 3, "100001"),
    }


def test_jobs_sent_to_a_campaign_that_does_not_collect_them_are_told_and_not_kept(
    make_settings, reference
) -> None:
    settings: Settings = make_settings().model_copy(update={"campaign": WITHOUT_JOBS})
    # A CSV names no campaign: written with the jobs columns, it is read for 2025.
    inbox = settings.shared_folder("inbox", "chu")
    write_workbook(
        inbox / "chu.csv",
        reference,
        "chu",
        WITH_JOBS,
        _rows(jobs_created=4, jobs_consolidated=1, activity_created=False),
    )

    (outcome,) = pipeline.run_collection(settings)

    assert outcome.status == "accepted"
    engine = warehouse.engine_for(settings.url)
    findings = load.submission_findings(engine, outcome.submission_id)
    told = [f for f in findings if f.rule == "partie_non_collectee"]
    assert [f.severity for f in told] == ["warning"] * 3
    for finding, header in zip(told, JOBS_HEADERS_FR, strict=True):
        assert f"La campagne 2025 ne collecte pas la colonne « {header} »" in finding.message.fr
    with engine.connect() as connection:
        kept = connection.execute(
            sa.text(
                "SELECT jobs_created, jobs_consolidated, activity_created, title FROM core.actions"
            )
        ).all()
    assert [tuple(row) for row in kept] == [(None, None, None, "Recyclerie")]
    assert aggregate.read_mart(engine, "jobs_by_territory").num_rows == 0
    engine.dispose()


def test_a_territory_collecting_no_part_publishes_nothing_of_it(make_settings) -> None:
    shipped = PROJECT_ROOT / "reference"
    settings: Settings = make_settings()
    own = settings.data_dir.parent / "reference"
    shutil.copytree(shipped, own)
    campaigns = own / "campaigns.yaml"
    campaigns.write_text(
        re.sub(r", parts: \[[^]]*\]", "", campaigns.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    settings = settings.model_copy(update={"reference_dir": own})
    reference = pipeline.reference_data(settings)
    assert all(campaign.parts == () for campaign in reference.campaigns)
    write_workbook(
        settings.shared_folder("inbox", "chu") / "chu.xlsx",
        reference,
        "chu",
        WITH_JOBS,
        sample_rows("chu", WITH_JOBS),
    )

    (outcome,) = pipeline.run_collection(settings)
    pipeline.publish_marts(settings)

    assert outcome.status == "accepted"
    current = settings.data_dir / "published" / "current"
    published = {path.stem for path in current.glob("*.parquet")}
    unused = {"jobs_by_territory", "maturity_by_theme", "maturity_change", "roadmap_progress"}
    assert not unused & published
    assert published == set(aggregate.mart_names()) - unused
    assert not [path for path in current.rglob("*jobs*")]
    reports = [page for page in current.rglob("*.html") if "docs" not in page.parts]
    assert reports
    for page in reports:
        assert "Emplois" not in page.read_text(encoding="utf-8")


def test_jobs_reach_their_mart_by_commune_counted_once_and_confidential_ones_only_pooled(
    warehouse_settings: Settings, reference
) -> None:
    """DISCLOSURE_SCENARIO's jobs: public leads in communes named by name, by code
    and by a name two communes share, a co-funder that repeats its lead's jobs,
    confidential actions of three partners (one abandoned, one co-funder), and one
    confidential activity."""
    for partner_id, rows in DISCLOSURE_SCENARIO.items():
        inbox = warehouse_settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, WITH_JOBS, rows)
    outcomes = pipeline.run_collection(warehouse_settings)
    assert {outcome.status for outcome in outcomes} == {"accepted"}

    engine = warehouse.engine_for(warehouse_settings.url)
    mart = aggregate.read_mart(engine, "jobs_by_territory").to_pylist()
    costs = {
        row["measure"]: (row["pooled_figures"], row["deduplicated_withheld"])
        for row in aggregate.read_mart(engine, "suppression_summary").to_pylist()
    }
    engine.dispose()
    rows = {(row["commune_code"], row["plan_axis"]): row for row in mart}

    def figures(commune: str, axis: str) -> tuple:
        row = rows[(commune, axis)]
        return (
            row["commune_name"],
            row["epci_name"],
            row["action_count"],
            row["partner_count"],
            *(
                None if row[name] is None else float(row[name])
                for name in ("jobs_created", "jobs_consolidated", "activities_created")
            ),
            row["suppressed_reason"],
        )

    assert len(rows) == len(mart) == 4
    # The lead's 4.5 jobs and activity; the co-funders' 4.5 (public U-2,
    # confidential BQ-1) are the same jobs.
    assert figures("21231", "energies_renouvelables") == (
        "Dijon",
        "Dijon Métropole",
        1,
        1,
        4.5,
        0.0,
        1.0,
        None,
    )
    assert figures("21166", "sobriete_efficacite") == (
        "Chenôve",
        "Dijon Métropole",
        1,
        1,
        2.0,
        10.0,
        0.0,
        None,
    )
    assert figures("non_identifiee", "sobriete_efficacite") == (
        None,
        None,
        1,
        1,
        0.0,
        1.5,
        0.0,
        None,
    )
    # BQ-2 3.25, CH-1 1.75, CA-1 2.5 (PI-1 is abandoned); CH-1's activity is alone
    # in its pool: withheld, and so are the pool's counts, which would tell it.
    assert (costs["jobs_created"], costs["activities_created"]) == ((1, 0), (1, 1))
    assert "jobs_consolidated" not in costs  # no confidential action declares any
    assert figures("confidentiel", "confidentiel") == (
        None,
        None,
        None,
        None,
        7.5,
        0.0,
        None,
        "confidential",
    )


def _workbook_with_jobs_typed(path: Path, reference, campaign_id: str, typed: dict) -> Path:
    """A template of ``campaign_id`` whose Actions sheet gets the jobs columns (added
    after the last one where the template has none) with ``typed`` in row 2, and
    ``{"P9": 12}``-like cells anywhere else."""
    write_workbook(path, reference, "chu", campaign_id, _rows())
    workbook = openpyxl.load_workbook(path)
    actions = workbook["Actions"]
    headers = [cell.value for cell in actions[1]]
    for header in JOBS_HEADERS_FR:
        if header not in headers:
            headers.append(header)
            actions.cell(row=1, column=len(headers), value=header)
    for name, value in typed.items():
        if name in headers:
            actions.cell(row=2, column=headers.index(name) + 1, value=value)
        else:
            actions[name] = value
    workbook.save(path)
    return path


def test_jobs_typed_for_a_campaign_that_does_not_collect_them_are_never_refused(
    tmp_path: Path, reference
) -> None:
    """Whatever a partner typed in columns the campaign does not collect, the file is
    not refused for it, and a value alone on a row makes no action of it."""
    path = _workbook_with_jobs_typed(
        tmp_path / "2025.xlsx",
        reference,
        WITHOUT_JOBS,
        {"Emplois créés (ETP)": "3 ETP", "Emplois consolidés (ETP)": -1, "Activité créée": "?"}
        | {"P9": 12},
    )

    parsed = parse_submission(path, reference, campaign=reference.campaign(WITHOUT_JOBS))
    findings = validate_submission(parsed, reference, "chu", WITHOUT_JOBS)

    assert not has_errors(findings), [(f.rule, f.row, f.column) for f in findings]
    told = [(f.rule, f.row, f.column) for f in findings]
    assert told == [
        ("partie_non_collectee", 1, "P"),
        ("partie_non_collectee", 1, "Q"),
        ("partie_non_collectee", 1, "R"),
    ]
    assert parsed.sheets["actions"].table.num_rows == 1
    assert parsed.sheets["actions"].table.column("jobs_created").to_pylist() == [None]


@pytest.mark.parametrize(
    ("typed", "read"),
    [("2,5", 2.5), ("3 ETP", 3.0), ("1 FTE", 1.0), ("12 k€", None), ("5 000 €", None)],
)
def test_jobs_are_counted_in_people_never_in_euros(
    tmp_path: Path, reference, typed: str, read: float | None
) -> None:
    path = _workbook_with_jobs_typed(
        tmp_path / "2026.xlsx", reference, WITH_JOBS, {"Emplois créés (ETP)": typed}
    )

    parsed = parse_submission(path, reference, campaign=reference.campaign(WITH_JOBS))

    assert parsed.sheets["actions"].table.column("jobs_created").to_pylist() == [read]
    refused = [f for f in parsed.findings if f.rule == "type"]
    if read is None:
        (finding,) = refused
        assert "un nombre d'emplois en équivalents temps plein" in finding.message.fr
        assert (finding.row, finding.column) == (2, "P")
    else:
        assert refused == []


@pytest.mark.parametrize(
    ("typed", "code", "rule"),
    [
        ("Dijon", "21231", None),
        ("21000", "21231", None),  # Dijon's postal code, no commune's INSEE code
        ("ARCEY", None, "commune_non_identifiee"),  # a commune of Côte-d'Or and of Doubs
        ("Dijn", None, "commune_non_identifiee"),
        ("21300", "21300", "code_postal_ou_insee"),  # Chenôve's postal code
    ],
)
def test_the_commune_of_an_action_with_jobs_is_identified_or_the_partner_is_told(
    tmp_path: Path, reference, typed: str, code: str | None, rule: str | None
) -> None:
    path = _workbook_with_jobs_typed(
        tmp_path / "2026.xlsx",
        reference,
        WITH_JOBS,
        {"Emplois créés (ETP)": 2, "Commune": typed},
    )

    parsed = parse_submission(path, reference, campaign=reference.campaign(WITH_JOBS))
    without_jobs = parse_submission(path, reference, campaign=reference.campaign(WITHOUT_JOBS))

    assert parsed.sheets["actions"].table.column("commune_code").to_pylist() == [code]
    told = [
        f for f in parsed.findings if f.rule in {"commune_non_identifiee", "code_postal_ou_insee"}
    ]
    assert [f.rule for f in told] == ([rule] if rule else [])
    if rule == "code_postal_ou_insee":
        assert "Gissey-sur-Ouche" in told[0].message.fr
        assert "Chenôve" in told[0].message.fr
        assert "21166" in told[0].message.fr
    # Where no figure is counted by commune, nothing is said of it.
    assert not {f.rule for f in without_jobs.findings} & {
        "commune_non_identifiee",
        "code_postal_ou_insee",
    }


def test_a_code_shown_without_its_leading_zero_is_still_its_commune(reference) -> None:
    ain = dataclasses.replace(
        reference, communes=(Commune(code="01053", name="Bourg-en-Bresse", postal_codes="01000"),)
    )

    assert ain.commune("1053") == ain.commune("01053") == ain.commune("Bourg en Bresse")
    assert ain.commune("1053") is not None


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (
            ["21231,Dijon,21000,,", "21231,Faux-Dijon,,,"],
            "communes.csv:3: 21231: code given twice",
        ),
        (["21231,?,21000,,"], "communes.csv:2: 21231.name: '?' names no commune"),
        (["confidentiel,Dijon,,,"], "communes.csv:2: confidentiel.code: String should match"),
    ],
)
def test_a_communes_file_that_would_mislead_is_refused_where_it_is_wrong(
    tmp_path: Path, lines: list[str], said: str
) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    header = "code,name,postal_codes,epci_code,epci_name"
    (folder / "communes.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)

    (problem,) = refused.value.problems
    assert f"{problem.path.name}:{problem.line}: {problem.message}".startswith(said)


def test_a_communes_file_saved_by_a_spreadsheet_is_read_or_refused_in_one_line(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    shipped = (PROJECT_ROOT / "reference" / "communes.csv").read_text(encoding="utf-8")
    communes = folder / "communes.csv"

    communes.write_text("\ufeff" + shipped, encoding="utf-8")  # Excel's "CSV UTF-8"
    with_bom = load_reference_data(folder)
    communes.write_text(shipped.replace(",", ";"), encoding="utf-8")
    with pytest.raises(ReferenceFileError) as semicolons:
        load_reference_data(folder)

    assert with_bom.commune("Dijon") is not None
    assert len(with_bom.communes) == shipped.count("\n") - 1
    (problem,) = semicolons.value.problems
    assert problem.line == 1
    assert "no column 'code'" in problem.message


@pytest.mark.parametrize(
    ("written", "parts"), [("[jobs]", ("jobs",)), ("jobs", ("jobs",)), ("", ()), ("[]", ())]
)
def test_a_campaign_s_parts_read_as_a_steward_writes_them(
    tmp_path: Path, written: str, parts: tuple
) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    campaigns = folder / "campaigns.yaml"
    text = campaigns.read_text(encoding="utf-8")
    campaigns.write_text(text.replace(SHIPPED_PARTS, f"parts: {written}"), encoding="utf-8")

    assert load_reference_data(folder).campaign(WITH_JOBS).parts == parts


def test_a_part_given_twice_is_refused_on_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    campaigns = folder / "campaigns.yaml"
    text = campaigns.read_text(encoding="utf-8")
    campaigns.write_text(text.replace(SHIPPED_PARTS, "parts: [jobs, jobs]"), encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)

    (problem,) = refused.value.problems
    assert "jobs given twice" in problem.message
    assert problem.line == text[: text.index(SHIPPED_PARTS)].count("\n") + 1


def test_a_jobs_header_nearly_the_template_s_is_told_not_silently_dropped(
    tmp_path: Path, reference
) -> None:
    path = _workbook_with_jobs_typed(
        tmp_path / "2026.xlsx",
        reference,
        WITH_JOBS,
        {"Emplois créés (ETP)": 3, "Activité créée": "Oui"},
    )
    workbook = openpyxl.load_workbook(path)
    workbook["Actions"]["P1"] = "Emplois créés"  # "(ETP)" left out
    workbook["Actions"]["R1"] = "Activité créée ?"
    workbook.save(path)

    parsed = parse_submission(path, reference, campaign=reference.campaign(WITH_JOBS))

    told = [(f.rule, f.severity, f.column, f.header.fr) for f in parsed.findings]
    assert told == [
        ("entete_approchant", "warning", "P", "Emplois créés (ETP)"),
        ("entete_approchant", "warning", "R", "Activité créée"),
    ]
    assert "La colonne P (« Emplois créés ») n'est pas lue" in parsed.findings[0].message.fr
