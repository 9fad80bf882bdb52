"""The campaign report for elected officials and the public: what all partners
together commit and achieve against the plan, as an HTML page that works offline
and a PDF of the same content.

It reads only the marts as published, after the disclosure audit cleared them:
a figure withheld there is withheld here. Figures are rounded for reading; the
warehouse keeps them exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader

from climate_contract.aggregate.project import NOT_GIVEN, POOL, TOTAL
from climate_contract.report import REPORT_NAME, charts
from climate_contract.wording import Language, Wording, format_number

if TYPE_CHECKING:
    import pyarrow as pa

    from climate_contract.reference import ReferenceData
    from climate_contract.reference.roadmap import Roadmap

MILESTONE_YEARS = (2030, 2050)
STATUS_ORDER = ("prevue", "engagee", "en_cours", "realisee", "abandonnee")
WHOLE_PLAN = TOTAL
COLLEGE_LABELS = {
    "entreprise": Wording("Entreprises", "Companies"),
    "organisme_public": Wording("Organismes publics", "Public bodies"),
    "association": Wording("Associations", "Associations"),
    "institution": Wording("Institutions", "Institutions"),
}
CHANGE_LABELS = {
    "added": Wording("Ajoutées", "Added"),
    "dropped": Wording("Retirées", "Dropped"),
    "status_changed": Wording("Statut changé", "Status changed"),
    "figures_changed": Wording("Chiffres changés", "Figures changed"),
    "unchanged": Wording("Inchangées", "Unchanged"),
}
W = Wording
TEXT = {
    "title": W(
        "Contrat Climat et Biodiversité : campagne {campaign}",
        "Climate and Biodiversity Contract: campaign {campaign}",
    ),
    "subtitle": W(
        "Ce que les partenaires engagent et réalisent, face aux objectifs du plan.",
        "What the partners commit and achieve, against the plan's targets.",
    ),
    "snapshot": W(
        "Publication courante, non officielle : données arrêtées le {date}, publication "
        "{mark} ; elle change à chaque nouvelle publication.",
        "Current publication, not official: data as of {date}, publication {mark}; it "
        "changes with each new publication.",
    ),
    "official_snapshot": W(
        "Instantané officiel {snapshot}, figé le {frozen} : données arrêtées le {date}, "
        "publication {mark}. Il ne change plus ; une publication ultérieure serait un "
        "autre instantané.",
        "Official snapshot {snapshot}, frozen on {frozen}: data as of {date}, publication "
        "{mark}. It no longer changes; a later publication would be another snapshot.",
    ),
    "snapshot_row": W("Instantané officiel", "Official snapshot"),
    "not_official": W(
        "aucun : publication courante, non officielle", "none: current publication, not official"
    ),
    "withheld": W("confidentiel", "confidential"),
    "none": W("—", "—"),
    "at_least": W("au moins {value}", "at least {value}"),
    "figure": W("Chiffre", "Figure"),
    "value": W("Valeur", "Value"),
    "contents": W("Sommaire", "Contents"),
    "table_of": W("Données du graphique", "Data behind the chart"),
    # Headline figures
    "headline": W("Chiffres clés", "Key figures"),
    "money_total": W(
        "Euros engagés (hors taxes, comptés une fois par projet partagé)",
        "Euros committed (before tax, counted once per shared project)",
    ),
    "avoided_at": W(
        "tCO2e évitées par an en {year}",
        "tCO2e avoided per year in {year}",
    ),
    "gap_share": W(
        "Part de l'écart à l'objectif {year} couverte",
        "Share of the gap to the {year} target covered",
    ),
    "partners_answered": W(
        "Partenaires ayant répondu (fichier accepté) / attendus",
        "Partners who answered (file accepted) / expected",
    ),
    "actions": W("Actions déclarées", "Actions declared"),
    "headline_text": W(
        "« Au moins » : une partie des chiffres confidentiels regroupés n'est pas publiée, "
        "le total publié en est diminué.",
        "“At least”: part of the pooled confidential figures is not published, and the "
        "published total leaves it out.",
    ),
    # Money
    "money": W("L'argent engagé", "Money committed"),
    "money_axis_year": W(
        "Euros engagés par axe du plan et par année", "Euros committed by plan axis and year"
    ),
    "money_axis_year_alt": W(
        "Barres empilées : pour chaque année, les euros engagés, découpés par axe du plan.",
        "Stacked bars: for each year, the euros committed, split by plan axis.",
    ),
    "money_sector": W("Euros engagés par secteur", "Euros committed by sector"),
    "money_sector_alt": W(
        "Barres horizontales : les euros engagés sur toute la période, par secteur.",
        "Horizontal bars: the euros committed over the whole period, by sector.",
    ),
    "money_nature": W(
        "Euros engagés par nature de dépense", "Euros committed by nature of spending"
    ),
    "money_nature_alt": W(
        "Barres horizontales : les euros engagés sur toute la période, en investissement "
        "et en fonctionnement.",
        "Horizontal bars: the euros committed over the whole period, as capital and as "
        "operating expenditure.",
    ),
    "money_funding": W(
        "Euros engagés par source de financement", "Euros committed by funding source"
    ),
    "money_funding_alt": W(
        "Barres horizontales : les euros engagés sur toute la période, par source de "
        "financement déclarée.",
        "Horizontal bars: the euros committed over the whole period, by declared funding source.",
    ),
    "money_college": W(
        "Euros engagés par collège de partenaires (hors actions confidentielles)",
        "Euros committed by college of partners (confidential actions left out)",
    ),
    "money_college_alt": W(
        "Barres horizontales : les euros engagés par les partenaires de chaque collège.",
        "Horizontal bars: the euros committed by the partners of each college.",
    ),
    "money_text": W(
        "Montants hors taxes des actions vivantes (non abandonnées), comptés une fois par "
        "projet partagé. Les actions confidentielles sont regroupées dans la ligne "
        "« Actions confidentielles », publiée seulement si elle ne révèle aucun partenaire.",
        "Amounts before tax of live (not abandoned) actions, counted once per shared "
        "project. Confidential actions are pooled in the “confidential actions” row, "
        "published only where it reveals no partner.",
    ),
    "undated_money": W(
        "Dont {value} € sans année indiquée par le partenaire (hors graphique).",
        "Of which €{value} without a year given by the partner (not charted).",
    ),
    "axis": W("Axe du plan", "Plan axis"),
    "sector": W("Secteur", "Sector"),
    "college": W("Collège", "College"),
    "nature": W("Nature", "Nature"),
    "funding": W("Source de financement", "Funding source"),
    POOL: W("Actions confidentielles (regroupées)", "Confidential actions (pooled)"),
    NOT_GIVEN: W("Non renseignée", "Not given"),
    "year": W("Année", "Year"),
    "eur": W("Euros HT", "Euros before tax"),
    "partners": W("Partenaires", "Partners"),
    # Carbon
    "carbon": W("La trajectoire carbone", "The carbon trajectory"),
    "trajectory": W(
        "Émissions du territoire : objectif du plan et inventaires observés",
        "The territory's emissions: the plan's target and observed inventories",
    ),
    "trajectory_alt": W(
        "Courbe en tirets : la trajectoire d'émissions que vise le plan, en tCO2e par an ; "
        "losanges : les émissions observées par les inventaires.",
        "Dashed line: the emissions trajectory the plan aims at, in tCO2e per year; "
        "diamonds: the emissions observed by inventories.",
    ),
    "wedge": W(
        "tCO2e évitées chaque année par les engagements, par axe",
        "tCO2e avoided each year by the commitments, by axis",
    ),
    "wedge_alt": W(
        "Aires empilées : pour chaque année, les tCO2e par an que les actions engagées "
        "évitent, découpées par axe du plan.",
        "Stacked areas: for each year, the tCO2e per year the committed actions avoid, "
        "split by plan axis.",
    ),
    "carbon_text": W(
        "Le carbone de chaque action est son estimation à partir des données d'activité "
        "(référentiel de facteurs d'émission), à défaut ce que le partenaire a déclaré.",
        "Each action's carbon is its estimate from activity data (emission-factor "
        "referential), else what the partner declared.",
    ),
    "tco2e": W("tCO2e par an", "tCO2e per year"),
    "target": W("Objectif du plan", "Plan target"),
    "observed": W("Inventaire observé", "Observed inventory"),
    "avoided": W("tCO2e évitées par an", "tCO2e avoided per year"),
    "required": W("Réduction demandée par le plan", "Reduction the plan requires"),
    "gap": W("Écart restant (observé moins objectif)", "Remaining gap (observed minus target)"),
    "share_gap": W("Part de l'écart couverte", "Share of the gap covered"),
    # Biodiversity
    "biodiversity": W("La biodiversité", "Biodiversity"),
    "biodiversity_chart": W(
        "Résultats attendus en {year}, en part de l'objectif du plan",
        "Results expected by {year}, as a share of the plan's target",
    ),
    "biodiversity_alt": W(
        "Barres horizontales : pour chaque indicateur de biodiversité, la part de "
        "l'objectif {year} que les actions déclarées atteignent.",
        "Horizontal bars: for each biodiversity indicator, the share of the {year} target "
        "the declared actions reach.",
    ),
    "indicator": W("Indicateur", "Indicator"),
    "unit": W("Unité", "Unit"),
    "delivered": W("Résultat cumulé", "Cumulated result"),
    "target_value": W("Objectif", "Target"),
    "share_target": W("Part de l'objectif", "Share of the target"),
    # Status
    "status": W("L'avancement des actions", "How far actions are"),
    "funnel": W("Actions par statut", "Actions by status"),
    "funnel_alt": W(
        "Barres horizontales : le nombre d'actions de chaque statut, de prévue à réalisée.",
        "Horizontal bars: the number of actions of each status, from planned to done.",
    ),
    "status_label": W("Statut", "Status"),
    "action_count": W("Actions", "Actions"),
    "changes": W(
        "Ce qui a changé depuis la campagne précédente",
        "What changed since the previous campaign",
    ),
    "changes_alt": W(
        "Barres horizontales : le nombre d'actions ajoutées, retirées, changées ou "
        "inchangées depuis la campagne précédente de chaque partenaire.",
        "Horizontal bars: the number of actions added, dropped, changed or unchanged "
        "since each partner's previous campaign.",
    ),
    "change": W("Changement", "Change"),
    "no_changes": W(
        "Aucun partenaire n'a de campagne précédente à comparer.",
        "No partner has a previous campaign to compare with.",
    ),
    # Shared projects
    "shared": W("Les projets partagés", "Shared projects"),
    "shared_chart": W(
        "Euros déclarés et euros comptés, par projet partagé",
        "Euros declared and euros counted, by shared project",
    ),
    "shared_alt": W(
        "Barres horizontales : pour chaque projet partagé, les euros que ses partenaires "
        "déclarent ensemble, et ceux qui sont comptés une fois.",
        "Horizontal bars: for each shared project, the euros its partners declare "
        "together, and those counted once.",
    ),
    "shared_text": W(
        "{projects} projet(s) déclaré(s) par plusieurs partenaires ({declarations} "
        "déclarations) : {twice} € auraient été comptés deux fois sans dédoublonnage.",
        "{projects} project(s) declared by several partners ({declarations} declarations): "
        "€{twice} would have been counted twice without deduplication.",
    ),
    "project": W("Projet", "Project"),
    "declarations": W("Déclarations", "Declarations"),
    "declared_eur": W("Euros déclarés", "Euros declared"),
    "counted_eur": W("Euros comptés", "Euros counted"),
    "twice_eur": W("Euros comptés deux fois sans dédoublonnage", "Euros counted twice otherwise"),
    "amount": W("Montant", "Amount"),
    "kind": W("Mesure", "Measure"),
    # Roadmap
    "roadmap": W("La feuille de route", "The roadmap"),
    "roadmap_text": W(
        "La feuille de route, engagée en {start}, compte {levers} leviers et {indicators} "
        "indicateurs, avec des jalons à 1, 3, 6 et 10 ans. Les actions, euros et tCO2e d'un "
        "levier sont ceux des actions non confidentielles de ses axes du plan dans la "
        "campagne ; les contrats signés viennent du registre des partenaires ; les autres "
        "indicateurs sont saisis par l'équipe du contrat. Un indicateur est dans les temps "
        "s'il atteint la droite qui mène de sa valeur de départ à ses jalons.",
        "The roadmap, started in {start}, has {levers} levers and {indicators} indicators, "
        "with milestones at 1, 3, 6 and 10 years. A lever's actions, euros and tCO2e are "
        "those of the non-confidential actions of its plan axes in the campaign; contracts "
        "signed come from the partner registry; the other indicators are entered by the "
        "contract's team. An indicator is on track when it reaches the straight line from "
        "its starting value through its milestones.",
    ),
    "roadmap_chart": W(
        "Où en est chaque indicateur de son prochain jalon",
        "How far each indicator is toward its next milestone",
    ),
    "roadmap_alt": W(
        "Barres horizontales : pour chaque indicateur de la feuille de route, la part de la "
        "cible de son prochain jalon atteinte, colorée selon qu'il est dans les temps, en "
        "retard ou que le jalon est atteint.",
        "Horizontal bars: for each roadmap indicator, the share of its next milestone's "
        "target reached, coloured by whether it is on track, late, or the milestone reached.",
    ),
    "levers": W("Leviers et objectifs", "Levers and objectives"),
    "lever": W("Levier", "Lever"),
    "objective": W("Objectif", "Objective"),
    "due": W("Échéance", "Due"),
    "observed_value": W("Valeur observée", "Value observed"),
    "observed_in": W("{value} ({year})", "{value} ({year})"),
    "next_milestone": W("Prochain jalon", "Next milestone"),
    "expected_now": W("Attendu à ce jour", "Expected by now"),
    "atteint": W("Jalon atteint", "Milestone reached"),
    "dans_les_temps": W("Dans les temps", "On track"),
    "en_retard": W("En retard", "Late"),
    "non_mesure": W("Pas encore mesuré", "Not measured yet"),
    # Coverage
    "coverage": W("La campagne", "The campaign"),
    "coverage_chart": W("Réponses des partenaires", "Partners' answers"),
    "coverage_alt": W(
        "Barres horizontales : partenaires attendus, ayant déposé, acceptés, dont le "
        "dernier fichier est refusé, et en retard.",
        "Horizontal bars: partners expected, who sent a file, accepted, whose latest file "
        "is rejected, and late.",
    ),
    "expected": W("Attendus", "Expected"),
    "submitted": W("Ont déposé un fichier", "Sent a file"),
    "accepted": W("Fichier accepté", "File accepted"),
    "rejected": W("Dernier fichier refusé", "Latest file rejected"),
    "late": W("En retard", "Late"),
    "count": W("Partenaires", "Partners"),
    "no_results": W(
        "Aucune action n'est encore enregistrée pour cette campagne : le rapport ne montre "
        "que qui a répondu.",
        "No action is recorded for this campaign yet: the report only shows who answered.",
    ),
    # Method
    "method": W("Méthode", "Method"),
    "method_text": W(
        "Les partenaires déclarent leurs actions dans un classeur commun ; chaque fichier "
        "est vérifié, et n'est compté que s'il est accepté. Un projet déclaré par son "
        "porteur et par ses cofinanceurs (même clé de projet partagé) n'est compté qu'une "
        "fois : l'argent et les impacts du porteur. Une action confidentielle n'apparaît "
        "jamais seule : elle est regroupée avec les autres, et un chiffre regroupé n'est "
        "publié que s'il repose sur au moins {min_partners} partenaires, sans qu'un seul en "
        "fasse plus de {dominance} ; un audit vérifie à chaque publication qu'aucun chiffre "
        "confidentiel ne se déduit de tout ce qui est publié.",
        "Partners declare their actions in a shared workbook; each file is checked and "
        "counted only if accepted. A project declared by its lead and by its co-funders "
        "(same shared-project key) is counted once: the lead's money and impacts. A "
        "confidential action never shows alone: it is pooled with the others, and a pooled "
        "figure is published only if it rests on at least {min_partners} partners, none of "
        "them making more than {dominance} of it; an audit checks at each publication that "
        "no confidential figure can be derived from everything published.",
    ),
    "factors": W("Référentiel de facteurs d'émission", "Emission-factor referential"),
    "dedup_rule": W("Règle de dédoublonnage", "Deduplication rule"),
    "dedup_rule_value": W(
        "une fois par projet partagé : le porteur", "once per shared project: the lead"
    ),
    "confidentiality_rule": W("Règle de confidentialité", "Confidentiality rule"),
    "confidentiality_rule_value": W(
        "au moins {min_partners} partenaires, aucun au-delà de {dominance}",
        "at least {min_partners} partners, none above {dominance}",
    ),
    "suppressed": W(
        "Chiffres confidentiels regroupés non publiés",
        "Pooled confidential figures not published",
    ),
    "suppressed_value": W("{withheld} sur {figures}", "{withheld} of {figures}"),
    "data_date": W("Date des données", "Data as of"),
    "publication": W("Publication", "Publication"),
}


@dataclass(frozen=True)
class Publication:
    """What the report says of the data it shows: when, which publication, which
    referentials and rules."""

    built_at: datetime
    mark: str
    factor_versions: dict[str, list[str]]
    """Emission-factor referential versions the estimates used, per campaign."""
    min_partners: int
    dominance_share: float
    snapshot: str | None = None
    """The official snapshot's id, when the report is part of one."""
    frozen_at: datetime | None = None

    def state(self, language: Language) -> str:
        """What the reader holds: an official snapshot, or the current publication."""
        values = {"date": _date(self.built_at, language), "mark": self.mark[:12]}
        if self.snapshot is None or self.frozen_at is None:
            return TEXT["snapshot"].in_language(language).format(**values)
        frozen = _date(self.frozen_at, language)
        return (
            TEXT["official_snapshot"]
            .in_language(language)
            .format(snapshot=self.snapshot, frozen=frozen, **values)
        )


