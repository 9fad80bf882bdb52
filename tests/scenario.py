"""The worked example of docs/worked-example.md, as rows a test can drop in inboxes."""

from __future__ import annotations

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
