"""The partner workbook: its sheets and columns, the data contract every stage shares.

The template writes these headers, the parser looks for them (French or English),
the warehouse tables take their column names, and the Great Expectations suites
check the values under them: what this module says of each column (required, code
list, type, bounds) becomes the suite's expectations (``validate.suites``), and
``expectations/<sheet>.json`` adds the rules across columns, rows and sheets.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import pyarrow as pa

from climate_contract.parts import Part
from climate_contract.wording import Language, Wording, format_number

ColumnKind = Literal["text", "integer", "decimal", "code", "boolean"]

ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "text": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "code": pa.string(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Bounds:
    """The values a number column may take, checked where cells are read (so that a
    value outside them is a finding, never a load error), by the suites (through
    the expectation parameters ``<name>_min`` and ``<name>_max``) and offered by the
    template's data validation. ``below`` and ``above`` say, for the partner, what
    is wrong with a value under the minimum or over the maximum.

    Every maximum stays far below what the warehouse's Numeric(20, 6) columns hold
    (10**14), so that a value read is a value loaded."""

    name: str
    minimum: float
    maximum: float
    below: tuple[str, Wording]
    above: tuple[str, Wording]
    checked: tuple[str, Wording]
    """The suites' rule and message for a value outside the bounds, whichever side."""

    @property
    def parameters(self) -> dict[str, float]:
        """The suites' expectation parameters for these bounds."""
        return {f"{self.name}_min": self.minimum, f"{self.name}_max": self.maximum}

    def said_in(self, language: Language) -> dict[str, str]:
        """``minimum`` and ``maximum`` as a reader of ``language`` writes them, for
        the ``{minimum}`` and ``{maximum}`` of a message."""
        return {
            "minimum": _bound_text(self.minimum, language),
            "maximum": _bound_text(self.maximum, language),
        }


def _bound_text(value: float, language: Language) -> str:
    # Years and other short figures are written without grouping: "2015", not "2 015".
    return format_number(value, language) if abs(value) >= 10_000 else f"{value:g}"


def _out_of_period() -> tuple[str, Wording]:
    return (
        "annee_plausible",
        Wording(
            "L'année {value} est hors de la période du contrat : saisissez une année entre "
            "{minimum} et {maximum}.",
            "The year {value} is outside the contract's period: enter a year between "
            "{minimum} and {maximum}.",
        ),
    )


_NEGATIVE = (
    "positif",
    Wording(
        "La valeur {value} est négative : saisissez une valeur positive ou nulle.",
        "The value {value} is negative: enter a value of zero or more.",
    ),
)
CONTRACT_YEARS = Bounds("years", 2015, 2060, _out_of_period(), _out_of_period(), _out_of_period())
AMOUNTS_EUR = Bounds(
    "amounts_eur",
    0,
    1e11,
    _NEGATIVE,
    (
        "montant_demesure",
        Wording(
            "Le montant {value} dépasse {maximum} € : vérifiez qu'il est bien en euros, "
            "sans zéro de trop.",
            "The amount {value} is over {maximum} EUR: check that it is in euros, without "
            "a zero too many.",
        ),
    ),
    (
        "montant_hors_bornes",
        Wording(
            "Le montant {value} est hors des bornes admises : saisissez un montant en euros "
            "entre {minimum} et {maximum}.",
            "The amount {value} is outside the accepted bounds: enter an amount in euros "
            "between {minimum} and {maximum}.",
        ),
    ),
)
JOBS = Bounds(
    "jobs",
    0,
    100_000,
    _NEGATIVE,
    (
        "emplois_demesures",
        Wording(
            "Le nombre d'emplois {value} dépasse {maximum} : saisissez un nombre d'emplois "
            "(équivalents temps plein), pas un montant.",
            "The number of jobs {value} is over {maximum}: enter a number of jobs (full-time "
            "equivalents), not an amount.",
        ),
    ),
    (
        "emplois_hors_bornes",
        Wording(
            "Le nombre d'emplois {value} est hors des bornes admises : saisissez un nombre "
            "d'emplois (équivalents temps plein) entre {minimum} et {maximum}.",
            "The number of jobs {value} is outside the accepted bounds: enter a number of "
            "jobs (full-time equivalents) between {minimum} and {maximum}.",
        ),
    ),
)
QUANTITIES = Bounds(
    "quantities",
    0,
    1e12,
    _NEGATIVE,
    (
        "valeur_demesuree",
        Wording(
            "La valeur {value} dépasse {maximum} : vérifiez son unité et qu'elle n'a pas "
            "de zéro de trop.",
            "The value {value} is over {maximum}: check its unit and that it has no zero too many.",
        ),
    ),
    (
        "valeur_hors_bornes",
        Wording(
            "La valeur {value} est hors des bornes admises : saisissez une valeur entre "
            "{minimum} et {maximum}, dans l'unité indiquée.",
            "The value {value} is outside the accepted bounds: enter a value between "
            "{minimum} and {maximum}, in the unit given.",
        ),
    ),
)


