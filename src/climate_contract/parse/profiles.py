"""Read a workbook in a foreign layout through its mapping profile.

The profile says where each field is and how the layout's rows that are not data
look; this module turns each of the partner's rows into rows of the canonical
sheets, keeping the partner's row numbers, column letters and headers so that
findings point at their own spreadsheet.

A foreign layout is judged by what it requires, not by what the template does:
a field the profile calls optional may be blank (a warning), and money without
years is kept, in the "year not given" bucket (investment rows with no year).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from climate_contract.contract import ACTIONS, CONTRACT_YEARS, IMPACTS, INVESTMENTS
from climate_contract.findings import Finding
from climate_contract.parse.grid import HEADER_SEARCH_ROWS, Grid
from climate_contract.parse.sheets import ParsedSubmission, Rows, cell_at, read_rows
from climate_contract.parse.values import (
    CellError,
    fold,
    is_blank,
    name_key,
    serial_date,
    to_decimal,
    to_text,
)
from climate_contract.parse.values import to_integer as to_year
from climate_contract.reference import FieldSource, MappingProfile, ReferenceData
from climate_contract.wording import Wording, number_wording

NOT_GIVEN_STATUS = "non_renseigne"
AXIS_SEPARATOR = " > "


def _header_columns(row: list[Any]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(row):
        if not is_blank(cell):
            columns[name_key(to_text(cell))].append(index)
    return columns


def _signature_names(profile: MappingProfile) -> list[tuple[str, set[str]]]:
    """Each signature header with the keys that stand for it: its own, and the
    aliases of the field it heads."""
    sources = profile.field_sources
    names = []
    for header in profile.signature:
        keys = {name_key(header)}
        for source in sources:
            if name_key(source.header) in keys:
                keys |= {name_key(name) for name in source.names}
        names.append((header, keys))
    return names


@dataclass(frozen=True)
class _Candidate:
    sheet: str
    header_index: int
    found: list[str]
    missing: list[str]


def _candidates(grids: dict[str, Grid], profile: MappingProfile) -> list[_Candidate]:
    """Every row near the top of a sheet named like the profile's, with the
    signature headers it holds and those it lacks."""
    wanted_sheets = [name_key(name) for name in profile.sheet_names]
    signature = _signature_names(profile)
    candidates = []
    for name, grid in grids.items():
        if not any(wanted in name_key(name) for wanted in wanted_sheets):
            continue
        for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            present = _header_columns(row).keys()
            found = [header for header, keys in signature if keys & present]
            missing = [header for header, keys in signature if not keys & present]
            candidates.append(_Candidate(name, index, found, missing))
    return candidates


def _find_layout(grids: dict[str, Grid], profile: MappingProfile) -> _Candidate | None:
    """The sheet and the 0-based header row where the profile's signature stands."""
    return next((c for c in _candidates(grids, profile) if not c.missing), None)


def _other_plans(
    grids: dict[str, Grid], profile: MappingProfile, layout: _Candidate
) -> list[Finding]:
    """Sheets beside the one read that carry the layout too: only one is read, so a
    second plan (two exports put in one workbook, a copy) would be dropped unheard."""
    others = list(
        dict.fromkeys(
            candidate.sheet
            for candidate in _candidates(grids, profile)
            if not candidate.missing and candidate.sheet != layout.sheet
        )
    )
    if not others:
        return []
    names = Wording(
        ", ".join(f"« {name} »" for name in others), ", ".join(f'"{name}"' for name in others)
    )
    return [
        Finding(
            "error",
            "plusieurs_plans",
            Wording(
                f"Les feuilles « {layout.sheet} » et {names.fr} ont toutes la disposition "
                f"{profile.label} : seule la première serait lue. Réunissez vos actions dans "
                "une seule feuille (ou supprimez les copies), puis déposez le fichier à "
                "nouveau.",
                f'The sheets "{layout.sheet}" and {names.en} all have the {profile.label} '
                "layout: only the first would be read. Gather your actions in a single sheet "
                "(or delete the copies), then drop the file again.",
            ),
            sheet=others[0],
        )
    ]


