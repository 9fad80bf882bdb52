"""The contract's optional roadmap part: the territory's levers and numbered
indicators with milestones 1, 3, 6 and 10 years after its start, computed from the
warehouse (contracts signed, a lever's actions, money and carbon) or entered by the
steward in a workbook checked like a partner's, and a mart of where each milestone
stands, shown in the officials' report of the campaigns that turn the part on."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from climate_contract import aggregate, load, pipeline, warehouse
from climate_contract.contract import ROADMAP_VALUES
from climate_contract.reference import ReferenceData, ReferenceFileError, load_reference_data
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_roadmap_workbook, write_workbook
from tests.scenario import DISCLOSURE_SCENARIO, LEVER_SCENARIO


def _item(**fields: object) -> str:
    """A list item of the roadmap's YAML on one line (flow style), as stewards write."""
    return "  - {" + ", ".join(f"{name}: {value}" for name, value in fields.items()) + "}"


# A roadmap started in 2025 whose figures the scenarios below tell by hand.
ROADMAP = "\n".join(
    [
        "start_year: 2025",
        "levers:",
        _item(code="engagement", fr='"Engager"', en='"Engage"', horizon=3),
        _item(
            code="sobriete",
            fr='"Sobriété"',
            en='"Sufficiency"',
            horizon=3,
            plan_axes="[sobriete_efficacite]",
            objective_fr='"Moins consommer"',
            objective_en='"Use less"',
        ),
        _item(
            code="energies",
            fr='"Énergies"',
            en='"Energy"',
            horizon=6,
            plan_axes="[energies_renouvelables]",
        ),
        _item(
            code="mobilite", fr='"Mobilité"', en='"Mobility"', horizon=6, plan_axes="[mobilites]"
        ),
        "indicators:",
        _item(
            code="contrats",
            fr='"Contrats signés"',
            en='"Contracts signed"',
            lever="engagement",
            measure="contracts_signed",
            milestones="{1: 4, 3: 20}",
        ),
        _item(
            code="actions_sobriete",
            fr='"Actions de sobriété"',
            en='"Sufficiency actions"',
            lever="sobriete",
            measure="actions",
            milestones="{1: 2, 3: 6}",
        ),
        _item(
            code="euros_energies",
            fr='"Euros des énergies"',
            en='"Energy euros"',
            lever="energies",
            measure="investment_eur",
            milestones="{3: 7500000}",
        ),
        _item(
            code="carbone_mobilite",
            fr='"Carbone des mobilités"',
            en='"Mobility carbon"',
            lever="mobilite",
            measure="tco2e_per_year",
            milestones="{1: 500, 6: 1000}",
        ),
        _item(
            code="compost",
            fr='"Compost"',
            en='"Compost"',
            measure="entered",
            unit="t/an",
            unit_en="t/yr",
            baseline=1000,
            milestones="{1: 1100, 3: 1500}",
        ),
        _item(
            code="decharge",
            fr='"Déchets enfouis"',
            en='"Waste landfilled"',
            measure="entered",
            unit="t/an",
            baseline=5000,
            milestones="{3: 3500}",
        ),
    ]
)
ENTERED = [
    {"indicator": "compost", "year": 2025, "value": 1050, "source": "Rapport 2025"},
    {"indicator": "compost", "year": 2026, "value": 1200, "source": "Rapport 2026"},
    {"indicator": "decharge", "year": 2025, "value": 4900, "source": None},
]


def _reference(tmp_path: Path, roadmap: str | None = ROADMAP) -> Path:
    """The shipped reference with the roadmap above (or none), and no values entered."""
    folder = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", folder)
    (folder / "roadmap_values.csv").unlink()
    if roadmap is None:
        (folder / "roadmap.yaml").unlink()
        campaigns = folder / "campaigns.yaml"
        text = campaigns.read_text(encoding="utf-8").replace(", roadmap]", "]")
        campaigns.write_text(text, encoding="utf-8")
    else:
        (folder / "roadmap.yaml").write_text(roadmap, encoding="utf-8")
    return folder


