"""The steward's aid to write a profile, tried on the platform's real files."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from climate_contract.cli import app
from climate_contract.parse import ParsedSubmission
from climate_contract.parse.grid import read_grids
from climate_contract.parse.profiles import parse_with_profile
from climate_contract.parse.suggestion import suggest_profile, to_yaml
from climate_contract.reference import MappingProfile
from tests.real_world import TERRITOIRES_EN_TRANSITIONS

REAL_FILES = TERRITOIRES_EN_TRANSITIONS


@pytest.mark.parametrize(
    ("name", "sheet", "title", "total"),
    [
        (
            "modele-import-pa.xlsx",
            "Fichier dimport",
            "Titre de la fiche action",
            "Budget prévisionnel total € HT",
        ),
        (
            "modele-import-pa.ods",
            "Fichier_dimport",
            "Titre de l'action",
            "Budget prévisionnel total € HT",
        ),
        (
            "export_plan_action.xlsx",
            "Plan daction",
            "Titre de la fiche action",
            "Budget prévisionnel total € TTC",
        ),
    ],
)
def test_the_platform_s_columns_are_matched_to_their_fields(
    name: str, sheet: str, title: str, total: str
) -> None:
    suggestion = suggest_profile(read_grids(REAL_FILES / name))

    assert (suggestion.sheet, suggestion.header_row) == (sheet, 2)
    fields = {match.field: match.header.strip() for match in suggestion.matches}
    assert fields == {
        "partner_axis": "Axe (x)",
        "title": title,
        "description": "Descriptif",
        "status": "Statut",
        "priority": "Niveau de priorité",
        "start_year": "Date de début",
        "end_year": "Date de fin",
        "total_budget": total,
    }
    assert [(g[0], g[3]) for g in suggestion.funding_groups] == [
        ("Financeur 1", 1),
        ("Financeur 2", 2),
        ("Financeur 3", 3),
    ]
    assert "Objectifs" in suggestion.unmatched
    assert suggestion.including_vat == ("TTC" in total)


def test_the_draft_reads_a_real_plan_as_the_shipped_profile_does(reference) -> None:
    draft = yaml.safe_load(
        to_yaml(suggest_profile(read_grids(REAL_FILES / "modele-import-pa.xlsx")), "modele")
    )
    # The template says "Titre de la fiche action", the plan the newer "Titre de l'action".
    draft["actions"]["title"]["aliases"] = ["Titre de l'action"]
    draft["signature"] = ["Titre de l'action", "Budget prévisionnel total € HT"]
    profile = MappingProfile.model_validate(draft)
    plan = REAL_FILES / "one_fiche_plan.xlsx"
    constants = {"plan_axis": "adaptation", "sector": "tertiaire"}

    def read(mapping: MappingProfile) -> dict:
        parsed = parse_with_profile(
            ParsedSubmission(plan), read_grids(plan), mapping, reference, constants
        )
        return {name: sheet.table.to_pylist() for name, sheet in parsed.sheets.items()}

    drafted, shipped = read(profile), read(reference.profiles["territoires-en-transitions"])
    assert [a["title"] for a in drafted["actions"]] == [a["title"] for a in shipped["actions"]]
    assert sum(i["amount_eur"] for i in drafted["investments"]) == 5_000_000


def test_the_commands_print_the_draft_and_what_a_file_would_give() -> None:
    runner = CliRunner()

    suggested = runner.invoke(
        app, ["profile", "suggest", str(REAL_FILES / "modele-import-pa.xlsx")]
    )
    checked = runner.invoke(
        app,
        [
            "profile",
            "check",
            str(REAL_FILES / "one_fiche_plan.xlsx"),
            "--profile",
            "territoires-en-transitions",
        ],
    )

    assert suggested.exit_code == 0, suggested.output
    assert 'sheet_names: ["Fichier dimport"]' in suggested.output
    assert checked.exit_code == 0, checked.output
    assert "Action 1. Création d'un comité de suivi d'élus autour du CLS" in checked.output
    assert "John Doe" in checked.output
