"""The contract's optional self-assessment sheet: each partner rates its maturity on
the reference's themes. A campaign that turns the part on asks for it in its template,
one row per theme; a partner may leave it out, or leave a theme unanswered; the
answers are checked and loaded with the rest of the file, and replaced with it."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from climate_contract import aggregate, load, pipeline, warehouse
from climate_contract.disclosure.protection import exposures
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
from tests.scenario import (
    DISCLOSURE_SCENARIO,
    MATURITY_2025,
    MATURITY_2026,
    _action,
    _impact,
    _investment,
    collect_the_self_assessment_of_2025,
)

CAMPAIGN = "2026"
TOP, BOTTOM = 4, 1
"""The shipped scale's ends: levels 1 to 4."""
SHEET_FR, SHEET_EN = "Autodiagnostic", "Self-assessment"
THEMES = ("energie", "eau", "mobilite", "dechets")
"""The themes the scenario's partners rate (tests/scenario.py)."""
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
    text = text.replace("[self_assessment, ", "[").replace(", self_assessment,", ",")
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

    # Told on its line (and the scale, lacking its rank 3, as skipping one).
    problem, skipping = refused.value.problems
    assert "structure: a maturity level is a whole number" in problem.message
    assert "skip a rank" in skipping.message
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
    read = parsed.sheets["self_assessment"].table
    # Each answer keeps the ends of the scale it was given on.
    assert (
        read.select(["scale_lowest", "scale_highest"]).to_pylist()
        == [{"scale_lowest": BOTTOM, "scale_highest": TOP}] * 3
    )
    assert read.drop_columns(["scale_lowest", "scale_highest"]).to_pylist() == [
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
                "'energie', '4', NULL, 1, 4)"
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


def _collected(settings: Settings, reference: ReferenceData) -> sa.Engine:
    """Both campaigns of the scenario collected: 2025's three partners, then 2026's."""
    collect_the_self_assessment_of_2025(settings, reference)
    for partner_id, rows in DISCLOSURE_SCENARIO.items():
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, CAMPAIGN, rows)
    assert {outcome.status for outcome in pipeline.run_collection(settings)} == {"accepted"}
    return warehouse.engine_for(settings.url)


def _levels(campaign_id: str) -> dict[str, dict[str, int]]:
    return {"2025": MATURITY_2025, "2026": MATURITY_2026}[campaign_id]


def _published_sums(
    engine: sa.Engine, reference: ReferenceData, theme: str
) -> list[tuple[frozenset[tuple[str, str]], float]]:
    """Every mean of ``theme`` the marts publish, as the sum of the answers behind it
    (its count is published), each answer named by campaign and partner: what an
    attacker who knows who answered can add and subtract."""
    college = {partner.id: partner.college for partner in reference.partners}

    def members(campaign_id: str, in_college: str, also: str | None = None):
        return frozenset(
            (campaign_id, partner_id)
            for partner_id, levels in _levels(campaign_id).items()
            if theme in levels
            and in_college in ("all", college[partner_id])
            and (also is None or theme in _levels(also).get(partner_id, {}))
        )

    sums = []
    for row in aggregate.read_mart(engine, "maturity_by_theme").to_pylist():
        if row["theme"] == theme and row["mean_level"] is not None:
            answered = members(row["campaign_id"], row["college"])
            assert len(answered) == row["partner_count"]
            sums.append((answered, row["mean_level"] * row["partner_count"]))
    for row in aggregate.read_mart(engine, "maturity_change").to_pylist():
        if row["theme"] != theme:
            continue
        now, earlier = row["campaign_id"], row["previous_campaign_id"]
        for campaign_id, paired_with, mean in (
            (now, earlier, row["current_mean_level"]),
            (earlier, now, row["previous_mean_level"]),
        ):
            if mean is not None:
                paired = members(campaign_id, row["college"], also=paired_with)
                assert len(paired) == row["paired_partner_count"]
                sums.append((paired, mean * row["paired_partner_count"]))
    return sums


