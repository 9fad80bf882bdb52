"""The contract's optional self-assessment sheet: each partner rates its maturity on
the reference's themes. A campaign that turns the part on asks for it in its template,
one row per theme; a partner may leave it out, or leave a theme unanswered; the
answers are checked and loaded with the rest of the file, and replaced with it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from climate_contract import load, pipeline, warehouse
from climate_contract.findings import has_errors
from climate_contract.load.reconciliation import (
    _fingerprint_query,
    core_fingerprints,
    reconcile_core,
)
from climate_contract.parse import parse_submission
from climate_contract.reference import ReferenceData, ReferenceFileError, load_reference_data
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from climate_contract.validate import validate_submission
from tests.scenario import _action, _impact, _investment

CAMPAIGN = "2026"
SHEET_FR, SHEET_EN = "Autodiagnostic", "Self-assessment"
THEMES_FR = [
    "Pilotage de la performance environnementale",
    "Énergie",
    "Déchets",
    "Mobilité",
    "Alimentation durable",
    "Eau",
    "Biodiversité",
]
"""The seven themes of the Grand Poitiers referential, as the shipped reference
labels them."""


def _rows(*answers: dict) -> dict:
    return {
        "actions": [_action("A-1", "Recyclerie", "economie_circulaire", "dechets")],
        "investments": [_investment("A-1", 2026, 80_000)],
        "impacts": [_impact("A-1", "ges_evites", 12.5, "tCO2e/an", 2027)],
        "self_assessment": list(answers),
    }


def _answer(theme: str, level: str, justification: str | None = "Plan adopté.") -> dict:
    return {"theme": theme, "maturity_level": level, "justification": justification}


def _reference_without_the_part(tmp_path: Path) -> Path:
    """The shipped reference where no campaign collects the self-assessment, and the
    code lists have none of its lists."""
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    campaigns = folder / "campaigns.yaml"
    text = campaigns.read_text(encoding="utf-8")
    text = text.replace(", parts: [self_assessment]", "").replace(", self_assessment]", "]")
    campaigns.write_text(text, encoding="utf-8")
    code_lists = folder / "code_lists.yaml"
    text = code_lists.read_text(encoding="utf-8")
    code_lists.write_text(text[: text.index("# The contract's optional self-assessment")])
    return folder


def test_a_territory_without_the_part_needs_none_of_its_lists_and_sees_no_sheet(
    tmp_path: Path,
) -> None:
    reference = load_reference_data(_reference_without_the_part(tmp_path))
    assert "maturity_theme" not in reference.code_lists

    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN)
    workbook = openpyxl.load_workbook(path)

    assert SHEET_FR not in workbook.sheetnames
    cells = {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    # ("Déchets" is also a sector: not a sign of the part.)
    assert not {SHEET_FR, "Niveau de maturité", THEMES_FR[0]} & cells


def test_a_campaign_collecting_the_part_without_its_lists_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    code_lists = folder / "code_lists.yaml"
    text = code_lists.read_text(encoding="utf-8")
    code_lists.write_text(text[: text.index("# The maturity scale")], encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)

    assert [problem.message for problem in refused.value.problems] == [
        "code list 'maturity_level' missing"
    ]


def test_a_maturity_level_that_is_no_rank_is_refused_on_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    code_lists = folder / "code_lists.yaml"
    text = code_lists.read_text(encoding="utf-8")
    code_lists.write_text(text.replace('{code: "3",', "{code: structure,"), encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)

    (problem,) = refused.value.problems
    assert "structure: a maturity level is a whole number" in problem.message
    lines = code_lists.read_text(encoding="utf-8").splitlines()
    assert "{code: structure," in lines[problem.line - 1]


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv"])
def test_the_template_asks_each_theme_on_its_own_row(
    tmp_path: Path, reference: ReferenceData, suffix: str
) -> None:
    path = write_workbook(tmp_path / f"chu{suffix}", reference, "chu", CAMPAIGN)

    parsed = parse_submission(path, reference, campaign=reference.campaign(CAMPAIGN))

    # Nothing answered yet: the themes the template wrote are no data.
    assert parsed.sheets["self_assessment"].table.num_rows == 0
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path)[SHEET_FR]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Thème", "Niveau de maturité", "Justification")
        assert [row[0] for row in rows[1:]] == THEMES_FR
        assert all(row[1:] == (None, None) for row in rows[1:])
        levels = next(
            validation
            for validation in sheet.data_validations.dataValidation
            if str(validation.sqref).startswith("B")
        )
        assert levels.type == "list"


def test_last_campaign_s_answers_stand_on_their_theme_s_row(
    tmp_path: Path, reference: ReferenceData
) -> None:
    """A template given last campaign's answers (two themes out of seven) still asks
    every theme, each answer on its theme's row."""
    path = write_workbook(
        tmp_path / "chu.xlsx",
        reference,
        "chu",
        CAMPAIGN,
        _rows(_answer("eau", "2"), _answer("pilotage", "3")),
    )

    rows = list(openpyxl.load_workbook(path)[SHEET_FR].iter_rows(values_only=True))[1:]

    assert [row[0] for row in rows] == THEMES_FR
    assert rows[0][1].startswith("3 - ")
    assert rows[5][1].startswith("2 - ")
    assert [row[1] for row in rows if row[0] not in (THEMES_FR[0], THEMES_FR[5])] == [None] * 5


