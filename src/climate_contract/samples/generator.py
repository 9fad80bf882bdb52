"""Sample submissions modelled on the kinds of actors in Dijon's climate contract.

Every organisation and figure here is invented. The same partner and campaign
always give the same rows, so tests and demos can be compared run to run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from climate_contract.reference import ReferenceData
from climate_contract.template import SubmissionRows, write_workbook


@dataclass(frozen=True)
class Archetype:
    title: str
    plan_axis: str
    sector: str
    indicator: str
    unit: str
    impact_range: tuple[float, float]
    yearly_amount_range: tuple[int, int]


ARCHETYPES: dict[str, Archetype] = {
    "renovation": Archetype(
        "Rénovation thermique de bâtiments",
        "sobriete_efficacite",
        "residentiel",
        "gaz_economise",
        "MWh/an",
        (300, 2500),
        (400_000, 3_000_000),
    ),
    "tertiary_retrofit": Archetype(
        "Isolation et pilotage énergétique des locaux",
        "sobriete_efficacite",
        "tertiaire",
        "ges_evites",
        "tCO2e/an",
        (20, 400),
        (100_000, 1_200_000),
    ),
    "solar_roofs": Archetype(
        "Centrales photovoltaïques en toiture",
        "energies_renouvelables",
        "branche_energie",
        "electricite_photovoltaique_produite",
        "MWh/an",
        (200, 3000),
        (150_000, 1_500_000),
    ),
    "heat_network": Archetype(
        "Extension du réseau de chaleur biomasse",
        "energies_renouvelables",
        "branche_energie",
        "gaz_remplace_par_bois",
        "MWh/an",
        (2000, 25000),
        (1_000_000, 8_000_000),
    ),
    "fleet": Archetype(
        "Conversion de la flotte de véhicules",
        "mobilites",
        "transport_routier",
        "ges_evites",
        "tCO2e/an",
        (15, 900),
        (80_000, 2_000_000),
    ),
    "cycling": Archetype(
        "Plan de mobilité employeur et stationnement vélo",
        "mobilites",
        "transport_routier",
        "voyageurs_km_voiture_vers_velo",
        "voyageurs.km/an",
        (50_000, 900_000),
        (20_000, 300_000),
    ),
    "desealing": Archetype(
        "Désimperméabilisation et végétalisation de cours",
        "biodiversite",
        "tertiaire",
        "surface_desimpermeabilisee",
        "ha",
        (0.2, 4),
        (50_000, 600_000),
    ),
    "trees": Archetype(
        "Plantation d'arbres et d'îlots de fraîcheur",
        "adaptation",
        "tertiaire",
        "arbres_plantes",
        "arbres",
        (50, 2000),
        (20_000, 250_000),
    ),
    "hedgerows": Archetype(
        "Replantation de haies bocagères",
        "agriculture_alimentation",
        "agriculture",
        "haies_plantees",
        "km",
        (1, 40),
        (30_000, 400_000),
    ),
    "low_input_farming": Archetype(
        "Réduction des engrais azotés",
        "agriculture_alimentation",
        "agriculture",
        "ges_evites",
        "tCO2e/an",
        (100, 3000),
        (50_000, 500_000),
    ),
    "wetlands": Archetype(
        "Restauration de zones humides",
        "biodiversite",
        "agriculture",
        "surface_restauree",
        "ha",
        (2, 60),
        (40_000, 700_000),
    ),
    "waste_sorting": Archetype(
        "Tri à la source des biodéchets",
        "economie_circulaire",
        "dechets",
        "biodechets_compostes",
        "t/an",
        (50, 4000),
        (60_000, 1_500_000),
    ),
    "green_finance": Archetype(
        "Enveloppe de prêts à la rénovation énergétique",
        "sobriete_efficacite",
        "residentiel",
        "ges_evites",
        "tCO2e/an",
        (100, 2500),
        (500_000, 5_000_000),
    ),
    "lighting": Archetype(
        "Passage de l'éclairage en LED",
        "sobriete_efficacite",
        "tertiaire",
        "electricite_economisee",
        "MWh/an",
        (20, 800),
        (30_000, 500_000),
    ),
}

PARTNER_ARCHETYPES: dict[str, tuple[str, ...]] = {
    "reseau-electrique": ("solar_roofs", "fleet", "lighting", "trees"),
    "bailleur-social": ("renovation", "renovation", "desealing", "solar_roofs", "trees"),
    "chu": ("tertiary_retrofit", "lighting", "waste_sorting", "cycling", "desealing"),
    "universite": ("tertiary_retrofit", "solar_roofs", "cycling", "trees"),
    "cooperative-agricole": ("low_input_farming", "hedgerows", "wetlands", "fleet"),
    "banque-regionale": ("green_finance", "tertiary_retrofit", "cycling"),
    "opera": ("lighting", "tertiary_retrofit", "cycling"),
    "voies-navigables": ("wetlands", "trees", "fleet"),
    "transports-urbains": ("fleet", "fleet", "cycling", "solar_roofs"),
    "reseau-chaleur": ("heat_network", "heat_network", "solar_roofs"),
    "eau-assainissement": ("wetlands", "desealing", "lighting"),
    "gestion-dechets": ("waste_sorting", "waste_sorting", "fleet"),
    "centre-commercial": ("solar_roofs", "lighting", "desealing", "tertiary_retrofit"),
    "chambre-commerce": ("tertiary_retrofit", "waste_sorting"),
    "ferroviaire": ("fleet", "solar_roofs", "trees"),
    "conservatoire-espaces": ("wetlands", "hedgerows", "trees"),
    "club-sportif": ("lighting", "cycling", "waste_sorting"),
    "promoteur-immobilier": ("renovation", "desealing", "trees"),
}

# The same project declared by its lead and by the partners that co-fund it.
SHARED_PROJECTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "PP-RESEAU-CHALEUR-NORD": ("reseau-chaleur", "heat_network", ("banque-regionale",)),
    "PP-COURS-OASIS": ("bailleur-social", "desealing", ("eau-assainissement",)),
}

BIODIVERSITY_INDICATORS = frozenset(
    {"surface_desimpermeabilisee", "surface_restauree", "arbres_plantes", "haies_plantees"}
)
SAMPLE_FORMATS = {"opera": ".ods", "conservatoire-espaces": ".ods", "club-sportif": ".csv"}
MUNICIPALITIES = ("Dijon", "21231", "Chenôve", "Quetigny", "Talant", "Longvic", "21617")
STATUSES = ("prevue", "engagee", "engagee", "en_cours", "en_cours", "realisee", "abandonnee")


def _round_amount(value: float) -> int:
    return int(round(value, -3))


def _action(
    rng: random.Random,
    number: int,
    archetype: Archetype,
    campaign_year: int,
    *,
    role: str = "porteur",
    shared_key: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    reference = f"ACT-{number:02d}"
    start = campaign_year + rng.randint(-2, 2)
    end = start + rng.randint(1, 5)
    action = {
        "action_ref": reference,
        "title": archetype.title if role == "porteur" else f"Cofinancement : {archetype.title}",
        "description": "Action d'exemple (données inventées).",
        "plan_axis": archetype.plan_axis,
        "sector": archetype.sector,
        "status": rng.choice(STATUSES),
        "start_year": start,
        "end_year": end,
        "municipality": rng.choice(MUNICIPALITIES),
        "role": role,
        "shared_project_key": shared_key,
        "confidential": rng.random() < 0.1,
    }
    low, high = archetype.yearly_amount_range
    if role == "cofinanceur":
        low, high = low // 5, high // 5
    investments = [
        {
            "action_ref": reference,
            "year": year,
            "amount_eur": _round_amount(rng.uniform(low, high)),
            "tax_basis": "HT",
            "nature": "investissement" if rng.random() < 0.8 else "fonctionnement",
            "funding_source": rng.choice(("fonds_propres", "subvention", "emprunt")),
        }
        for year in range(start, min(end, start + 3) + 1)
    ]
    impact_low, impact_high = archetype.impact_range
    impacts = [
        {
            "action_ref": reference,
            "indicator": archetype.indicator,
            "value": round(rng.uniform(impact_low, impact_high), 1),
            "unit": archetype.unit,
            "first_full_year": end,
        }
    ]
    if archetype.indicator in BIODIVERSITY_INDICATORS and rng.random() < 0.5:
        impacts.append(
            {
                "action_ref": reference,
                "indicator": "ges_evites",
                "value": round(rng.uniform(5, 500), 1),
                "unit": "tCO2e/an",
                "first_full_year": end,
            }
        )
    return action, investments, impacts


def _with_jobs(rows: SubmissionRows, rng: random.Random) -> SubmissionRows:
    """The actions' jobs and activities (the contract's optional ``jobs`` part), from
    their own random stream so that the other figures stay as they were; a template
    shows them only for a campaign that turns the part on."""
    for action in rows["actions"]:
        if action["role"] != "porteur" or rng.random() < 0.4:
            continue
        action["jobs_created"] = round(rng.uniform(0.5, 12), 1)
        action["jobs_consolidated"] = round(rng.uniform(0, 20), 1) if rng.random() < 0.5 else None
        action["activity_created"] = rng.random() < 0.25
    return rows


MATURITY_THEMES = (
    "pilotage",
    "energie",
    "dechets",
    "mobilite",
    "alimentation",
    "eau",
    "biodiversite",
)
MATURITY_FIRST_YEAR = 2025
"""The year the samples' partners first assess themselves: their maturity grows from
there, a theme at a time."""
MATURITY_JUSTIFICATIONS = {
    1: "Sujet identifié, pas encore d'action engagée.",
    2: "Premières actions lancées, sans objectif chiffré à ce stade.",
    3: "Objectifs chiffrés, plan d'action adopté et suivi annuel.",
    4: "Résultats mesurés et partagés avec les autres partenaires.",
}


def _with_self_assessment(
    rows: SubmissionRows, partner_seed: str, campaign_year: int
) -> SubmissionRows:
    """A partner's maturity on each theme it assesses (the contract's optional
    ``self_assessment`` part): the same partner's levels only grow from one campaign
    to the next; about one partner in six does not assess itself at all."""
    answers = []
    if random.Random(f"{partner_seed}/maturity").random() >= 1 / 6:
        for theme in MATURITY_THEMES:
            # A stream per theme, so that a level depends on the theme's past only.
            rng = random.Random(f"{partner_seed}/maturity/{theme}")
            level = rng.randint(1, 3)
            for _ in range(MATURITY_FIRST_YEAR, campaign_year):
                level = min(4, level + (rng.random() < 0.4))
            if random.Random(f"{partner_seed}/maturity/{theme}/{campaign_year}").random() > 0.1:
                answers.append(
                    {
                        "theme": theme,
                        "maturity_level": str(level),
                        "justification": MATURITY_JUSTIFICATIONS[level],
                    }
                )
    return {**rows, "self_assessment": answers}


def sample_rows(partner_id: str, campaign_id: str) -> SubmissionRows:
    """The sample rows of one partner for one campaign, in warehouse form."""
    rng = random.Random(f"{partner_id}/{campaign_id}")
    campaign_year = int(campaign_id)
    rows: dict[str, list[dict[str, Any]]] = {"actions": [], "investments": [], "impacts": []}

    def add(parts: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        action, investments, impacts = parts
        rows["actions"].append(action)
        rows["investments"].extend(investments)
        rows["impacts"].extend(impacts)

    for key in PARTNER_ARCHETYPES[partner_id]:
        action = _action(rng, len(rows["actions"]) + 1, ARCHETYPES[key], campaign_year)
        earlier = sum(a["title"].startswith(action[0]["title"]) for a in rows["actions"])
        if earlier:
            action[0]["title"] += f" (tranche {earlier + 1})"
        add(action)
    for shared_key, (lead, archetype_key, cofunders) in SHARED_PROJECTS.items():
        if partner_id == lead or partner_id in cofunders:
            role = "porteur" if partner_id == lead else "cofinanceur"
            number = len(rows["actions"]) + 1
            archetype = ARCHETYPES[archetype_key]
            add(_action(rng, number, archetype, campaign_year, role=role, shared_key=shared_key))
    with_jobs = _with_jobs(rows, random.Random(f"{partner_id}/{campaign_id}/jobs"))
    return _with_self_assessment(with_jobs, partner_id, campaign_year)


def scaled_rows(model_partner_id: str, campaign_id: str, actions: int, seed: str) -> SubmissionRows:
    """``actions`` invented actions in the manner of a sample partner (its kinds of
    action, cycled), for workloads larger than the samples; ``seed`` tells apart
    partners modelled on the same one."""
    rng = random.Random(f"{seed}/{campaign_id}")
    kinds = PARTNER_ARCHETYPES[model_partner_id]
    rows: dict[str, list[dict[str, Any]]] = {"actions": [], "investments": [], "impacts": []}
    for number in range(1, actions + 1):
        action, investments, impacts = _action(
            rng, number, ARCHETYPES[kinds[number % len(kinds)]], int(campaign_id)
        )
        rows["actions"].append(action)
        rows["investments"].extend(investments)
        rows["impacts"].extend(impacts)
    with_jobs = _with_jobs(rows, random.Random(f"{seed}/{campaign_id}/jobs"))
    return _with_self_assessment(with_jobs, seed, int(campaign_id))


def write_sample_inbox(inbox_root: Path, reference: ReferenceData, campaign_id: str) -> list[Path]:
    """Write one sample workbook per partner expected in the campaign into its inbox."""
    written = []
    for partner in reference.partners:
        if campaign_id not in partner.campaigns or partner.id not in PARTNER_ARCHETYPES:
            continue
        suffix = SAMPLE_FORMATS.get(partner.id, ".xlsx")
        path = inbox_root / partner.id / f"contrat-climat-{campaign_id}-{partner.id}{suffix}"
        rows = sample_rows(partner.id, campaign_id)
        written.append(write_workbook(path, reference, partner.id, campaign_id, rows, sample=True))
    return written