def _rows_of(engine: sa.Engine, mart: str) -> dict[tuple[str, str, str], dict]:
    return {
        (row["campaign_id"], row["theme"], row["college"]): row
        for row in aggregate.read_mart(engine, mart).to_pylist()
    }


def test_maturity_is_published_by_theme_college_and_change_and_no_answer_recovered(
    warehouse_settings: Settings, reference: ReferenceData
) -> None:
    """The scenario's answers (tests/scenario.py) through both marts, then the attacks
    of an outsider and of a partner on what they publish: a mean of the scale's top
    or bottom pins every answer behind it; two published sums whose partners differ
    by one tell that partner's answer; by two, the partner who knows its own answer
    learns the other's. None may work, on a mean or on a difference."""
    engine = _collected(warehouse_settings, reference)
    by_theme = _rows_of(engine, "maturity_by_theme")
    change = _rows_of(engine, "maturity_change")
    published = {theme: _published_sums(engine, reference, theme) for theme in THEMES}
    engine.dispose()

    # Four firms rate energy: their mean is published; two public bodies are too few.
    assert by_theme[("2026", "energie", "entreprise")]["mean_level"] == pytest.approx(2.75)
    assert by_theme[("2026", "energie", "all")]["mean_level"] == pytest.approx(19 / 7)
    withheld = by_theme[("2026", "energie", "organisme_public")]
    assert (withheld["partner_count"], withheld["mean_level"]) == (2, None)
    assert withheld["suppressed_reason"] == "confidential"
    # Three firms, all at the top of the scale: enough partners, but each answer told.
    assert by_theme[("2026", "eau", "entreprise")]["partner_count"] == 3
    assert by_theme[("2026", "eau", "entreprise")]["mean_level"] is None
    # Energy moved for the three partners who rated it both years; the four firms
    # that rated it in 2026 only are in neither mean.
    moved = change[("2026", "energie", "all")]
    assert moved["previous_campaign_id"] == "2025"
    assert moved["paired_partner_count"] == 3
    assert moved["previous_mean_level"] == pytest.approx(2.0)
    assert moved["current_mean_level"] == pytest.approx(8 / 3)
    assert moved["change_in_mean_level"] == pytest.approx(2 / 3)
    assert change[("2026", "mobilite", "all")]["change_in_mean_level"] is None

    for theme, sums in published.items():
        for members, total in sums:
            assert total == pytest.approx(sum(_levels(c)[p][theme] for c, p in members))
        derived = list(sums)
        for larger, larger_total in sums:
            for smaller, smaller_total in sums:
                if smaller < larger:
                    derived.append((larger - smaller, larger_total - smaller_total))
        for members, total in derived:
            described = theme, sorted(members), total
            assert len(members) > 2, described
            assert round(total) not in (TOP * len(members), BOTTOM * len(members)), described


def test_a_territory_s_answers_stay_out_of_the_marts_of_the_campaigns_without_them(
    make_settings, reference: ReferenceData
) -> None:
    """Answers loaded in one campaign only: nothing to compare with, no change row."""
    settings = make_settings()
    collect_the_self_assessment_of_2025(settings, reference)
    engine = warehouse.engine_for(settings.url)

    assert {row["campaign_id"] for row in _rows_of(engine, "maturity_by_theme").values()} == {
        "2025"
    }
    assert aggregate.read_mart(engine, "maturity_change").num_rows == 0
    engine.dispose()


def _workbook_with_answers(tmp_path: Path, reference: ReferenceData, suffix: str = ".xlsx") -> Path:
    return write_workbook(
        tmp_path / f"chu{suffix}",
        reference,
        "chu",
        CAMPAIGN,
        _rows(_answer("energie", "2"), _answer("eau", "3")),
    )