def matching_profile(
    grids: dict[str, Grid],
    profiles: dict[str, MappingProfile],
    preferred: MappingProfile | None = None,
) -> MappingProfile | None:
    """The profile whose layout the workbook carries, ``preferred`` first, if any."""
    candidates = [preferred] if preferred else []
    candidates += [p for p in profiles.values() if p != preferred]
    return next((p for p in candidates if _find_layout(grids, p) is not None), None)


def _unknown_layout(grids: dict[str, Grid], profile: MappingProfile) -> Finding:
    """What the partner needs to hear: the closest row found, the expected headers
    it holds and those it does not."""
    closest = max(_candidates(grids, profile), key=lambda c: len(c.found), default=None)
    sheets = ", ".join(f"« {name} »" for name in profile.sheet_names)
    if closest is None or not closest.found:
        names = ", ".join(grids)
        found_fr = f"aucune feuille de votre fichier ({names or 'aucune'}) n'a ses en-têtes"
        found_en = f"no sheet of your file ({names or 'none'}) has its headers"
        where: dict[str, Any] = {}
    else:
        found_fr = (
            f"la feuille « {closest.sheet} », ligne {closest.header_index + 1}, porte "
            f"{_listed(closest.found)} mais pas {_listed(closest.missing)}"
        )
        found_en = (
            f'sheet "{closest.sheet}", row {closest.header_index + 1}, holds '
            f"{_listed(closest.found)} but not {_listed(closest.missing)}"
        )
        where = {"sheet": closest.sheet, "row": closest.header_index + 1}
    return Finding(
        "error",
        "disposition_inconnue",
        Wording(
            f"Le fichier n'a pas la disposition attendue ({profile.label}) : il faut une "
            f"feuille nommée comme {sheets} dont une ligne porte les en-têtes "
            f"{_listed(list(profile.signature))} ; {found_fr}.",
            f"The file does not have the expected layout ({profile.label}): it needs a "
            f"sheet named like {sheets} with a row holding the headers "
            f"{_listed(list(profile.signature))}; {found_en}.",
        ),
        **where,
    )


def _listed(headers: list[str]) -> str:
    return ", ".join(f"« {header.strip()} »" for header in headers) or "-"


@dataclass(frozen=True)
class _RowRules:
    hints: list[re.Pattern[str]]
    hint_share: float
    examples: list[re.Pattern[str]]
    markers: list[re.Pattern[str]]

    @classmethod
    def of(cls, profile: MappingProfile) -> _RowRules:
        rows = profile.rows

        def compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
            return [re.compile(fold(pattern)) for pattern in patterns]

        return cls(
            compiled(rows.hint_cells),
            rows.hint_share,
            compiled(rows.example_cells),
            compiled(rows.marker_cells),
        )

    def layout_row(self, cells: list[str]) -> str | None:
        """ "hint", "example" or "marker" for a row of the layout, None for data."""

        def matches(patterns: list[re.Pattern[str]], cell: str) -> bool:
            return any(pattern.search(cell) for pattern in patterns)

        if self.hints and sum(matches(self.hints, c) for c in cells) >= self.hint_share * len(
            cells
        ):
            return "hint"
        if any(matches(self.examples, cell) for cell in cells):
            return "example"
        if self.markers and all(matches(self.markers, cell) for cell in cells):
            return "marker"
        return None


def _folded_cells(row: list[Any]) -> list[str]:
    # Leading arrows, bullets and emoji of instructions are not words.
    return [re.sub(r"^\W+", "", fold(to_text(cell))) for cell in row if not is_blank(cell)]