def test_answers_are_read_back_and_unanswered_themes_left_out(
    tmp_path: Path, reference: ReferenceData
) -> None:
    path = write_workbook(
        tmp_path / "chu.xlsx",
        reference,
        "chu",
        CAMPAIGN,
        _rows(_answer("energie", "4", "Suivi mensuel publié."), _answer("eau", "1", None)),
    )
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_FR]["B5"] = 2  # Mobility, typed as a number rather than picked
    workbook.save(path)

    parsed = parse_submission(path, reference, campaign=reference.campaign(CAMPAIGN))
    findings = validate_submission(parsed, reference, "chu", CAMPAIGN)

    assert findings == []
    assert parsed.sheets["self_assessment"].table.to_pylist() == [
        {
            "theme": "energie",
            "maturity_level": "4",
            "justification": "Suivi mensuel publié.",
            "source_row": 3,
        },
        {"theme": "mobilite", "maturity_level": "2", "justification": None, "source_row": 5},
        {"theme": "eau", "maturity_level": "1", "justification": None, "source_row": 7},
    ]


def test_a_workbook_without_the_sheet_is_accepted(tmp_path: Path, reference: ReferenceData) -> None:
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN, _rows())
    workbook = openpyxl.load_workbook(path)
    del workbook[SHEET_FR]
    workbook.save(path)

    parsed = parse_submission(path, reference, campaign=reference.campaign(CAMPAIGN))

    assert "self_assessment" not in parsed.sheets
    assert validate_submission(parsed, reference, "chu", CAMPAIGN) == []


def test_wrong_answers_are_errors_on_their_cell(tmp_path: Path, reference: ReferenceData) -> None:
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN, _rows())
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET_FR]
    sheet["B2"] = 5  # beyond the scale
    sheet["C3"] = "Un plan, mais pas de niveau"  # justified, no level
    sheet["B4"] = "Avancé"  # a word, not a level of the list
    sheet.append(["Déchets", 3, "La même question, deux fois"])
    sheet["B9"] = 3
    sheet["A9"] = "Déchets"
    workbook.save(path)

    parsed = parse_submission(path, reference, campaign=reference.campaign(CAMPAIGN))
    findings = validate_submission(parsed, reference, "chu", CAMPAIGN)

    assert has_errors(findings)
    told = {(f.rule, f.row, f.column) for f in findings if f.severity == "error"}
    assert ("valeur_obligatoire", 3, "B") in told
    assert {
        row for rule, row, column in told if column == "B" and rule != "valeur_obligatoire"
    } >= {
        2,
        4,
    }
    assert {("theme_en_double", 4, "A"), ("theme_en_double", 9, "A")} <= told
    level_findings = [f for f in findings if f.row == 2 and f.column == "B"]
    assert "4 - Exemplaire" in level_findings[0].message.fr