@dataclass(frozen=True)
class DataTable:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]


@dataclass(frozen=True)
class Figure:
    title: str
    table: DataTable
    chart: charts.Chart | None = None


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class HeadlineFigure:
    label: str
    value: str
    """As shown, "at least" included when ``partial``."""
    partial: bool = False
    """Whether it leaves out withheld confidential figures."""


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: str
    language: Language
    title: str
    subtitle: str
    snapshot: str
    headline: list[HeadlineFigure]
    sections: list[Section]

    @property
    def partial(self) -> bool:
        """Whether a headline figure leaves out withheld confidential figures."""
        return any(figure.partial for figure in self.headline)


class _Reader:
    """One campaign's rows of the published marts, and the wording of one language."""

    def __init__(
        self,
        tables: dict[str, pa.Table],
        campaign_id: str,
        reference: ReferenceData,
        language: Language,
    ) -> None:
        self.campaign_id = campaign_id
        self.reference = reference
        self.language = language
        self._tables = tables
        self._rows: dict[str, list[dict[str, Any]]] = {}

    def rows(self, mart: str) -> list[dict[str, Any]]:
        """The campaign's rows of ``mart``, read from its table once."""
        import pyarrow.compute as pc

        if mart not in self._rows:
            table = self._tables[mart]
            self._rows[mart] = table.filter(
                pc.equal(table["campaign_id"], self.campaign_id)
            ).to_pylist()
        return self._rows[mart]

    def text(self, key: str, **values: object) -> str:
        return TEXT[key].in_language(self.language).format(**values)

    def label(self, list_name: str, code: str, fallback: str | None = None) -> str:
        if code in (POOL, NOT_GIVEN):
            return self.text(code)
        value = self.reference.code_value(list_name, code)
        return value.label.in_language(self.language) if value else (fallback or code)

    def number(self, value: float | None, decimals: int = 0) -> str:
        if value is None:
            return self.text("withheld")
        return format_number(value, self.language, decimals)

    def percent(self, share: float | None) -> str:
        if share is None:
            return self.text("none")
        return f"{format_number(100 * share, self.language, 1)}\u00a0%"

    def titles(self, **keys: str) -> dict[str, str]:
        return {name: self.text(key) for name, key in keys.items()}