@dataclass(frozen=True)
class Column:
    name: str
    header_fr: str
    header_en: str
    kind: ColumnKind
    required: bool
    hint: Wording
    code_list: str | None = None
    bounds: Bounds | None = None
    listed_on: str | None = None
    """The sheet whose column of the same name lists the values this one may take:
    an investment or an impact belongs to an action declared on the Actions sheet."""
    narrowed_by: str | None = None
    """The column of the same row whose value narrows the codes this one may take:
    the units that measure what the row's indicator measures (reference data say
    which, by their dimension)."""
    part: Part | None = None
    """The optional part of the contract the column belongs to: only the templates of
    campaigns that turn it on show the column, and only their files keep its values."""
    filled_in_template_only: bool = False
    """Required of the template's rows only: a partner's own layout (read through a
    mapping profile) may leave it empty, where its platform has no such field."""
    prefilled: bool = False
    """Written by the template on every row, one row per value of its code list (the
    questions a partner answers): a row where nothing else is filled is unanswered,
    not data."""

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]

    @property
    def header(self) -> Wording:
        return Wording(self.header_fr, self.header_en)


@dataclass(frozen=True)
class Sheet:
    name: str
    title_fr: str
    title_en: str
    columns: tuple[Column, ...]
    part: Part | None = None
    """The optional part of the contract the whole sheet belongs to: only the templates
    of campaigns that turn it on have the sheet, and a partner may leave it out."""

    @property
    def title(self) -> Wording:
        return Wording(self.title_fr, self.title_en)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def with_parts(self, parts: Collection[Part]) -> Sheet:
        """The sheet as a campaign turning ``parts`` on asks for it."""
        return replace(
            self,
            columns=tuple(
                column for column in self.columns if column.part is None or column.part in parts
            ),
        )


ACTION_REF = Column(
    "action_ref",
    "Référence de l'action",
    "Action reference",
    "text",
    True,
    Wording(
        "Votre propre référence, unique dans votre fichier (ex. : ACT-01).",
        "Your own reference, unique in your file (e.g. ACT-01).",
    ),
)

# The same column on the other sheets names an action of the Actions sheet: it is
# unique there, not on a sheet that gives several years or indicators per action.
REFERENCED_ACTION = replace(
    ACTION_REF,
    hint=Wording(
        "La référence d'une action de la feuille Actions (ex. : ACT-01).",
        "The reference of an action of the Actions sheet (e.g. ACT-01).",
    ),
    listed_on="actions",
)