@dataclass
class _PlanRow:
    """One action or sub-action of the partner's plan, from one row."""

    number: int
    cells: list[Any]
    reference: str
    title: Any
    axes: list[str]
    sub_action: bool
    parent: _PlanRow | None = None
    children: list[_PlanRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Positions:
    """Where each field of the profile is on the header row."""

    headers: dict[str, list[int]]

    def of(self, source: FieldSource | None) -> int | None:
        if source is None:
            return None
        for name in source.names:
            found = self.headers.get(name_key(name), [])
            if len(found) >= source.occurrence:
                return found[source.occurrence - 1]
        return None


def _translated(value: Any, source: FieldSource) -> Any:
    if is_blank(value) or not source.translate:
        return value
    lookup = {name_key(key): code for key, code in source.translate.items()}
    return lookup.get(name_key(to_text(value)), value)


def _spread(amount: float, years: list[int]) -> list[tuple[int, float]]:
    """An amount over the years, evenly, in cents; the last year takes the rounding."""
    share = round(amount / len(years), 2)
    shares = [share] * (len(years) - 1)
    return [*zip(years, [*shares, round(amount - sum(shares), 2)], strict=True)]


def _years(start: Any, end: Any) -> list[int] | None:
    """The years an action's budget is spread over; None when the start is not given
    (its money goes to the "year not given" bucket). A year outside the contract's
    period is reported where the cell is read, and never spreads anything."""
    if is_blank(start):
        return None
    try:
        first = to_year(start)
    except CellError:
        return None
    try:
        last = to_year(end) if not is_blank(end) else first
    except CellError:
        last = first
    period = range(int(CONTRACT_YEARS.minimum), int(CONTRACT_YEARS.maximum) + 1)
    if first not in period or last not in period:
        return [first]
    return list(range(first, max(first, last) + 1))


def _amount(value: Any) -> float | None:
    try:
        return None if is_blank(value) else to_decimal(value)
    except CellError:
        return None


class _PlanReader:
    """Reads one sheet of a foreign layout into canonical rows and findings."""

    def __init__(
        self,
        profile: MappingProfile,
        layout: _Candidate,
        grid: Grid,
        reference: ReferenceData,
        constants: dict[str, Any],
        axis_map: dict[str, str],
        findings: list[Finding],
    ) -> None:
        self.profile = profile
        self.sheet = layout.sheet
        self.header_index = layout.header_index
        self.header_row = grid[layout.header_index]
        self.grid = grid
        self.reference = reference
        self.fixed = profile.action_constants | constants
        self.axis_map = {name_key(axis): code for axis, code in axis_map.items()}
        self.findings = findings
        self.at = _Positions(_header_columns(self.header_row))
        self.fields = {name: self.at.of(source) for name, source in profile.actions.items()}

    def letter(self, position: int | None) -> str | None:
        return get_column_letter(position + 1) if position is not None else None

    def header(self, position: int | None) -> str | None:
        if position is None:
            return None
        return to_text(self.header_row[position]).strip()

    def finding(
        self, severity: str, rule: str, message: Wording, number: int, position: int | None
    ) -> None:
        header = self.header(position)
        self.findings.append(
            Finding(
                severity,  # type: ignore[arg-type]
                rule,
                message,
                sheet=self.sheet,
                row=number,
                column=self.letter(position),
                header=Wording(header, header) if header else None,
            )
        )

    def cell(self, cells: list[Any], field_name: str) -> Any:
        value = cell_at(cells, self.fields.get(field_name))
        source = self.profile.actions[field_name]
        return serial_date(value) if source.dates else value

    def plan_rows(self) -> list[_PlanRow]:
        """The rows that are actions or sub-actions, each linked to its parent."""
        rules = _RowRules.of(self.profile)
        axis_positions = [self.at.of(source) for source in self.profile.axes]
        title_position = self.fields.get("title")
        sub_position = self.at.of(self.profile.sub_action)
        plan: list[_PlanRow] = []
        for number, cells in enumerate(
            self.grid[self.header_index + 1 :], start=self.header_index + 2
        ):
            texts = _folded_cells(cells)
            kind = rules.layout_row(texts) if texts else "blank"
            if kind == "example":
                # Said, never silent: were it an action, the partner would see it is not read.
                self.finding("warning", "ligne_exemple", _EXAMPLE, number, None)
            if kind is not None:
                continue
            title, sub_title = cell_at(cells, title_position), cell_at(cells, sub_position)
            axis_cells = [cell_at(cells, position) for position in axis_positions]
            axes = [to_text(cell) for cell in axis_cells if not is_blank(cell)]
            if is_blank(title) and is_blank(sub_title):
                if len(texts) > len(axes):
                    self.finding("error", "action_sans_titre", _UNTITLED, number, title_position)
                continue  # an axis heading: the plan's structure, no action
            sub_action = not is_blank(sub_title)
            plan.append(
                _PlanRow(
                    number,
                    cells,
                    f"{self.profile.action_ref_prefix}{number}",
                    sub_title if sub_action else title,
                    axes,
                    sub_action,
                )
            )
        self._link(plan, title_position, sub_position)
        return plan

    def _link(self, plan: list[_PlanRow], title_position: int | None, sub: int | None) -> None:
        """A sub-action's parent is the action row of the same title in the same axes
        (or, when its title is blank, the action row above it)."""
        actions = [row for row in plan if not row.sub_action]
        for row in plan:
            if not row.sub_action:
                continue
            parent_title = cell_at(row.cells, title_position)
            if is_blank(parent_title):
                above = [a for a in actions if a.number < row.number]
                parent = above[-1] if above else None
            else:
                parent = next(
                    (
                        action
                        for action in actions
                        if name_key(to_text(action.title)) == name_key(to_text(parent_title))
                        and action.axes == row.axes
                    ),
                    None,
                )
            if parent is None:
                named = to_text(row.title)
                expected = to_text(parent_title) if not is_blank(parent_title) else None
                self.finding(
                    "error",
                    "sous_action_orpheline",
                    _orphan(named, expected),
                    row.number,
                    sub,
                )
                continue
            row.parent = parent
            parent.children.append(row)

    def plan_axis(self, row: _PlanRow) -> Any:
        for axis in reversed(row.axes):
            code = self.axis_map.get(name_key(axis))
            if code is not None:
                return code
        code = self.fixed.get("plan_axis")
        if code is None:
            position = next(
                (
                    p
                    for source, axis in zip(self.profile.axes, row.axes, strict=False)
                    if (p := self.at.of(source)) is not None
                ),
                self.fields.get("title"),
            )
            self.finding(
                "error",
                "axe_non_rattache",
                _unmapped_axis(AXIS_SEPARATOR.join(row.axes)),
                row.number,
                position,
            )
        return code

    def action(self, row: _PlanRow) -> dict[str, Any]:
        values = {
            name: _translated(self.cell(row.cells, name), source)
            for name, source in self.profile.actions.items()
        }
        values["title"] = row.title
        if "status" in self.profile.optional and is_blank(values.get("status")):
            values["status"] = NOT_GIVEN_STATUS
            self.finding(
                "warning", "statut_non_renseigne", _NO_STATUS, row.number, self.fields.get("status")
            )
        return (
            {"action_ref": row.reference}
            | self.fixed
            | values
            | {
                "plan_axis": self.plan_axis(row),
                "partner_axis": AXIS_SEPARATOR.join(row.axes) or None,
                "parent_action_ref": row.parent.reference if row.parent else None,
            }
        )

    def money(self, row: _PlanRow) -> float:
        """What a row's budget commits: its total, or its funders' amounts without one."""
        total = _amount(cell_at(row.cells, self.at.of(self.profile.total_budget)))
        if total is not None:
            return total
        return sum(
            _amount(cell_at(row.cells, self.at.of(group.amount))) or 0.0
            for group in self.profile.funding_groups
        )

    def investments(self, row: _PlanRow, action: dict[str, Any]) -> list[tuple[dict, int]]:
        """The funders' amounts and the rest of the total budget (own funds), each
        spread over the action's years, with the position each amount was read
        from. A parent's total includes its sub-actions' budgets: only what it
        exceeds them and its funders by is its own funds, so that no euro is
        counted twice. An amount that cannot be read is kept as typed."""
        read: list[tuple[str, Any, int, Any]] = []
        for group in self.profile.funding_groups:
            position = self.at.of(group.amount)
            amount = cell_at(row.cells, position)
            if position is None or is_blank(amount):
                continue
            funder = cell_at(row.cells, self.at.of(group.funder))
            if is_blank(funder):
                self.finding("warning", "montant_sans_financeur", _NO_FUNDER, row.number, position)
            funder_name = None if is_blank(funder) else to_text(funder)
            read.append((self.profile.funders_source, amount, position, funder_name))
        total_position = self.at.of(self.profile.total_budget)
        total = cell_at(row.cells, total_position)
        total_given = total_position is not None and not is_blank(total)
        if total_given:
            try:
                budget = to_decimal(total)
            except CellError:
                budget = None
            if budget is None or not 0 <= budget < math.inf:
                # Kept as typed: an amount's checks tell the partner about that cell (a
                # negative or infinite total funds nothing and is exceeded by nothing).
                read.append((self.profile.own_funds_source, total, total_position, None))
            else:
                funded = sum(_amount(amount) or 0.0 for _, amount, _, _ in read)
                children = sum(self.money(child) for child in row.children)
                rest = budget - (funded + children)
                if rest < 0:
                    self.finding(
                        "warning",
                        "financements_superieurs_au_budget",
                        _over_total(-rest, bool(row.children)),
                        row.number,
                        total_position,
                    )
                elif rest > 0:
                    read.append((self.profile.own_funds_source, rest, total_position, None))
        if not (read or total_given or row.parent or any(map(self.money, row.children))):
            self.finding("warning", "budget_non_renseigne", _NO_BUDGET, row.number, total_position)
        years = _years(action.get("start_year"), action.get("end_year"))
        if years is None and read:
            self.finding(
                "warning",
                "annee_non_renseignee",
                _NO_YEAR,
                row.number,
                self.fields.get("start_year"),
            )
        rows = []
        for source, amount, position, funder in read:
            base = {"action_ref": row.reference, "funding_source": source, "funder": funder}
            base |= self.profile.investment_constants
            try:
                number = to_decimal(amount)
            except CellError:
                typed = {"year": action.get("start_year"), "amount_eur": amount}
                rows.append((base | typed, position))
                continue
            for year, share in _spread(number, years) if years else [(None, number)]:
                rows.append((base | {"year": year, "amount_eur": share}, position))
        return rows


def parse_with_profile(
    parsed: ParsedSubmission,
    grids: dict[str, Grid],
    profile: MappingProfile,
    reference: ReferenceData,
    constants: dict[str, Any],
    axis_map: dict[str, str] | None = None,
) -> ParsedSubmission:
    """Fill ``parsed`` with the canonical sheets read from the profile's layout."""
    parsed.profile = profile.id
    layout = _find_layout(grids, profile)
    if layout is None:
        parsed.findings.append(_unknown_layout(grids, profile))
        return parsed
    parsed.findings.extend(_other_plans(grids, profile, layout))
    reader = _PlanReader(
        profile, layout, grids[layout.sheet], reference, constants, axis_map or {}, parsed.findings
    )
    action_rows: Rows = []
    investment_rows: Rows = []
    amount_letters: list[dict[str, str]] = []
    # An action's budget is compared with the others' once, not share by share.
    compared: list[float | None] = []
    plan = reader.plan_rows()
    if not plan:
        reader.finding(
            "error", "aucune_action", _no_action(layout.sheet), layout.header_index + 1, None
        )
    for row in plan:
        action = reader.action(row)
        action_rows.append((row.number, [action.get(column.name) for column in ACTIONS.columns]))
        for share, (investment, position) in enumerate(reader.investments(row, action)):
            investment_rows.append(
                (row.number, [investment.get(column.name) for column in INVESTMENTS.columns])
            )
            amount_letters.append({"amount_eur": get_column_letter(position + 1)})
            compared.append(None if share else reader.money(row))
    letters = {
        name: get_column_letter(position + 1)
        for name, position in reader.fields.items()
        if position is not None
    }
    headers = {
        name: header
        for name, position in reader.fields.items()
        if (header := reader.header(position)) is not None
    }
    header_row = layout.header_index + 1

    def positions(sheet_columns: tuple) -> dict[str, int]:
        return {column.name: index for index, column in enumerate(sheet_columns)}

    parsed.sheets["actions"] = read_rows(
        layout.sheet,
        header_row,
        action_rows,
        positions(ACTIONS.columns),
        letters,
        ACTIONS,
        reference,
        parsed.findings,
        headers=headers,
    )
    total_header = reader.header(reader.at.of(profile.total_budget))
    parsed.sheets["investments"] = dataclasses.replace(
        read_rows(
            layout.sheet,
            header_row,
            investment_rows,
            positions(INVESTMENTS.columns),
            {"year": letters.get("start_year", "")},
            INVESTMENTS,
            reference,
            parsed.findings,
            amount_letters,
            headers={"year": headers.get("start_year", "")}
            | ({"amount_eur": total_header} if total_header else {}),
        ),
        compared_amounts=compared,
    )
    parsed.sheets["impacts"] = read_rows(
        layout.sheet,
        header_row,
        [],
        positions(IMPACTS.columns),
        {},
        IMPACTS,
        reference,
        parsed.findings,
    )
    return parsed


_EXAMPLE = Wording(
    "Cette ligne est l'exemple du modèle : elle n'est pas lue. Si c'est l'une de vos "
    "actions, effacez le texte d'exemple de ses cellules.",
    "This row is the template's example: it is not read. If it is one of your actions, "
    "clear the example text from its cells.",
)
_UNTITLED = Wording(
    "Cette ligne a des valeurs mais ni titre d'action ni titre de sous-action : donnez-lui "
    "un titre, ou videz-la.",
    "This row has values but neither an action title nor a sub-action title: give it a "
    "title, or empty it.",
)
_NO_STATUS = Wording(
    "Le statut n'est pas renseigné : l'action est comptée comme « Non renseigné ». "
    "Indiquez-le si vous le connaissez.",
    'The status is not given: the action is counted as "Not given". Fill it in if you know it.',
)
_NO_YEAR = Wording(
    "L'action n'a pas de date de début : son budget est compté sans année (« année non "
    "renseignée »). Indiquez ses dates pour qu'il soit réparti sur ses années.",
    'The action has no start date: its budget is counted without a year ("year not '
    'given"). Give its dates so that it is spread over its years.',
)
_NO_BUDGET = Wording(
    "L'action n'a ni budget ni montant de financeur : elle est comptée sans argent. "
    "Indiquez son budget prévisionnel si vous le connaissez (0 s'il n'y en a pas).",
    "The action has neither a budget nor a funder's amount: it is counted without money. "
    "Give its planned budget if you know it (0 if there is none).",
)


def _no_action(sheet: str) -> Wording:
    return Wording(
        f"La feuille « {sheet} » ne contient aucune action : ses lignes de consignes et "
        "d'exemple ne sont pas lues. Ajoutez vos actions en dessous, une par ligne.",
        f'The sheet "{sheet}" holds no action: its instruction and example rows are not '
        "read. Add your actions below them, one per row.",
    )


_NO_FUNDER = Wording(
    "Ce montant n'a pas de financeur : indiquez qui l'apporte dans la colonne « Financeur » "
    "qui le précède. Il est compté comme subvention.",
    'This amount has no funder: say who provides it in the "Financeur" column before it. '
    "It is counted as a grant.",
)


def _orphan(sub_action: str, parent: str | None) -> Wording:
    if parent is None:
        return Wording(
            f"La sous-action « {sub_action} » n'a pas d'action parente : placez-la sous la "
            "ligne de son action.",
            f'The sub-action "{sub_action}" has no parent action: put it below its action\'s row.',
        )
    return Wording(
        f"La sous-action « {sub_action} » n'a pas d'action parente : aucune ligne n'est "
        f"l'action « {parent} » elle-même (même titre, même axe, sans sous-action). "
        "Ajoutez cette ligne.",
        f'The sub-action "{sub_action}" has no parent action: no row is the action '
        f'"{parent}" itself (same title, same axis, no sub-action). Add that row.',
    )


def _unmapped_axis(axis: str) -> Wording:
    shown = f"« {axis} »" if axis else "(aucun)"
    return Wording(
        f"L'axe {shown} de votre plan n'est rattaché à aucun axe du plan du territoire : "
        "le référent de la collecte doit l'ajouter à votre table d'axes (axis_map) ; "
        "écrivez-lui.",
        f"The axis {axis or '(none)'} of your plan belongs to no axis of the territory's "
        "plan: the collection's steward must add it to your axis table (axis_map); "
        "write to them.",
    )


def _over_total(excess: float, has_children: bool) -> Wording:
    amount = number_wording(excess)
    if has_children:
        return Wording(
            f"Les montants des financeurs et les budgets des sous-actions dépassent de "
            f"{amount.fr} € le budget prévisionnel total de l'action, qui les comprend : "
            "vérifiez-les. Seuls les financeurs et les sous-actions sont comptés.",
            f"The funders' amounts and the sub-actions' budgets exceed the action's total "
            f"planned budget, which includes them, by EUR {amount.en}: check them. Only the "
            "funders and sub-actions are counted.",
        )
    return Wording(
        f"Les montants des financeurs dépassent de {amount.fr} € le budget prévisionnel "
        "total : vérifiez-les. Seuls les montants des financeurs sont comptés.",
        f"The funders' amounts exceed the total planned budget by EUR {amount.en}: "
        "check them. Only the funders' amounts are counted.",
    )