def _total(values: list[float | None]) -> tuple[float, bool]:
    return sum(v for v in values if v is not None), any(v is None for v in values)


def _money_by(
    read: _Reader, mart: str, category: Callable[[dict[str, Any]], str], value: str
) -> list[dict[str, Any]]:
    """The euros (column ``value``) of ``mart`` summed by ``category`` over the
    period, largest first, each saying whether it leaves out withheld figures."""
    groups: dict[str, list[float | None]] = defaultdict(list)
    for row in read.rows(mart):
        groups[category(row)].append(row[value])
    summed = []
    for name, values in groups.items():
        total, partial = _total(values)
        summed.append({"category": name, "eur": total, "partial": partial})
    return sorted(summed, key=lambda r: -r["eur"])


def _bars(
    read: _Reader,
    title: str,
    rows: list[dict[str, Any]],
    titles: dict[str, str],
    description: str,
    shown: Callable[[dict[str, Any]], str] | None = None,
) -> Figure:
    """A bar per row and the table of the same two columns: what, how much
    (``titles`` names them, in that order; ``shown`` writes the figure)."""
    category, value = titles
    return Figure(
        title,
        DataTable(
            title,
            list(titles.values()),
            [[row[category], shown(row) if shown else read.number(row[value])] for row in rows],
            [False, True],
        ),
        charts.horizontal_bars(
            rows, category=category, value=value, titles=titles, description=description
        ),
    )