def _read(path: Path, reference: ReferenceData) -> tuple:
    parsed = parse_submission(path, reference, campaign=reference.campaign(CAMPAIGN))
    return parsed, validate_submission(parsed, reference, "chu", CAMPAIGN)


@pytest.mark.parametrize("title", ["Self assessment", "Autodiagnostic (2)", "Auto-diagnostic"])
def test_answers_on_a_renamed_sheet_are_told_not_silently_dropped(
    tmp_path: Path, reference: ReferenceData, title: str
) -> None:
    path = _workbook_with_answers(tmp_path, reference)
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_FR].title = title
    workbook.save(path)

    parsed, findings = _read(path, reference)

    assert "self_assessment" not in parsed.sheets
    assert [(f.severity, f.rule, f.sheet) for f in findings] == [
        ("warning", "feuille_non_reconnue", title)
    ]
    assert f"renommez-la « {SHEET_FR} »" in findings[0].message.fr


def _emptied(worksheet) -> None:
    for row in worksheet.iter_rows():
        for cell in row:
            cell.value = None


@pytest.mark.parametrize(
    ("what", "change", "told"),
    [
        ("hidden, unanswered", lambda sheet: setattr(sheet, "sheet_state", "hidden"), []),
        ("every cell cleared", _emptied, []),
        ("header row deleted", lambda sheet: sheet.delete_rows(1), ["feuille_sans_tableau"]),
        (
            "replaced by a note",
            lambda sheet: (_emptied(sheet), sheet.cell(1, 1, "Nous ne répondons pas cette année.")),
            ["feuille_sans_tableau"],
        ),
    ],
)
def test_a_partner_that_does_not_answer_is_never_refused_for_it(
    tmp_path: Path, reference: ReferenceData, what: str, change, told: list[str]
) -> None:
    path = write_workbook(tmp_path / "chu.xlsx", reference, "chu", CAMPAIGN, _rows())
    workbook = openpyxl.load_workbook(path)
    change(workbook[SHEET_FR])
    workbook.save(path)

    parsed, findings = _read(path, reference)

    assert not has_errors(findings), what
    assert [f.rule for f in findings] == told, what
    assert (
        "self_assessment" not in parsed.sheets
        or parsed.sheets["self_assessment"].table.num_rows == 0
    )


def test_a_hidden_sheet_with_answers_is_refused_as_any_hidden_sheet(
    tmp_path: Path, reference: ReferenceData
) -> None:
    path = _workbook_with_answers(tmp_path, reference)
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_FR].sheet_state = "hidden"
    workbook.save(path)

    _, findings = _read(path, reference)

    assert [(f.rule, f.sheet) for f in findings if f.severity == "error"] == [
        ("feuille_masquee", SHEET_FR)
    ]


def test_a_csv_line_that_only_says_actions_stays_in_its_section(
    tmp_path: Path, reference: ReferenceData
) -> None:
    """Unanswered themes are lines of one cell, as sheet titles are: a justification
    that reads "Actions" (or a theme a steward labels so) opens no section."""
    path = write_workbook(
        tmp_path / "chu.csv",
        reference,
        "chu",
        CAMPAIGN,
        _rows(_answer("energie", "2", "Actions"), {"theme": "eau", "justification": "Impacts"}),
    )
    text = path.read_text(encoding="utf-8-sig")
    # The energy row left with its justification only, as a partner may leave it.
    path.write_text(re.sub(r"(?m)^Énergie;[^;]*;", ";;", text), encoding="utf-8-sig")

    parsed, findings = _read(path, reference)

    assert [row["justification"] for row in parsed.sheets["self_assessment"].table.to_pylist()] == [
        "Actions",
        "Impacts",
    ]
    assert parsed.sheets["actions"].table.num_rows == 1
    assert {(f.rule, f.sheet) for f in findings if f.severity == "error"} == {
        ("valeur_obligatoire", SHEET_FR)
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("maturity_level:\n", "maturity_level: []\nformer_scale:\n"),
            "code list 'maturity_level' is empty",
        ),
        (('{code: "3",', '{code: "03",'), "03: a maturity level is a whole number"),
        (('{code: "1",', '{code: "0",'), "0: a maturity level is a whole number from 1"),
        (('{code: "3",', '{code: "5",'), "the maturity levels [1, 2, 4, 5] skip a rank"),
        (('{code: "3",', '{code: "\uff12",'), "\uff12: a maturity level is a whole number"),
        (("{code: energie,", "{code: pilotage,"), "pilotage: given twice in maturity_theme"),
        (('en: "Energy"', 'en: "Water"'), "Water: given twice in maturity_theme"),
    ],
)
def test_a_scale_or_theme_list_partners_could_not_answer_is_refused(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    code_lists = folder / "code_lists.yaml"
    text = code_lists.read_text(encoding="utf-8")
    old, new = change
    assert old in text
    code_lists.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)

    assert any(problem in found.message for found in refused.value.problems), refused.value