ACTIONS = Sheet(
    "actions",
    "Actions",
    "Actions",
    (
        ACTION_REF,
        Column(
            "title",
            "Intitulé",
            "Title",
            "text",
            True,
            Wording("Nom court de l'action.", "Short name of the action."),
        ),
        Column(
            "description",
            "Description",
            "Description",
            "text",
            False,
            Wording("Texte libre.", "Free text."),
        ),
        Column(
            "plan_axis",
            "Axe du plan",
            "Plan axis",
            "code",
            True,
            Wording(
                "Axe du Plan Climat et Biodiversité.", "Axis of the Climate and Biodiversity Plan."
            ),
            "plan_axis",
            filled_in_template_only=True,
        ),
        Column(
            "sector",
            "Secteur PCAET",
            "Sector",
            "code",
            True,
            Wording("Secteur PCAET.", "PCAET sector."),
            "sector",
        ),
        Column(
            "status",
            "Statut",
            "Status",
            "code",
            True,
            Wording("Avancement de l'action.", "Progress of the action."),
            "status",
            filled_in_template_only=True,
        ),
        Column(
            "start_year",
            "Année de début",
            "Start year",
            "integer",
            True,
            Wording("Ex. : 2026.", "E.g. 2026."),
            bounds=CONTRACT_YEARS,
            filled_in_template_only=True,
        ),
        Column(
            "end_year",
            "Année de fin",
            "End year",
            "integer",
            False,
            Wording("Ex. : 2030.", "E.g. 2030."),
            bounds=CONTRACT_YEARS,
        ),
        Column(
            "municipality",
            "Commune",
            "Municipality",
            "text",
            False,
            Wording("Code INSEE ou nom de la commune.", "INSEE code or name of the municipality."),
        ),
        Column(
            "role",
            "Rôle",
            "Role",
            "code",
            True,
            Wording(
                "Porteur du projet, ou cofinanceur du projet d'un autre partenaire.",
                "Project lead, or co-funder of another partner's project.",
            ),
            "role",
        ),
        Column(
            "shared_project_key",
            "Clé de projet partagé",
            "Shared project key",
            "text",
            False,
            Wording(
                "Même clé chez tous les partenaires qui déclarent ce projet.",
                "The same key for every partner that declares this project.",
            ),
        ),
        Column(
            "confidential",
            "Confidentiel",
            "Confidential",
            "boolean",
            True,
            Wording(
                "Oui : l'action n'apparaît jamais seule dans les résultats publiés.",
                "Yes: the action never appears on its own in published results.",
            ),
            "yes_no",
        ),
        Column(
            "parent_action_ref",
            "Action parente",
            "Parent action",
            "text",
            False,
            Wording(
                "Pour une sous-action : la référence de son action.",
                "For a sub-action: the reference of its action.",
            ),
        ),
        Column(
            "partner_axis",
            "Axe de votre plan",
            "Axis of your plan",
            "text",
            False,
            Wording(
                "L'axe (et sous-axe) de votre propre plan, tel que vous l'écrivez.",
                "The axis (and sub-axis) of your own plan, as you write it.",
            ),
        ),
        Column(
            "priority",
            "Priorité",
            "Priority",
            "text",
            False,
            Wording("Niveau de priorité, tel que vous l'écrivez.", "Priority, as you write it."),
        ),
        Column(
            "jobs_created",
            "Emplois créés (ETP)",
            "Jobs created (FTE)",
            "decimal",
            False,
            Wording(
                "Emplois que l'action crée sur le territoire, en équivalents temps plein "
                "(ex. : 2,5).",
                "Jobs the action creates in the territory, in full-time equivalents (e.g. 2.5).",
            ),
            bounds=JOBS,
            part="jobs",
        ),
        Column(
            "jobs_consolidated",
            "Emplois consolidés (ETP)",
            "Jobs consolidated (FTE)",
            "decimal",
            False,
            Wording(
                "Emplois existants que l'action maintient, en équivalents temps plein.",
                "Existing jobs the action keeps, in full-time equivalents.",
            ),
            bounds=JOBS,
            part="jobs",
        ),
        Column(
            "activity_created",
            "Activité créée",
            "Activity created",
            "boolean",
            False,
            Wording(
                "Oui : l'action crée une activité nouvelle (entreprise, service, filière).",
                "Yes: the action creates a new activity (business, service, supply chain).",
            ),
            "yes_no",
            part="jobs",
        ),
    ),
)