def _plan_order(labels: dict[str, str]) -> list[str]:
    """Plan axes as the plan numbers them (their labels), the confidential pool last."""
    return sorted(labels, key=lambda code: (code == POOL, labels[code]))


def _at_least(read: _Reader, value: str, partial: bool) -> str:
    return read.text("at_least", value=value) if partial else value


def _shown(read: _Reader, label: str, value: str, partial: bool = False) -> HeadlineFigure:
    return HeadlineFigure(label, _at_least(read, value, partial), partial)


def _headline(read: _Reader) -> list[HeadlineFigure]:
    money, money_partial = _total(
        [r["investment_eur_deduplicated"] for r in read.rows("commitments_by_axis_year")]
    )
    whole_plan = {
        r["year"]: r
        for r in read.rows("carbon_trajectory_vs_target")
        if r["plan_axis"] == WHOLE_PLAN
    }
    figures = [_shown(read, read.text("money_total"), f"{read.number(money)} €", money_partial)]
    for year in MILESTONE_YEARS:
        row = whole_plan.get(year)
        label = read.text("avoided_at", year=year)
        figures.append(
            _shown(read, label, read.text("none"))
            if row is None
            else _shown(
                read,
                label,
                read.number(row["avoided_tco2e_per_year_deduplicated"]),
                row["total_withholds_confidential_cells"],
            )
        )
    first = whole_plan.get(MILESTONE_YEARS[0])
    figures.append(
        _shown(
            read,
            read.text("gap_share", year=MILESTONE_YEARS[0]),
            read.percent(first and first["share_of_remaining_gap_covered"]),
        )
    )
    coverage = read.rows("campaign_coverage")
    expected = [r for r in coverage if r["expected"]]
    answered = sum(1 for r in expected if r["accepted"])
    figures.append(_shown(read, read.text("partners_answered"), f"{answered} / {len(expected)}"))
    actions = sum(r["action_count"] or 0 for r in read.rows("status_funnel"))
    figures.append(_shown(read, read.text("actions"), read.number(actions)))
    return figures