@pytest.mark.parametrize(
    ("levels", "pinned"),
    [
        ({"a": 4, "b": 4, "c": 4}, {"a", "b", "c"}),  # the top of the scale: every answer told
        ({"a": 1, "b": 1, "c": 1}, {"a", "b", "c"}),  # the bottom
        ({"a": 2, "b": 2}, {"a", "b"}),  # each knows its own, so the other's
        ({"a": 4, "b": 2, "c": 3}, set()),
        ({"a": 3, "b": 3, "c": 2}, set()),
        # c, knowing its own 3, learns that the other two answered 4.
        ({"a": 4, "b": 4, "c": 3}, {"a", "b"}),
        ({"a": 4, "b": 1, "c": 1}, {"b", "c"}),
    ],
)
def test_a_mean_that_tells_an_answer_on_the_scale_is_an_exposure(
    levels: dict[str, int], pinned: set[str]
) -> None:
    answers_of = pd.DataFrame(
        {
            "partner_id": list(levels),
            "value": [float(level) for level in levels.values()],
            "scale_lowest": float(BOTTOM),
            "scale_highest": float(TOP),
        }
    )
    mean = [frozenset(range(len(levels)))]

    found = exposures(answers_of, mean, protection_share=0.1)

    assert {exposure.partner_id for exposure in found} == pinned
    # Taken for amounts (only their sign known), the same answers look protected:
    # the scale's ends are what pins them.
    amounts = answers_of.drop(columns=["scale_lowest", "scale_highest"])
    if len(levels) > 2:
        assert exposures(amounts, mean, protection_share=0.1) == []


def test_a_scale_widened_after_loading_keeps_protecting_the_answers_given_on_it(
    make_settings, reference: ReferenceData
) -> None:
    """Answers given on levels 1 to 4 stay answers on 1 to 4: a steward who adds a
    fifth level later does not make the mean of three firms that all answered 4
    publishable (anyone who read the template then knows 4 was the top)."""
    settings = make_settings()
    engine = _collected(settings, reference)
    assert (
        _rows_of(engine, "maturity_by_theme")[("2026", "eau", "entreprise")]["mean_level"] is None
    )
    engine.dispose()
    own = settings.data_dir.parent / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", own)
    code_lists = own / "code_lists.yaml"
    text = code_lists.read_text(encoding="utf-8")
    after_the_top = text.index("\n", text.index('  - {code: "4",')) + 1
    fifth = '  - {code: "5", fr: "5 - Pionnier", en: "5 - Pioneer"}\n'
    code_lists.write_text(text[:after_the_top] + fifth + text[after_the_top:], encoding="utf-8")
    widened = settings.model_copy(update={"reference_dir": own})

    assert pipeline.refresh_reference(widened)
    pipeline.rebuild_marts(widened)

    engine = warehouse.engine_for(widened.url)
    assert (
        _rows_of(engine, "maturity_by_theme")[("2026", "eau", "entreprise")]["mean_level"] is None
    )
    engine.dispose()