INVESTMENTS = Sheet(
    "investments",
    "Investissements",
    "Investments",
    (
        REFERENCED_ACTION,
        Column(
            "year",
            "Année",
            "Year",
            "integer",
            True,
            Wording("Année de la dépense.", "Year of the spending."),
            bounds=CONTRACT_YEARS,
            filled_in_template_only=True,
        ),
        Column(
            "amount_eur",
            "Montant (€)",
            "Amount (EUR)",
            "decimal",
            True,
            Wording("En euros.", "In euros."),
            bounds=AMOUNTS_EUR,
        ),
        Column(
            "tax_basis",
            "Base (HT/TTC)",
            "Tax basis",
            "code",
            True,
            Wording("HT ou TTC.", "Excluding (HT) or including (TTC) VAT."),
            "tax_basis",
        ),
        Column(
            "nature",
            "Nature",
            "Nature",
            "code",
            True,
            Wording("Investissement ou fonctionnement.", "Capital or operating expenditure."),
            "nature",
        ),
        Column(
            "funding_source",
            "Source de financement",
            "Funding source",
            "code",
            False,
            Wording("Fonds propres, subvention, emprunt…", "Own funds, grant, loan…"),
            "funding_source",
        ),
        Column(
            "funder",
            "Financeur",
            "Funder",
            "text",
            False,
            Wording("Qui apporte ce montant.", "Who provides this amount."),
        ),
    ),
)

IMPACTS = Sheet(
    "impacts",
    "Impacts",
    "Impacts",
    (
        REFERENCED_ACTION,
        Column(
            "indicator",
            "Indicateur",
            "Indicator",
            "code",
            True,
            Wording(
                "Résultat direct (tCO2e évitées, hectares…) "
                "ou donnée d'activité (MWh économisés…).",
                "Direct result (tCO2e avoided, hectares…) or activity data (MWh saved…).",
            ),
            "indicator",
        ),
        Column(
            "value",
            "Valeur",
            "Value",
            "decimal",
            True,
            Wording("Valeur annuelle attendue.", "Expected yearly value."),
            bounds=QUANTITIES,
        ),
        Column(
            "unit",
            "Unité",
            "Unit",
            "code",
            True,
            Wording("Unité de la valeur.", "Unit of the value."),
            "unit",
            narrowed_by="indicator",
        ),
        Column(
            "first_full_year",
            "Première année de plein effet",
            "First year of full effect",
            "integer",
            True,
            Wording("Ex. : 2028.", "E.g. 2028."),
            bounds=CONTRACT_YEARS,
        ),
    ),
)

SELF_ASSESSMENT = Sheet(
    "self_assessment",
    "Autodiagnostic",
    "Self-assessment",
    (
        Column(
            "theme",
            "Thème",
            "Theme",
            "code",
            True,
            Wording(
                "Le thème évalué (une ligne par thème, déjà remplie).",
                "The theme assessed (one row per theme, already filled in).",
            ),
            "maturity_theme",
            prefilled=True,
        ),
        Column(
            "maturity_level",
            "Niveau de maturité",
            "Maturity level",
            "code",
            True,
            Wording(
                "Pour un thème que vous évaluez : votre niveau, choisi dans la liste (du "
                "moins au plus avancé). Un thème que vous n'évaluez pas reste vide.",
                "For a theme you assess: your level, picked from the list (from least to "
                "most advanced). A theme you do not assess stays empty.",
            ),
            "maturity_level",
        ),
        Column(
            "justification",
            "Justification",
            "Justification",
            "text",
            False,
            Wording(
                "En une ou deux phrases : ce qui fonde ce niveau.",
                "In a sentence or two: what this level rests on.",
            ),
        ),
    ),
    part="self_assessment",
)

SHEETS: tuple[Sheet, ...] = (ACTIONS, INVESTMENTS, IMPACTS, SELF_ASSESSMENT)