def _money(read: _Reader) -> Section:
    by_axis_year = read.rows("commitments_by_axis_year")
    axis_label = {
        r["plan_axis"]: read.label("plan_axis", r["plan_axis"], r["plan_axis_label"])
        for r in by_axis_year
    }
    dated = [
        {
            "year": r["year"],
            "axis": axis_label[r["plan_axis"]],
            "eur": r["investment_eur_deduplicated"],
        }
        for r in by_axis_year
        if r["year"] is not None and r["investment_eur_deduplicated"]
    ]
    axis_order = [axis_label[axis] for axis in _plan_order(axis_label)]
    years = sorted({r["year"] for r in dated})
    cells = {(r["plan_axis"], r["year"]): r["investment_eur_deduplicated"] for r in by_axis_year}
    axis_table = DataTable(
        read.text("money_axis_year"),
        [read.text("axis"), *map(str, years)],
        [
            [
                axis_label[axis],
                *(read.number(cells[axis, y]) if (axis, y) in cells else "0" for y in years),
            ]
            for axis in _plan_order(axis_label)
        ],
        [False, *(True for _ in years)],
    )
    titles = read.titles(year="year", eur="eur", axis="axis")
    paragraphs = [read.text("money_text")]
    undated, _ = _total(
        [r["investment_eur_deduplicated"] for r in by_axis_year if r["year"] is None]
    )
    if undated:
        paragraphs.append(read.text("undated_money", value=read.number(undated)))
    dedup = "investment_eur_deduplicated"

    def coded(column: str) -> Callable[[dict[str, Any]], str]:
        return lambda r: read.label(column, r[column], r[f"{column}_label"])

    def college(row: dict[str, Any]) -> str:
        return COLLEGE_LABELS[row["college"]].in_language(read.language)

    return Section(
        "argent",
        read.text("money"),
        paragraphs,
        [
            Figure(
                read.text("money_axis_year"),
                axis_table,
                charts.stacked(
                    dated,
                    x="year",
                    y="eur",
                    colour="axis",
                    titles=titles,
                    order=axis_order,
                    description=read.text("money_axis_year_alt"),
                ),
            ),
            *(
                _money_bars(read, category, _money_by(read, mart, name, value))
                for category, mart, name, value in (
                    ("sector", "commitments_by_axis_sector_year", coded("sector"), dedup),
                    ("nature", "commitments_by_funding_year", coded("nature"), dedup),
                    (
                        "funding",
                        "commitments_by_funding_year",
                        coded("funding_source"),
                        dedup,
                    ),
                    ("college", "partner_summary", college, "investment_eur_counted"),
                )
            ),
        ],
    )


def _money_bars(read: _Reader, category: str, rows: list[dict[str, Any]]) -> Figure:
    """Euros by ``category`` over the period (texts ``money_<category>`` and its
    ``_alt``), "at least" where withheld figures are left out."""
    return _bars(
        read,
        read.text(f"money_{category}"),
        rows,
        {"category": read.text(category), "eur": read.text("eur")},
        read.text(f"money_{category}_alt"),
        lambda r: _at_least(read, read.number(r["eur"]), r["partial"]),
    )


