"""The worked example of docs/worked-example.md, as rows a test can drop in inboxes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from climate_contract.reference import ReferenceData
    from climate_contract.settings import Settings

PROJECT = "PP-CHAUFFERIE-BOIS"


def _action(ref: str, title: str, axis: str, sector: str, **extra) -> dict:
    return {
        "action_ref": ref,
        "title": title,
        "plan_axis": axis,
        "sector": sector,
        "status": "engagee",
        "start_year": 2026,
        "end_year": 2027,
        "role": "porteur",
        "confidential": False,
    } | extra


def _investment(ref: str, year: int, amount: float) -> dict:
    return {
        "action_ref": ref,
        "year": year,
        "amount_eur": amount,
        "tax_basis": "HT",
        "nature": "investissement",
    }


def _impact(ref: str, indicator: str, value: float, unit: str, year: int) -> dict:
    return {
        "action_ref": ref,
        "indicator": indicator,
        "value": value,
        "unit": unit,
        "first_full_year": year,
    }


BOILER = ("Chaufferie bois du quartier nord", "energies_renouvelables", "branche_energie")

WORKED_EXAMPLE = {
    "reseau-chaleur": {
        "actions": [_action("RC-1", *BOILER, shared_project_key=PROJECT)],
        "investments": [_investment("RC-1", 2026, 2_000_000), _investment("RC-1", 2027, 1_000_000)],
        "impacts": [
            _impact("RC-1", "gaz_remplace_par_bois", 10_000, "MWh/an", 2028),
            _impact("RC-1", "ges_evites", 2_000, "tCO2e/an", 2028),
        ],
    },
    "banque-regionale": {
        "actions": [
            _action("BQ-1", *BOILER, role="cofinanceur", shared_project_key=PROJECT),
            _action(
                "BQ-2",
                "Prêts verts aux copropriétés",
                "sobriete_efficacite",
                "residentiel",
                confidential=True,
            ),
        ],
        "investments": [_investment("BQ-1", 2026, 500_000), _investment("BQ-2", 2026, 800_000)],
        "impacts": [
            _impact("BQ-1", "ges_evites", 2_226, "tCO2e/an", 2028),
            _impact("BQ-2", "ges_evites", 150, "tCO2e/an", 2027),
        ],
    },
    "bailleur-social": {
        "actions": [
            _action("BS-1", *BOILER, role="cofinanceur", shared_project_key=PROJECT),
            _action("BS-2", "Rénovation de 120 logements", "sobriete_efficacite", "residentiel"),
        ],
        "investments": [_investment("BS-1", 2027, 300_000), _investment("BS-2", 2026, 1_200_000)],
        "impacts": [_impact("BS-2", "gaz_economise", 2_000, "MWh/an", 2027)],
    },
}


# Public partners and confidential ones with odd amounts (no public figure equals
# one by chance), shaped so that each differencing attack of tests/test_disclosure.py
# would recover a confidential figure if the disclosure plan let it.
def _confidential(ref: str, axis: str, sector: str, **extra) -> dict:
    return _action(ref, f"Action {ref}", axis, sector, confidential=True) | extra


DISCLOSURE_SCENARIO = {
    "reseau-chaleur": {
        "actions": [
            _action(
                "RC-1",
                *BOILER,
                shared_project_key=PROJECT,
                jobs_created=4.5,
                activity_created=True,
                municipality="Dijon",
            )
        ],
        "investments": [_investment("RC-1", 2026, 2_000_000)],
        "impacts": [_impact("RC-1", "ges_evites", 2_000, "tCO2e/an", 2028)],
    },
    "bailleur-social": {
        "actions": [
            _action(
                "BS-1",
                "Rénovation",
                "sobriete_efficacite",
                "residentiel",
                jobs_created=2,
                jobs_consolidated=10,
                municipality="21166",
            )
        ],
        "investments": [_investment("BS-1", 2026, 1_200_000)],
        "impacts": [_impact("BS-1", "gaz_economise", 2_000, "MWh/an", 2027)],
    },
    "universite": {
        # A public co-funder that claims the lead's carbon too: gross is not deduplicated.
        "actions": [
            # Arcey names two communes of the region: which one is not told.
            _action(
                "U-1",
                "Isolation",
                "sobriete_efficacite",
                "tertiaire",
                jobs_consolidated=1.5,
                municipality="ARCEY",
            ),
            # The lead's jobs claimed again: counted once, as impacts are.
            _action(
                "U-2", *BOILER, role="cofinanceur", shared_project_key=PROJECT, jobs_created=4.5
            ),
        ],
        "investments": [_investment("U-1", 2026, 300_000), _investment("U-2", 2026, 150_000)],
        "impacts": [
            _impact("U-1", "ges_evites", 100, "tCO2e/an", 2027),
            _impact("U-2", "ges_evites", 2_000, "tCO2e/an", 2028),
        ],
    },
    # A confidential co-funder of a public lead: gross minus deduplicated isolates it.
    "banque-regionale": {
        "actions": [
            _confidential(
                "BQ-1",
                *BOILER[1:],
                role="cofinanceur",
                shared_project_key=PROJECT,
                jobs_created=4.5,
            ),
            _confidential("BQ-2", "sobriete_efficacite", "residentiel", jobs_created=3.25),
        ],
        "investments": [
            _investment("BQ-1", 2026, 512_345.67),
            _investment("BQ-2", 2026, 812_345.67),
        ],
        "impacts": [_impact("BQ-2", "ges_evites", 153.7, "tCO2e/an", 2027)],
    },
    "chu": {
        # Alone in creating an activity among confidential actions.
        "actions": [
            _confidential(
                "CH-1", "sobriete_efficacite", "tertiaire", jobs_created=1.75, activity_created=True
            )
        ],
        "investments": [_investment("CH-1", 2026, 733_221.11)],
        "impacts": [_impact("CH-1", "ges_evites", 211.3, "tCO2e/an", 2027)],
    },
    "cooperative-agricole": {
        "actions": [
            _confidential("CA-1", "agriculture_alimentation", "agriculture", jobs_created=2.5)
        ],
        "investments": [_investment("CA-1", 2026, 655_432.19)],
        "impacts": [_impact("CA-1", "ges_evites", 377.7, "tCO2e/an", 2027)],
    },
    # Alone in its year, its carbon alone from 2031; an abandoned action that only
    # the status funnel counts.
    "promoteur-immobilier": {
        "actions": [
            _confidential(
                "PI-1", "sobriete_efficacite", "residentiel", status="abandonnee", jobs_created=9
            ),
            _confidential("PI-2", "mobilites", "transport_routier", end_year=2031),
        ],
        "investments": [
            _investment("PI-1", 2026, 444_111.22),
            _investment("PI-2", 2027, 299_876.54),
        ],
        "impacts": [_impact("PI-2", "ges_evites", 91.9, "tCO2e/an", 2031)],
    },
}


# Beside the disclosure scenario, for the roadmap's lever figures: a public partner's
# live and abandoned actions of low-carbon mobility (only the live one counts).
LEVER_SCENARIO = {
    "transports-urbains": {
        "actions": [
            _action("TU-1", "Bus électriques", "mobilites", "transport_routier"),
            _action(
                "TU-2", "Navette fluviale", "mobilites", "autres_transports", status="abandonnee"
            ),
        ],
        "investments": [_investment("TU-1", 2026, 900_000), _investment("TU-2", 2026, 70_000)],
        "impacts": [
            _impact("TU-1", "ges_evites", 300, "tCO2e/an", 2026),
            _impact("TU-2", "ges_evites", 50, "tCO2e/an", 2026),
        ],
    }
}


# Self-assessment answers (the optional self_assessment part), theme by theme, shaped
# so that each attack of tests/test_self_assessment.py would recover an answer if
# the disclosure plan let it: the three firms that rate water all rate it at the
# top of the scale; mobility's public-body college is one partner, whose answer the
# total minus the firms' would tell; one partner rates waste in 2026 only, so that
# the 2026 mean minus the mean of those who answered both years would tell its
# answer. Colleges come from the registry.
MATURITY_2026 = {
    "reseau-chaleur": {"energie": 4, "eau": 4, "mobilite": 3, "dechets": 3},
    "banque-regionale": {"energie": 2, "eau": 4, "mobilite": 2},
    "cooperative-agricole": {"energie": 3, "eau": 4, "mobilite": 3},
    "promoteur-immobilier": {"energie": 2},
    "bailleur-social": {"energie": 3, "eau": 1, "mobilite": 2, "dechets": 2},
    "chu": {"energie": 2, "dechets": 3},
    "universite": {"energie": 3, "dechets": 2},
}
MATURITY_2025 = {
    "bailleur-social": {"energie": 2, "mobilite": 1, "dechets": 1},
    "chu": {"energie": 2, "mobilite": 3, "dechets": 2},
    "universite": {"energie": 2, "mobilite": 2, "dechets": 1},
}


def answers(levels: dict[str, int]) -> list[dict]:
    """The self-assessment rows of a partner's levels by theme."""
    return [
        {"theme": theme, "maturity_level": str(level), "justification": f"Niveau {level}."}
        for theme, level in levels.items()
    ]


for _partner_id, _levels in MATURITY_2026.items():
    DISCLOSURE_SCENARIO[_partner_id]["self_assessment"] = answers(_levels)


def collect_the_self_assessment_of_2025(settings: Settings, reference: ReferenceData) -> None:
    """Collect campaign 2025 for the partners of ``MATURITY_2025``: their scenario
    rows with their 2025 answers (the change between campaigns needs an earlier one)."""
    from climate_contract import pipeline
    from climate_contract.template import write_workbook

    for partner_id, levels in MATURITY_2025.items():
        rows = DISCLOSURE_SCENARIO[partner_id] | {"self_assessment": answers(levels)}
        inbox = settings.shared_folder("inbox", partner_id)
        write_workbook(inbox / "2025.xlsx", reference, partner_id, "2025", rows)
    earlier = settings.model_copy(update={"campaign": "2025"})
    assert {outcome.status for outcome in pipeline.run_collection(earlier)} == {"accepted"}
