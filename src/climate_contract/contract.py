"""The partner workbook: its sheets and columns, the data contract every stage shares.

The template writes these headers, the parser looks for them (French or English),
the warehouse tables take their column names, and the Great Expectations suites in
``expectations/`` check the values under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

ColumnKind = Literal["text", "integer", "decimal", "code", "boolean"]

ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "text": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "code": pa.string(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    name: str
    header_fr: str
    header_en: str
    kind: ColumnKind
    required: bool
    hint_fr: str
    code_list: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Sheet:
    name: str
    title_fr: str
    title_en: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


ACTION_REF = Column(
    "action_ref",
    "Référence de l'action",
    "Action reference",
    "text",
    True,
    "Votre propre référence, unique dans votre fichier (ex. : ACT-01).",
)

ACTIONS = Sheet(
    "actions",
    "Actions",
    "Actions",
    (
        ACTION_REF,
        Column("title", "Intitulé", "Title", "text", True, "Nom court de l'action."),
        Column("description", "Description", "Description", "text", False, "Texte libre."),
        Column(
            "plan_axis",
            "Axe du plan",
            "Plan axis",
            "code",
            True,
            "Axe du Plan Climat et Biodiversité.",
            "plan_axis",
        ),
        Column("sector", "Secteur PCAET", "Sector", "code", True, "Secteur PCAET.", "sector"),
        Column("status", "Statut", "Status", "code", True, "Avancement de l'action.", "status"),
        Column("start_year", "Année de début", "Start year", "integer", True, "Ex. : 2026."),
        Column("end_year", "Année de fin", "End year", "integer", False, "Ex. : 2030."),
        Column(
            "municipality",
            "Commune",
            "Municipality",
            "text",
            False,
            "Code INSEE ou nom de la commune.",
        ),
        Column(
            "role",
            "Rôle",
            "Role",
            "code",
            True,
            "Porteur du projet, ou cofinanceur du projet d'un autre partenaire.",
            "role",
        ),
        Column(
            "shared_project_key",
            "Clé de projet partagé",
            "Shared project key",
            "text",
            False,
            "Même clé chez tous les partenaires qui déclarent ce projet.",
        ),
        Column(
            "confidential",
            "Confidentiel",
            "Confidential",
            "boolean",
            True,
            "Oui : l'action n'apparaît jamais seule dans les résultats publiés.",
            "yes_no",
        ),
    ),
)

INVESTMENTS = Sheet(
    "investments",
    "Investissements",
    "Investments",
    (
        ACTION_REF,
        Column("year", "Année", "Year", "integer", True, "Année de la dépense."),
        Column("amount_eur", "Montant (€)", "Amount (EUR)", "decimal", True, "En euros."),
        Column("tax_basis", "Base (HT/TTC)", "Tax basis", "code", True, "HT ou TTC.", "tax_basis"),
        Column(
            "nature",
            "Nature",
            "Nature",
            "code",
            True,
            "Investissement ou fonctionnement.",
            "nature",
        ),
        Column(
            "funding_source",
            "Source de financement",
            "Funding source",
            "code",
            False,
            "Fonds propres, subvention, emprunt…",
            "funding_source",
        ),
    ),
)

IMPACTS = Sheet(
    "impacts",
    "Impacts",
    "Impacts",
    (
        ACTION_REF,
        Column(
            "indicator",
            "Indicateur",
            "Indicator",
            "code",
            True,
            "Résultat direct (tCO2e évitées, hectares…) ou donnée d'activité (MWh économisés…).",
            "indicator",
        ),
        Column("value", "Valeur", "Value", "decimal", True, "Valeur annuelle attendue."),
        Column("unit", "Unité", "Unit", "code", True, "Unité de la valeur.", "unit"),
        Column(
            "first_full_year",
            "Première année de plein effet",
            "First year of full effect",
            "integer",
            True,
            "Ex. : 2028.",
        ),
    ),
)

SHEETS: tuple[Sheet, ...] = (ACTIONS, INVESTMENTS, IMPACTS)

INSTRUCTIONS_SHEET = "Instructions"
# The template says whose it is on this line; the parser reads it back, so that a
# workbook dropped in another partner's folder is noticed.
DECLARED_PARTNER = re.compile(r"^Partenaire\s*:.*\((?P<partner_id>[\w-]+)\)\s*$")


def partner_line(name: str, partner_id: str) -> str:
    return f"Partenaire : {name} ({partner_id})"


# Text a spreadsheet program could take for a formula (CSV/formula injection): the
# writers quote it, the parser reads the quoted form back as typed.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