def _carbon(read: _Reader) -> Section:
    rows = read.rows("carbon_trajectory_vs_target")
    whole_plan = sorted((r for r in rows if r["plan_axis"] == WHOLE_PLAN), key=lambda r: r["year"])
    target_name, observed_name = read.text("target"), read.text("observed")
    target = [
        {"year": r["year"], "tco2e": r["target_emissions_tco2e"], "series": target_name}
        for r in whole_plan
        if r["target_emissions_tco2e"] is not None
    ]
    inventories = {
        r["observed_inventory_year"]: r["observed_emissions_tco2e"]
        for r in whole_plan
        if r["observed_inventory_year"] is not None
    }
    observed = [
        {"year": year, "tco2e": value, "series": observed_name}
        for year, value in sorted(inventories.items())
    ]
    axes = [r for r in rows if r["plan_axis"] != WHOLE_PLAN]
    axis_label = {
        r["plan_axis"]: read.label("plan_axis", r["plan_axis"], r["plan_axis_label"]) for r in axes
    }
    wedge = [
        {
            "year": r["year"],
            "tco2e": r["avoided_tco2e_per_year_deduplicated"],
            "axis": axis_label[r["plan_axis"]],
        }
        for r in axes
        if r["avoided_tco2e_per_year_deduplicated"]
    ]
    titles = read.titles(
        year="year", tco2e="tco2e", axis="axis", target="target", observed="observed"
    )
    milestones = [
        r
        for r in whole_plan
        if r["year"] in {*MILESTONE_YEARS, int(read.campaign_id)} or r["year"] in inventories
    ]
    table = DataTable(
        read.text("trajectory"),
        [
            read.text(k)
            for k in ("year", "observed", "target", "avoided", "required", "gap", "share_gap")
        ],
        [
            [
                str(r["year"]),
                read.number(inventories.get(r["year"]))
                if r["year"] in inventories
                else read.text("none"),
                read.number(r["target_emissions_tco2e"])
                if r["target_emissions_tco2e"] is not None
                else read.text("none"),
                _at_least(
                    read,
                    read.number(r["avoided_tco2e_per_year_deduplicated"]),
                    r["total_withholds_confidential_cells"],
                ),
                read.number(r["required_reduction_tco2e"])
                if r["required_reduction_tco2e"] is not None
                else read.text("none"),
                read.number(r["remaining_gap_tco2e"])
                if r["remaining_gap_tco2e"] is not None
                else read.text("none"),
                read.percent(r["share_of_remaining_gap_covered"]),
            ]
            for r in milestones
        ],
        [False, True, True, True, True, True, True],
    )
    axis_years = sorted({r["year"] for r in axes if r["year"] in {*MILESTONE_YEARS}})
    cells = {(r["plan_axis"], r["year"]): r["avoided_tco2e_per_year_deduplicated"] for r in axes}
    wedge_table = DataTable(
        read.text("wedge"),
        [read.text("axis"), *map(str, axis_years)],
        [
            [axis_label[a], *(read.number(cells.get((a, y))) for y in axis_years)]
            for a in _plan_order(axis_label)
        ],
        [False, *(True for _ in axis_years)],
    )
    return Section(
        "carbone",
        read.text("carbon"),
        [read.text("carbon_text")],
        [
            Figure(
                read.text("trajectory"),
                table,
                charts.trajectory(
                    target, observed, titles=titles, description=read.text("trajectory_alt")
                ),
            ),
            Figure(
                read.text("wedge"),
                wedge_table,
                charts.stacked(
                    wedge,
                    x="year",
                    y="tco2e",
                    colour="axis",
                    titles=titles,
                    order=[axis_label[a] for a in _plan_order(axis_label)],
                    mark="area",
                    description=read.text("wedge_alt"),
                ),
            ),
        ],
    )


def _biodiversity(read: _Reader) -> Section:
    year = MILESTONE_YEARS[0]
    rows = [
        r
        for r in read.rows("biodiversity_vs_target")
        if r["plan_axis"] == WHOLE_PLAN and r["year"] == year
    ]
    rows.sort(key=lambda r: r["indicator"])
    label = {
        r["indicator"]: read.label("indicator", r["indicator"], r["indicator_label"]) for r in rows
    }
    chart_rows = [
        {"indicator": label[r["indicator"]], "share": r["share_of_target"]}
        for r in rows
        if r["share_of_target"] is not None
    ]
    titles = {"indicator": read.text("indicator"), "share": read.text("share_target")}
    table = DataTable(
        read.text("biodiversity_chart", year=year),
        [read.text(k) for k in ("indicator", "unit", "delivered", "target_value", "share_target")],
        [
            [
                label[r["indicator"]],
                r["unit"],
                _at_least(
                    read,
                    read.number(r["delivered_deduplicated"], 1),
                    r["total_withholds_confidential_cells"],
                ),
                read.number(r["target_value"], 1)
                if r["target_value"] is not None
                else read.text("none"),
                read.percent(r["share_of_target"]),
            ]
            for r in rows
        ],
        [False, False, True, True, True],
    )
    return Section(
        "biodiversite",
        read.text("biodiversity"),
        [],
        [
            Figure(
                table.caption,
                table,
                charts.horizontal_bars(
                    chart_rows,
                    category="indicator",
                    value="share",
                    titles=titles,
                    percent=True,
                    description=read.text("biodiversity_alt", year=year),
                ),
            )
        ],
    )


def _status(read: _Reader) -> Section:
    order = {code: index for index, code in enumerate((*STATUS_ORDER, POOL))}
    funnel = sorted(read.rows("status_funnel"), key=lambda r: order.get(r["status"], len(order)))
    label = {r["status"]: read.label("status", r["status"], r["status_label"]) for r in funnel}
    titles = {"status": read.text("status_label"), "actions": read.text("action_count")}
    funnel_table = DataTable(
        read.text("funnel"),
        [read.text(k) for k in ("status_label", "action_count", "partners", "eur", "tco2e")],
        [
            [
                label[r["status"]],
                read.number(r["action_count"]),
                read.number(r["partner_count"]),
                read.number(r["investment_eur_deduplicated"]),
                read.number(r["tco2e_per_year_deduplicated"]),
            ]
            for r in funnel
        ],
        [False, True, True, True, True],
    )
    changes: dict[str, int] = defaultdict(int)
    for row in read.rows("year_over_year_changes"):
        changes[row["change"]] += 1
    change_rows = [
        {"change": wording.in_language(read.language), "actions": changes.get(code, 0)}
        for code, wording in CHANGE_LABELS.items()
    ]
    change_figures = (
        [
            _bars(
                read,
                read.text("changes"),
                change_rows,
                read.titles(change="change", actions="action_count"),
                read.text("changes_alt"),
            )
        ]
        if changes
        else []
    )
    return Section(
        "avancement",
        read.text("status"),
        [] if changes else [read.text("no_changes")],
        [
            Figure(
                read.text("funnel"),
                funnel_table,
                charts.horizontal_bars(
                    [{"status": label[r["status"]], "actions": r["action_count"]} for r in funnel],
                    category="status",
                    value="actions",
                    titles=titles,
                    description=read.text("funnel_alt"),
                ),
            ),
            *change_figures,
        ],
    )