def _refused(folder: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(ReferenceFileError) as refused:
        load_reference_data(folder)
    return [(problem.line, problem.message) for problem in refused.value.problems]


@pytest.mark.parametrize(
    ("written", "mistaken", "line", "said"),
    [
        (
            "lever: engagement, measure: contracts_signed",
            "lever: nulle_part, measure: contracts_signed",
            8,
            "unknown lever 'nulle_part'",
        ),
        ("milestones: {1: 4, 3: 20}", "milestones: {2: 4, 3: 20}", 8, "1, 3, 6 or 10"),
        ("milestones: {1: 2, 3: 6}", "milestones: {1: -2, 3: 6}", 9, "not a value of zero"),
        ("milestones: {3: 7500000}", "milestones: {3: 7500000000000000}", 10, "a zero too many"),
        ("lever: sobriete, measure: actions", "measure: actions", 9, "name its lever"),
        (
            "lever: sobriete, measure: actions",
            "lever: engagement, measure: actions",
            9,
            "engagement maps no plan axis",
        ),
        ("unit: t/an, unit_en: t/yr, baseline: 1000", "baseline: 1000", 12, "needs its unit"),
        ("plan_axes: [mobilites]", "plan_axes: [transports]", 6, "'transports' is not a plan"),
        (
            "plan_axes: [energies_renouvelables]",
            "plan_axes: [sobriete_efficacite]",
            5,
            "already serves the lever 'sobriete'",
        ),
        ("start_year: 2025", "start_year: 2055", 1, "the roadmap starts between 2015 and 2050"),
        ("code: decharge", "code: compost", 13, "compost: given twice in the indicators"),
        ('fr: "Déchets enfouis"', 'fr: "Compost"', 13, "Compost: given twice in the indicators"),
        # As a steward may type it: read as the other indicator's code.
        ('fr: "Déchets enfouis"', 'fr: "COMPOSTS"', 13, "COMPOSTS: given twice in"),
        ('fr: "Engager"', 'fr: ""', 3, "at least 1 character"),
        ("milestones: {1: 4, 3: 20}", "milestones: {1: 4, 1: 7}", 8, "1 given twice"),
        # YAML's `true` is equal to 1 in Python: it is no year.
        ("milestones: {1: 4, 3: 20}", "milestones: {true: 4, 3: 20}", 8, "True is not a number"),
    ],
)
def test_a_roadmap_with_a_mistake_is_refused_on_its_line(
    tmp_path: Path, written: str, mistaken: str, line: int, said: str
) -> None:
    assert written in ROADMAP
    folder = _reference(tmp_path, ROADMAP.replace(written, mistaken, 1))

    problems = _refused(folder)

    assert any(at == line and said in message for at, message in problems), problems


def test_a_key_merged_from_an_anchor_may_be_overridden(tmp_path: Path) -> None:
    """YAML's merge keys: the entry's own key wins, as YAML says; only a key the entry
    writes twice is refused."""
    folder = _reference(tmp_path)
    campaigns = folder / "campaigns.yaml"
    campaigns.write_text(
        '- &first {id: "2025", opens_on: 2025-01-15, deadline: 2025-03-31, parts: [roadmap]}\n'
        '- <<: *first\n  id: "2026"\n  opens_on: 2026-01-15\n  deadline: 2026-03-31\n',
        encoding="utf-8",
    )

    reference = load_reference_data(folder)

    assert [campaign.id for campaign in reference.campaigns] == ["2025", "2026"]
    assert reference.campaign("2026").parts == ("roadmap",)
    roadmap = folder / "roadmap.yaml"
    roadmap.write_text("start_year: !!map 2024\n", encoding="utf-8")
    ((line, message),) = _refused(folder)
    assert line == 1
    assert "expected a mapping node" in message


def test_a_contract_signed_outside_the_contract_s_years_is_refused(tmp_path: Path) -> None:
    folder = _reference(tmp_path)
    partners = folder / "partners.yaml"
    text = partners.read_text(encoding="utf-8")
    partners.write_text(text.replace("2024-06-12", "1901-06-12"), encoding="utf-8")

    (problem,) = _refused(folder)

    assert "1901-06-12 is outside the contract's years" in problem[1]


def test_a_campaign_turning_the_roadmap_on_needs_the_territory_s_roadmap(tmp_path: Path) -> None:
    folder = _reference(tmp_path)
    (folder / "roadmap.yaml").unlink()

    problems = _refused(folder)

    assert [line for line, message in problems if "roadmap needs" in message] == [7, 8]


def test_a_territory_without_a_roadmap_sees_nothing_of_it(tmp_path: Path) -> None:
    reference = load_reference_data(_reference(tmp_path, roadmap=None))

    assert reference.roadmap is None
    assert "roadmap_indicator" not in reference.code_lists
    assert "roadmap_progress" not in aggregate.marts_shown({"jobs", "self_assessment"})
    assert "roadmap_progress" in aggregate.marts_shown({"roadmap"})
    with pytest.raises(ValueError, match="keeps no roadmap"):
        write_roadmap_workbook(tmp_path / "values.xlsx", reference, {})


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv"])
def test_the_steward_s_workbook_reads_back_what_it_was_written_with(
    tmp_path: Path, suffix: str
) -> None:
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(
        tmp_path / f"values{suffix}", reference, {ROADMAP_VALUES.name: ENTERED}
    )

    entered = load.read_roadmap_values(path, reference)

    assert entered.findings == []
    assert entered.rows == [row | {"value": float(row["value"])} for row in ENTERED]


def test_the_steward_s_workbook_offers_only_the_entered_indicators(tmp_path: Path) -> None:
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(tmp_path / "values.xlsx", reference, {})

    workbook = openpyxl.load_workbook(path)
    (validation,) = [
        each
        for each in workbook["Indicateurs saisis"].data_validations.dataValidation
        if "A2" in str(each.sqref)
    ]
    lists = workbook["Listes"]
    column = next(cell.column for cell in lists[1] if cell.value == "roadmap_indicator")
    offered = [row[0].value for row in lists.iter_rows(min_row=2, min_col=column, max_col=column)]

    assert "roadmap_indicator" in validation.formula1
    assert [label for label in offered if label] == ["Compost", "Déchets enfouis"]


def test_a_wrong_workbook_is_refused_cell_by_cell(tmp_path: Path) -> None:
    """What a steward may type: an indicator the roadmap computes itself, a year twice,
    a year mistyped, a negative or a word for a value, a formula's error."""
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(
        tmp_path / "values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Indicateurs saisis"]
    sheet.append(["Compost", 2026, 1300, "Encore 2026"])  # row 5
    sheet.append(["Contrats signés", 2026, 12, None])  # row 6: computed, not entered
    sheet.append(["Déchets enfouis", 20266, 4800, None])  # row 7
    sheet.append(["Déchets enfouis", 2026, -3, None])  # row 8
    sheet.append(["Déchets enfouis", 2027, "beaucoup", None])  # row 9
    sheet.append([None, 2028, 4000, None])  # row 10
    workbook.save(path)

    entered = load.read_roadmap_values(path, reference)
    told = {(f.rule, f.row, f.column) for f in entered.findings if f.severity == "error"}

    assert not entered.accepted
    assert told == {
        ("valeur_en_double", 3, "A"),
        ("valeur_en_double", 5, "A"),
        ("code_autorise", 6, "A"),
        ("annee_plausible", 7, "B"),
        ("positif", 8, "C"),
        ("type", 9, "C"),
        ("valeur_obligatoire", 10, "A"),
    }
    (twice,) = {f.message.fr for f in entered.findings if f.rule == "valeur_en_double"}
    assert "« Compost »" in twice


def test_a_number_no_column_holds_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A year of 1e30, or one just past 64 bits: told out of the contract's years."""
    reference = load_reference_data(_reference(tmp_path))
    path = tmp_path / "reference" / "roadmap_values.csv"
    path.write_text(
        "Indicateurs saisis\nIndicateur;Année;Valeur;Source\n"
        "Compost;1e30;1350;x\nCompost;9223372036854775808;12;x\n",
        encoding="utf-8",
    )

    entered = load.entered_values(path.parent, reference)

    assert entered is not None
    assert [(f.rule, f.row, f.column) for f in entered.findings] == [
        ("annee_plausible", 3, "B"),
        ("annee_plausible", 4, "B"),
    ]


def test_two_workbooks_are_refused_until_the_steward_keeps_one(tmp_path: Path) -> None:
    reference = load_reference_data(_reference(tmp_path))
    folder = tmp_path / "reference"
    for suffix in (".xlsx", ".csv"):
        write_roadmap_workbook(
            folder / f"roadmap_values{suffix}", reference, {ROADMAP_VALUES.name: ENTERED}
        )

    entered = load.entered_values(folder, reference)

    assert entered is not None
    assert [f.rule for f in entered.findings] == ["plusieurs_classeurs"]
    assert "roadmap_values.xlsx, roadmap_values.csv" in entered.findings[0].message.fr


def test_a_workbook_the_reader_fails_on_holds_up_no_collection(
    make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _reference(tmp_path)
    settings = make_settings().model_copy(update={"reference_dir": folder})
    reference = pipeline.reference_data(settings)
    write_roadmap_workbook(
        folder / "roadmap_values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )

    def failing(path: Path, reference: ReferenceData) -> load.EnteredValues:
        raise OverflowError("a fault of the reader")

    monkeypatch.setattr("climate_contract.load.roadmap.read_roadmap_values", failing)

    assert pipeline.refresh_reference(settings)
    told = settings.shared_root / "steward" / load.ROADMAP_FINDINGS_FILE
    assert "fichier_illisible" in told.read_text(encoding="utf-8-sig")


def test_a_hidden_sheet_of_values_is_refused(tmp_path: Path) -> None:
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(
        tmp_path / "values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    workbook = openpyxl.load_workbook(path)
    workbook["Indicateurs saisis"].sheet_state = "hidden"
    workbook.create_sheet("Brouillon")
    workbook.save(path)

    entered = load.read_roadmap_values(path, reference)

    assert [f.rule for f in entered.findings] == ["feuille_masquee"]
    assert entered.rows == []


def test_a_workbook_kept_while_the_roadmap_enters_nothing_is_told_so(tmp_path: Path) -> None:
    """Not a list of allowed indicators that is empty: the steward hears what to do."""
    reference = load_reference_data(_reference(tmp_path))
    folder = tmp_path / "reference"
    write_roadmap_workbook(
        folder / "roadmap_values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    computed_only = ROADMAP[: ROADMAP.index("  - {code: compost")]
    (folder / "roadmap.yaml").write_text(computed_only, encoding="utf-8")

    entered = load.entered_values(folder, load_reference_data(folder))

    assert entered is not None
    assert [f.rule for f in entered.findings] == ["aucun_indicateur_saisi"]
    assert "Retirez-le" in entered.findings[0].message.fr
    assert entered.rows == []


def test_a_formula_saved_without_its_value_is_told_as_such(tmp_path: Path) -> None:
    """A formula openpyxl writes has no saved result: it reads as empty, and the
    steward must hear why, not only that the cell is required."""
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(
        tmp_path / "values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Indicateurs saisis"]
    sheet.append(["Compost", 2027, "=C2*2", '=HYPERLINK("https://example.org","rapport")'])
    workbook.save(path)

    entered = load.read_roadmap_values(path, reference)

    assert {(f.rule, f.row, f.column) for f in entered.findings if f.severity == "error"} >= {
        ("formule_sans_valeur", 5, "C"),
        ("formule_sans_valeur", 5, "D"),
    }
    assert not entered.accepted


def test_two_filled_sheets_of_values_are_refused_an_empty_twin_is_not(tmp_path: Path) -> None:
    reference = load_reference_data(_reference(tmp_path))
    path = write_roadmap_workbook(
        tmp_path / "values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("indicateurs saisis ", 0)  # empty, and first: never read
    headers_only = workbook.create_sheet("Entered indicators")
    headers_only.append(["Indicator", "Year", "Value", "Source"])
    workbook.save(path)

    assert load.read_roadmap_values(path, reference).findings == []

    del workbook["Entered indicators"]
    twin = workbook.copy_worksheet(workbook["Indicateurs saisis"])
    twin.title = "Entered indicators"  # its English name: the same sheet
    workbook.save(path)
    entered = load.read_roadmap_values(path, reference)

    assert [(f.rule, f.sheet) for f in entered.findings] == [
        ("feuilles_en_double", "Indicateurs saisis")
    ]
    assert "« Indicateurs saisis », « Entered indicators »" in entered.findings[0].message.fr
    assert entered.rows == []


def _progress(engine: sa.Engine, campaign_id: str) -> dict[tuple[str, int], tuple]:
    table = aggregate.read_mart(engine, "roadmap_progress").to_pylist()
    return {
        (row["indicator"], row["milestone_year"]): (
            None if row["observed_value"] is None else round(float(row["observed_value"]), 6),
            row["observed_year"],
            None if row["expected_value"] is None else round(float(row["expected_value"]), 6),
            row["status"],
        )
        for row in table
        if row["campaign_id"] == campaign_id
    }


def _collected(settings: Settings, reference: ReferenceData) -> None:
    for partner_id, rows in (DISCLOSURE_SCENARIO | LEVER_SCENARIO).items():
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2026.xlsx", reference, partner_id, "2026", rows)
    assert {o.status for o in pipeline.run_collection(settings)} == {"accepted"}


def test_each_milestone_stands_where_the_figures_put_it(
    warehouse_settings: Settings, tmp_path: Path
) -> None:
    """Campaign 2026, by hand from tests/scenario.py and the registry:
    - contracts signed by the end of 2026: seven partners of partners.yaml (by 2025, six);
    - sufficiency actions: BS-1 and U-1, public and live (BQ-2 and CH-1 are
      confidential, PI-1 confidential and abandoned): 2;
    - energy euros: the boiler's lead RC-1, 2,000,000 (its public co-funder U-2 is not
      counted again, its confidential co-funder BQ-1 never);
    - mobility carbon: TU-1's 300 tCO2e a year (TU-2 is abandoned, PI-2 confidential);
    - entered: compost 1,200 in 2026; landfilled waste 4,900 in 2025, a fall to reach.
    Trajectories run straight from the baseline in 2025 through the milestones."""
    folder = _reference(tmp_path)
    settings = warehouse_settings.model_copy(update={"reference_dir": folder})
    reference = pipeline.reference_data(settings)
    write_roadmap_workbook(
        folder / "roadmap_values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    _collected(settings, reference)
    engine = warehouse.engine_for(settings.url)

    assert _progress(engine, "2026") == {
        ("contrats", 2026): (7, 2026, 4, "atteint"),
        ("contrats", 2028): (7, 2026, 4, "dans_les_temps"),
        ("actions_sobriete", 2026): (2, 2026, 2, "atteint"),
        ("actions_sobriete", 2028): (2, 2026, 2, "dans_les_temps"),
        ("euros_energies", 2028): (2_000_000, 2026, 2_500_000, "en_retard"),
        ("carbone_mobilite", 2026): (300, 2026, 500, "en_retard"),
        ("carbone_mobilite", 2031): (300, 2026, 500, "en_retard"),
        ("compost", 2026): (1200, 2026, 1100, "atteint"),
        ("compost", 2028): (1200, 2026, 1100, "dans_les_temps"),
        ("decharge", 2028): (4900, 2025, 5000, "dans_les_temps"),
    }
    # How far each has come from its baseline: a fall to reach is covered as it falls.
    shares = {
        (row["indicator"], row["milestone_year"]): row["share_of_target"]
        for row in aggregate.read_mart(engine, "roadmap_progress").to_pylist()
        if row["campaign_id"] == "2026"
    }
    assert shares[("decharge", 2028)] == pytest.approx(100 / 1500)
    assert shares[("compost", 2028)] == pytest.approx(200 / 500)
    assert shares[("euros_energies", 2028)] == pytest.approx(2 / 7.5)
    # Campaign 2025 has no actions: its levers are not measured; the rest is, by 2025.
    earlier = _progress(engine, "2025")
    assert earlier[("contrats", 2026)] == (6, 2025, 0, "atteint")
    assert earlier[("euros_energies", 2028)] == (None, None, 0, "non_mesure")
    assert earlier[("compost", 2026)] == (1050, 2025, 1000, "dans_les_temps")
    engine.dispose()


def test_figures_as_of_a_day_are_stale_the_next_day(
    make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contracts signed by the build's day (and partners late by it) move with the day:
    a run the next day rebuilds the marts though nothing new came."""
    settings = make_settings().model_copy(update={"reference_dir": _reference(tmp_path)})
    _collected(settings, pipeline.reference_data(settings))
    assert not pipeline.marts_are_stale(settings)

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(pipeline, "date", Tomorrow)

    assert pipeline.marts_are_stale(settings)


def test_a_refused_workbook_keeps_the_values_loaded_before_and_tells_the_steward(
    make_settings, tmp_path: Path
) -> None:
    folder = _reference(tmp_path)
    settings = make_settings().model_copy(update={"reference_dir": folder})
    reference = pipeline.reference_data(settings)
    workbook = folder / "roadmap_values.xlsx"
    write_roadmap_workbook(workbook, reference, {ROADMAP_VALUES.name: ENTERED})
    told = settings.shared_root / "steward" / load.ROADMAP_FINDINGS_FILE
    engine = warehouse.engine_for(settings.url)

    def loaded() -> list[tuple]:
        with engine.connect() as connection:
            query = sa.select(warehouse.roadmap_values.c.indicator, warehouse.roadmap_values.c.year)
            return sorted(tuple(row) for row in connection.execute(query))

    assert pipeline.refresh_reference(settings)
    assert loaded() == [("compost", 2025), ("compost", 2026), ("decharge", 2025)]
    assert not told.exists()

    twice = [*ENTERED, ENTERED[0] | {"value": 999}]
    write_roadmap_workbook(workbook, reference, {ROADMAP_VALUES.name: twice})
    assert pipeline.refresh_reference(settings)
    assert loaded() == [("compost", 2025), ("compost", 2026), ("decharge", 2025)]
    report = told.read_text(encoding="utf-8-sig")
    assert "valeur_en_double" in report
    assert "roadmap_values.xlsx" in report

    write_roadmap_workbook(workbook, reference, {ROADMAP_VALUES.name: ENTERED[:1]})
    assert pipeline.refresh_reference(settings)
    assert loaded() == [("compost", 2025)]
    assert not told.exists()

    workbook.unlink()
    assert pipeline.refresh_reference(settings)
    assert loaded() == []
    engine.dispose()


def test_the_officials_report_shows_the_roadmap_of_the_campaigns_turning_it_on(
    make_settings, tmp_path: Path
) -> None:
    folder = _reference(tmp_path)
    campaigns = folder / "campaigns.yaml"
    text = campaigns.read_text(encoding="utf-8").replace("[self_assessment, roadmap]", "[]")
    campaigns.write_text(text, encoding="utf-8")
    settings = make_settings().model_copy(
        update={"reference_dir": folder, "report_languages": ("fr", "en")}
    )
    reference = pipeline.reference_data(settings)
    write_roadmap_workbook(
        folder / "roadmap_values.xlsx", reference, {ROADMAP_VALUES.name: ENTERED}
    )
    _collected(settings, reference)
    published = settings.data_dir / "published"

    french = (published / "2026" / "rapport.html").read_text(encoding="utf-8")
    english = (published / "2026" / "report.html").read_text(encoding="utf-8")
    without = (published / "2025" / "rapport.html").read_text(encoding="utf-8")

    assert 'id="feuille-de-route"' in french
    assert "<svg" in french
    for said in ("La feuille de route", "Carbone des mobilités", "En retard", "Dans les temps"):
        assert said in french
    for said in ("The roadmap", "Mobility carbon", "Late", "On track", "Use less", "t/yr"):
        assert said in english
    assert 'id="feuille-de-route"' not in without


def test_the_steward_signs_partners_writes_and_checks_the_workbook_from_the_console(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from climate_contract.cli import app

    folder = _reference(tmp_path)
    env = {
        "CLIMATE_CONTRACT_DATA_DIR": str(tmp_path / "data"),
        "CLIMATE_CONTRACT_REFERENCE_DIR": str(folder),
        "CLIMATE_CONTRACT_CONFIG": "",
    }

    def invoke(*args: str):
        result = CliRunner().invoke(app, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        return result

    signed = invoke("partners", "sign", "opera", "--on", "2026-06-30")
    again = invoke("partners", "sign", "opera")
    nothing = invoke("roadmap", "check")
    written = invoke("roadmap", "template")
    kept = invoke("roadmap", "template")
    workbook = folder / "roadmap_values.xlsx"
    sheet_book = openpyxl.load_workbook(workbook)
    sheet_book["Indicateurs saisis"].append(["Compost", 2026, "beaucoup", None])
    sheet_book.save(workbook)
    refused = invoke("roadmap", "check", "--json")
    not_rewritten = invoke("roadmap", "template", "--force")
    second = invoke("roadmap", "template", "--output", str(folder / "roadmap_values.csv"))

    assert signed.exit_code == 0, signed.output
    opera = load_reference_data(folder).partner("opera")
    assert str(opera.contract_signed_on) == "2026-06-30"
    assert again.exit_code == 1
    assert "contract_signed_on is already 2026-06-30" in again.output
    assert nothing.exit_code == 1
    assert "its workbook is missing" in nothing.output
    assert written.exit_code == 0, written.output
    assert kept.exit_code == 2
    assert "give --force" in kept.output
    assert refused.exit_code == 1
    import json

    report = json.loads(refused.stdout)
    assert report["accepted"] is False
    assert [(f["rule"], f["row"], f["column"]) for f in report["findings"]] == [("type", 2, "C")]
    # Written again, the workbook would lose what it could not read: refused.
    assert not_rewritten.exit_code == 2
    assert "cannot be read" in not_rewritten.output
    assert openpyxl.load_workbook(workbook)["Indicateurs saisis"]["C2"].value == "beaucoup"
    assert second.exit_code == 2
    assert "second workbook" in second.output
    assert not (folder / "roadmap_values.csv").exists()