ROADMAP_INDICATOR_LIST = "roadmap_indicator"
"""The code list of the roadmap's entered indicators, derived from
``reference/roadmap.yaml``: the steward's workbook offers and checks them."""
ROADMAP_VALUES = Sheet(
    "roadmap_values",
    "Indicateurs saisis",
    "Entered indicators",
    (
        Column(
            "indicator",
            "Indicateur",
            "Indicator",
            "code",
            True,
            Wording(
                "Un indicateur de la feuille de route que vous saisissez, choisi dans la liste.",
                "A roadmap indicator you enter, picked from the list.",
            ),
            ROADMAP_INDICATOR_LIST,
        ),
        Column(
            "year",
            "Année",
            "Year",
            "integer",
            True,
            Wording(
                "L'année que la valeur mesure (sa valeur à la fin de l'année).",
                "The year the value measures (its value at the end of the year).",
            ),
            bounds=CONTRACT_YEARS,
        ),
        Column(
            "value",
            "Valeur",
            "Value",
            "decimal",
            True,
            Wording(
                "Dans l'unité de l'indicateur (feuille de route).",
                "In the indicator's unit (roadmap).",
            ),
            bounds=QUANTITIES,
        ),
        Column(
            "source",
            "Source",
            "Source",
            "text",
            False,
            Wording(
                "D'où vient la valeur (rapport, service, date).",
                "Where the value comes from (report, department, date).",
            ),
        ),
    ),
)
"""The steward's workbook of the roadmap indicators the warehouse cannot compute
(``reference/roadmap_values``): one value per indicator and year."""
WORKBOOK_SHEETS: tuple[Sheet, ...] = (*SHEETS, ROADMAP_VALUES)
"""Every sheet the parser reads, in a partner's workbook or the steward's."""
BOUNDS: tuple[Bounds, ...] = (CONTRACT_YEARS, AMOUNTS_EUR, QUANTITIES, JOBS)


def sheets_for(parts: Collection[Part]) -> tuple[Sheet, ...]:
    """The data sheets as a campaign turning ``parts`` on asks for them (with no
    part, the sheets every campaign asks for)."""
    return tuple(
        sheet.with_parts(parts) for sheet in SHEETS if sheet.part is None or sheet.part in parts
    )


SCALE_ENDS = ("scale_lowest", "scale_highest")
"""Added to the self-assessment's answers read: the lowest and highest level of the
scale they were given on, the reference's when the file is read. Everyone reading the
template knows them: the disclosure audit grants them to an attacker, and a scale
changed later does not change what was answered."""
COMMUNE_CODE = "commune_code"
"""Added to the actions read: the INSEE code of the commune the ``municipality`` cell
names, when the reference's communes know it (by code or by a name no other shares)."""
MAX_FINDINGS_PER_FILE = 200
"""Findings told for one file: more would bury what matters; the partner fixes these
and sends the file again."""

INSTRUCTIONS_SHEET = "Instructions"
EXAMPLE_SHEET = Wording("Exemple", "Example")
"""The template's sheet of worked example rows. Never data: the parser reads the
sheets titled as ``SHEETS`` and nothing else, so a partner may leave it in."""
LISTS_SHEET = "Listes"
"""The template's hidden sheet of drop-down values."""
EXAMPLE_FINGERPRINT = "empreinte_exemple"
"""The header, on the lists sheet, of the example sheet's fingerprint as written: the
parser tells a partner who changed that sheet (typed its data there) that it is
never read."""
# The template says whose it is on this line; the parser reads it back, so that a
# workbook dropped in another partner's folder is noticed.
DECLARED_PARTNER = re.compile(r"^(?:Partenaire|Partner)\s*:.*\((?P<partner_id>[\w-]+)\)\s*$")


DECLARED_CAMPAIGN = re.compile(r"^(?:Campagne|Campaign)\s*:\s*(?P<campaign_id>[\w-]+)\s*,")


def partner_line(name: str, partner_id: str) -> Wording:
    return Wording(f"Partenaire : {name} ({partner_id})", f"Partner: {name} ({partner_id})")


def campaign_line(campaign_id: str, deadline: date) -> Wording:
    """The template's line naming its campaign; read back, so that a workbook of
    another campaign is noticed."""
    return Wording(
        f"Campagne : {campaign_id}, à déposer avant le {deadline:%d/%m/%Y}",
        f"Campaign: {campaign_id}, to be dropped before {deadline:%Y-%m-%d}",
    )


# Text a spreadsheet program could take for a formula (CSV/formula injection): the
# writers quote it, the parser reads the quoted form back as typed.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