ROADMAP_STATUSES = ("atteint", "dans_les_temps", "en_retard", "non_mesure")


def _next_milestones(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per indicator, its first milestone not reached, else its last; in the roadmap's
    order of indicators."""
    chosen: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["years_after_start"]):
        kept = chosen.get(row["indicator"])
        if kept is None or kept["status"] == "atteint":
            chosen[row["indicator"]] = row
    return list(chosen.values())


def _figure(read: _Reader, value: float | None) -> str:
    """A roadmap figure: a decimal where a small one is not whole (12.5 contracts
    expected by now), none otherwise (7 contracts, 2,500 t)."""
    small_fraction = value is not None and abs(value) < 100 and value != int(value)
    return read.number(value, 1 if small_fraction else 0)


def _roadmap(read: _Reader, roadmap: Roadmap) -> Section:
    levers = {lever.code: lever for lever in roadmap.levers}
    indicators = {indicator.code: indicator for indicator in roadmap.indicators}
    order = list(indicators)
    rows = sorted(
        _next_milestones(read.rows("roadmap_progress")),
        key=lambda r: order.index(r["indicator"]) if r["indicator"] in order else len(order),
    )

    def named(row: dict[str, Any]) -> str:
        known = indicators.get(row["indicator"])
        return known.label.in_language(read.language) if known else row["indicator_label"]

    def lever_of(row: dict[str, Any]) -> str:
        known = levers.get(row["lever"] or "")
        return known.label.in_language(read.language) if known else (row["lever_label"] or "")

    def unit_of(row: dict[str, Any]) -> str:
        known = indicators.get(row["indicator"])
        return known.unit_label.in_language(read.language) if known else row["unit"]

    progress = DataTable(
        read.text("roadmap_chart"),
        [
            read.text(key)
            for key in (
                "lever",
                "indicator",
                "unit",
                "observed_value",
                "next_milestone",
                "target_value",
                "expected_now",
                "status_label",
            )
        ],
        [
            [
                lever_of(row),
                named(row),
                unit_of(row),
                read.text("none")
                if row["observed_value"] is None
                else read.text(
                    "observed_in",
                    value=_figure(read, row["observed_value"]),
                    year=row["observed_year"],
                ),
                str(row["milestone_year"]),
                _figure(read, row["target_value"]),
                _figure(read, row["expected_value"]),
                read.text(row["status"]),
            ]
            for row in rows
        ],
        [False, False, False, True, True, True, True, False],
    )
    objectives = DataTable(
        read.text("levers"),
        [read.text(key) for key in ("lever", "objective", "due")],
        [
            [
                lever.label.in_language(read.language),
                lever.objective.in_language(read.language) or read.text("none"),
                str(roadmap.start_year + lever.horizon),
            ]
            for lever in roadmap.levers
        ],
        [False, False, True],
    )
    measured = [row for row in rows if row["share_of_target"] is not None]
    return Section(
        "feuille-de-route",
        read.text("roadmap"),
        [
            read.text(
                "roadmap_text",
                start=roadmap.start_year,
                levers=len(roadmap.levers),
                indicators=len(roadmap.indicators),
            )
        ],
        [
            Figure(
                progress.caption,
                progress,
                charts.progress_bars(
                    [
                        {
                            "indicator": named(row),
                            "share": float(row["share_of_target"]),
                            "status": read.text(row["status"]),
                        }
                        for row in measured
                    ],
                    statuses=[read.text(status) for status in ROADMAP_STATUSES[:3]],
                    titles=read.titles(
                        indicator="indicator", share="share_target", status="status_label"
                    ),
                    description=read.text("roadmap_alt"),
                )
                if measured
                else None,
            ),
            Figure(objectives.caption, objectives),
        ],
    )


def _shared(read: _Reader) -> Section:
    projects: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in read.rows("shared_projects"):
        projects[row["shared_project_key"]].append(row)
    summary = [
        {
            "project": key,
            "declarations": len(rows),
            "declared": sum(r["investment_eur"] or 0 for r in rows),
            "counted": sum(r["investment_eur"] or 0 for r in rows if r["investment_counted"]),
        }
        for key, rows in sorted(projects.items())
    ]
    twice = sum(p["declared"] - p["counted"] for p in summary)
    declared, counted = read.text("declared_eur"), read.text("counted_eur")
    chart_rows = [
        {"project": p["project"], "kind": kind, "eur": p[column]}
        for p in summary
        for kind, column in ((declared, "declared"), (counted, "counted"))
    ]
    table = DataTable(
        read.text("shared_chart"),
        [read.text(k) for k in ("project", "declarations", "declared_eur", "counted_eur")],
        [
            [
                p["project"],
                str(p["declarations"]),
                read.number(p["declared"]),
                read.number(p["counted"]),
            ]
            for p in summary
        ],
        [False, True, True, True],
    )
    return Section(
        "projets-partages",
        read.text("shared"),
        [
            read.text(
                "shared_text",
                projects=len(summary),
                declarations=sum(p["declarations"] for p in summary),
                twice=read.number(twice),
            )
        ],
        [
            Figure(
                table.caption,
                table,
                charts.stacked(
                    chart_rows,
                    x="project",
                    y="eur",
                    colour="kind",
                    titles={
                        "project": read.text("project"),
                        "eur": read.text("eur"),
                        "kind": read.text("kind"),
                    },
                    order=[declared, counted],
                    mark="grouped_bar",
                    description=read.text("shared_alt"),
                )
                if summary
                else None,
            )
        ],
    )


def _coverage(read: _Reader) -> Section:
    rows = read.rows("campaign_coverage")
    expected = [r for r in rows if r["expected"]]
    counts = [
        ("expected", len(expected)),
        ("submitted", sum(1 for r in expected if r["submitted"])),
        ("accepted", sum(1 for r in expected if r["accepted"])),
        ("rejected", sum(1 for r in expected if r["latest_status"] == "rejected")),
        ("late", sum(1 for r in expected if r["late"])),
    ]
    return Section(
        "campagne",
        read.text("coverage"),
        [] if _has_results(read) else [read.text("no_results")],
        [
            _bars(
                read,
                read.text("coverage_chart"),
                [{"state": read.text(key), "partners": count} for key, count in counts],
                read.titles(state="figure", partners="count"),
                read.text("coverage_alt"),
            )
        ],
    )


def _method(read: _Reader, publication: Publication) -> Section:
    suppressed = read.rows("suppression_summary")
    withheld = sum(r["gross_withheld"] + r["deduplicated_withheld"] for r in suppressed)
    figures = sum(2 * r["pooled_figures"] for r in suppressed)
    dominance = read.percent(publication.dominance_share)
    rules = {"min_partners": publication.min_partners, "dominance": dominance}
    versions = publication.factor_versions.get(read.campaign_id) or [read.text("none")]
    table = DataTable(
        read.text("method"),
        [read.text("figure"), read.text("value")],
        [
            [read.text("factors"), ", ".join(versions)],
            [read.text("dedup_rule"), read.text("dedup_rule_value")],
            [read.text("confidentiality_rule"), read.text("confidentiality_rule_value", **rules)],
            [
                read.text("suppressed"),
                read.text("suppressed_value", withheld=withheld, figures=figures),
            ],
            [read.text("data_date"), _date(publication.built_at, read.language)],
            [read.text("publication"), publication.mark[:12]],
            [read.text("snapshot_row"), publication.snapshot or read.text("not_official")],
        ],
        [False, False],
    )
    return Section(
        "methode",
        read.text("method"),
        [read.text("method_text", **rules)],
        [Figure(table.caption, table)],
    )


def _date(moment: datetime, language: Language) -> str:
    return moment.strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d")


def campaign_report(
    tables: dict[str, pa.Table],
    campaign_id: str,
    reference: ReferenceData,
    publication: Publication,
    language: Language = "fr",
) -> CampaignReport:
    """The report's content for one campaign, from the published marts."""
    read = _Reader(tables, campaign_id, reference, language)
    return CampaignReport(
        campaign_id,
        language,
        read.text("title", campaign=campaign_id),
        read.text("subtitle"),
        publication.state(language),
        _headline(read),
        [
            *(_results(read) if _has_results(read) else []),
            *_roadmap_sections(read),
            _coverage(read),
            _method(read, publication),
        ],
    )


def _roadmap_sections(read: _Reader) -> list[Section]:
    """Where the roadmap stands, for a campaign that turns the roadmap part on."""
    roadmap = read.reference.roadmap
    if roadmap is None or "roadmap" not in read.reference.campaign(read.campaign_id).parts:
        return []
    return [_roadmap(read, roadmap)]


def _has_results(read: _Reader) -> bool:
    return any(r["action_count"] for r in read.rows("status_funnel"))


def _results(read: _Reader) -> list[Section]:
    return [_money(read), _carbon(read), _biodiversity(read), _status(read), _shared(read)]


# Every template of this environment is an HTML page: escaping is on for all of
# them (select_autoescape(["html"]) misses "x.html.j2").
_pages = Environment(loader=PackageLoader("climate_contract.report"), autoescape=True)


def render_html(report: CampaignReport) -> str:
    """A page that needs nothing else: styles and charts (SVG) are inside it."""
    from markupsafe import Markup

    return _pages.get_template("officials_report.html.j2").render(
        report=report, svg=Markup, text=lambda key: TEXT[key].in_language(report.language)
    )


class ExternalResourceRefused(ValueError):
    """The page asked the PDF engine for something outside it."""


def render_pdf(html: str) -> bytes:
    """The page as a PDF; rendering stops if the page asks for anything outside it."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    class NothingOutside(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> None:
            raise ExternalResourceRefused(url)

    return weasyprint.HTML(string=html, url_fetcher=NothingOutside(fail_on_errors=True)).write_pdf()


def campaign_ids(tables: dict[str, pa.Table]) -> list[str]:
    """Campaigns with someone expected or something received."""
    import pyarrow.compute as pc

    return sorted(pc.unique(tables["campaign_coverage"]["campaign_id"]).to_pylist())


def report_documents(
    tables: dict[str, pa.Table],
    reference: ReferenceData,
    publication: Publication,
    languages: Sequence[Language],
) -> dict[str, bytes]:
    """Each campaign's report in each language, as HTML and PDF, by path
    (``<campaign>/rapport.html``, ``<campaign>/report.pdf``...)."""
    documents = {}
    for campaign_id in campaign_ids(tables):
        for language in languages:
            html = render_html(
                campaign_report(tables, campaign_id, reference, publication, language)
            )
            name = f"{campaign_id}/{REPORT_NAME.in_language(language)}"
            documents[f"{name}.html"] = html.encode()
            documents[f"{name}.pdf"] = render_pdf(html)
    return documents