def test_a_sheet_the_campaign_does_not_collect_is_told_and_not_read(
    tmp_path: Path, reference: ReferenceData
) -> None:
    without = load_reference_data(_reference_without_the_part(tmp_path))
    path = write_workbook(
        tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN, _rows(_answer("energie", "9"))
    )

    parsed = parse_submission(path, without, campaign=without.campaign(CAMPAIGN))
    findings = validate_submission(parsed, without, "chu", CAMPAIGN)

    assert "self_assessment" not in parsed.sheets
    assert [(f.severity, f.rule, f.sheet) for f in findings] == [
        ("warning", "partie_non_collectee", SHEET_FR)
    ]
    assert "ne collecte pas la feuille « Autodiagnostic »" in findings[0].message.fr


def test_an_unanswered_sheet_of_a_campaign_that_does_not_collect_it_is_not_told(
    tmp_path: Path, reference: ReferenceData
) -> None:
    """Last year's template kept by a territory that turned the part off: the themes
    it wrote are no answer."""
    without = load_reference_data(_reference_without_the_part(tmp_path))
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN, _rows())

    parsed = parse_submission(path, without, campaign=without.campaign(CAMPAIGN))

    assert validate_submission(parsed, without, "chu", CAMPAIGN) == []


def _self_assessment_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.text(
                    "SELECT partner_id, theme, maturity_level, justification, source_sheet "
                    "FROM core.self_assessment ORDER BY partner_id, source_row"
                )
            )
        ]


def test_answers_are_loaded_with_their_file_and_replaced_with_it(
    warehouse_settings: Settings, reference: ReferenceData
) -> None:
    inbox = warehouse_settings.shared_folder("inbox", "chu")
    write_workbook(
        inbox / "first.xlsx",
        reference,
        "chu",
        CAMPAIGN,
        _rows(_answer("energie", "2"), _answer("eau", "3", None)),
    )
    (first,) = pipeline.run_collection(warehouse_settings)
    engine = warehouse.engine_for(warehouse_settings.url)

    assert first.status == "accepted"
    assert _self_assessment_rows(engine) == [
        ("chu", "energie", "2", "Plan adopté.", SHEET_FR),
        ("chu", "eau", "3", None, SHEET_FR),
    ]
    with engine.connect() as connection:
        assert reconcile_core(connection) == []

    # The next file leaves the sheet out: the partner has no answer left.
    second = write_workbook(inbox / "second.xlsx", reference, "chu", CAMPAIGN, _rows())
    workbook = openpyxl.load_workbook(second)
    del workbook[SHEET_FR]
    workbook.save(second)
    (replaced,) = pipeline.run_collection(warehouse_settings)

    assert replaced.status == "accepted"
    assert _self_assessment_rows(engine) == []
    with engine.connect() as connection:
        assert reconcile_core(connection) == []
        # Planted: an answer changed behind the loader's back is seen.
        assert not load.submission_findings(engine, replaced.submission_id)
        connection.execute(
            sa.text(
                "INSERT INTO core.self_assessment VALUES "
                f"('{replaced.submission_id}', 'chu', '{CAMPAIGN}', '{SHEET_FR}', 2, "
                "'energie', '4', NULL)"
            )
        )
        assert len(reconcile_core(connection)) == 1
    engine.dispose()


def test_a_submission_without_answers_keeps_the_fingerprint_recorded_before_the_sheet(
    warehouse_settings: Settings, reference: ReferenceData
) -> None:
    """Fingerprints recorded before the sheet existed stay true: the sheet's table is
    left out of the fingerprint of a submission with no row there."""
    inbox = warehouse_settings.shared_folder("inbox", "chu")
    write_workbook(inbox / "chu.xlsx", reference, "chu", CAMPAIGN, _rows())
    (outcome,) = pipeline.run_collection(warehouse_settings)
    engine = warehouse.engine_for(warehouse_settings.url)
    with engine.connect() as connection:
        fingerprint, counts = core_fingerprints(connection)[outcome.submission_id]
        # As the fingerprint was computed before the sheet existed.
        whole = hashlib.sha256()
        for table in (*list(warehouse.core_tables.values())[:3], warehouse.estimated_emissions):
            digest = connection.execute(_fingerprint_query(table, outcome.submission_id)).all()
            whole.update(f"{table.name}={digest[0].digest if digest else ''};".encode())
    engine.dispose()

    assert "self_assessment" not in counts
    assert fingerprint == whole.hexdigest()
