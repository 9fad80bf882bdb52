"""Read a workbook in a foreign layout through its mapping profile.

The profile says where each field is; this module turns each of the partner's
rows into rows of the canonical sheets, keeping the partner's row numbers and
column letters so that findings point at their own spreadsheet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from openpyxl.utils import get_column_letter

from climate_contract.contract import ACTIONS, CONTRACT_YEARS, IMPACTS, INVESTMENTS
from climate_contract.findings import Finding
from climate_contract.parse.grid import HEADER_SEARCH_ROWS, Grid
from climate_contract.parse.sheets import ParsedSubmission, Rows, cell_at, read_rows
from climate_contract.parse.values import CellError, is_blank, normalise_label, to_decimal
from climate_contract.parse.values import to_integer as to_year
from climate_contract.reference import FieldSource, MappingProfile, ReferenceData
from climate_contract.wording import Wording, number_wording


def _header_columns(row: list[Any]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = defaultdict(list)
    for index, cell in enumerate(row):
        if not is_blank(cell):
            columns[normalise_label(str(cell))].append(index)
    return columns


def _find_layout(grids: dict[str, Grid], profile: MappingProfile) -> tuple[str, int] | None:
    """The sheet and the 0-based header row where the profile's signature stands."""
    wanted_sheets = [normalise_label(name) for name in profile.sheet_names]
    signature = {normalise_label(header) for header in profile.signature}
    for name, grid in grids.items():
        if not any(wanted in normalise_label(name) for wanted in wanted_sheets):
            continue
        for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            if signature <= _header_columns(row).keys():
                return name, index
    return None


def matching_profile(
    grids: dict[str, Grid], profiles: dict[str, MappingProfile]
) -> MappingProfile | None:
    """The profile whose layout the workbook carries, if any."""
    return next((p for p in profiles.values() if _find_layout(grids, p) is not None), None)


def _position(headers: dict[str, list[int]], source: FieldSource) -> int | None:
    for header in (source.header, *source.aliases):
        found = headers.get(normalise_label(header), [])
        if len(found) >= source.occurrence:
            return found[source.occurrence - 1]
    return None


def _translated(value: Any, source: FieldSource) -> Any:
    if is_blank(value) or not source.translate:
        return value
    lookup = {normalise_label(key): code for key, code in source.translate.items()}
    return lookup.get(normalise_label(str(value)), value)


def _spread(amount: float, years: list[int]) -> list[tuple[int, float]]:
    """An amount over the years, evenly, in cents; the last year takes the rounding."""
    share = round(amount / len(years), 2)
    shares = [share] * (len(years) - 1)
    return [*zip(years, [*shares, round(amount - sum(shares), 2)], strict=True)]


def _years(start: Any, end: Any) -> list[int] | None:
    """The years an action's budget is spread over; a year outside the contract's
    period is reported where the cell is read, and never spreads anything."""
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


def parse_with_profile(
    parsed: ParsedSubmission,
    grids: dict[str, Grid],
    profile: MappingProfile,
    reference: ReferenceData,
    constants: dict[str, Any],
) -> ParsedSubmission:
    """Fill ``parsed`` with the canonical sheets read from the profile's layout."""
    layout = _find_layout(grids, profile)
    if layout is None:
        sheets, signature = ", ".join(profile.sheet_names), ", ".join(profile.signature)
        parsed.findings.append(
            Finding(
                "error",
                "disposition_inconnue",
                Wording(
                    f"Le fichier n'a pas la disposition attendue ({profile.label}) : il faut une "
                    f"feuille nommée comme {sheets} dont la ligne d'en-tête porte {signature}.",
                    f"The file does not have the expected layout ({profile.label}): it needs a "
                    f"sheet named like {sheets} whose header row holds {signature}.",
                ),
            )
        )
        return parsed
    title, header_index = layout
    grid = grids[title]
    headers = _header_columns(grid[header_index])
    action_positions = {
        field: _position(headers, source) for field, source in profile.actions.items()
    }
    skip = [re.compile(pattern) for pattern in profile.skip_rows_matching]
    title_position = action_positions.get("title")
    data_rows = [
        (number, row)
        for number, row in enumerate(grid[header_index + 1 :], start=header_index + 2)
        if any(not is_blank(cell) for cell in row)
        and not any(
            p.search(normalise_label(str(cell_at(row, title_position) or ""))) for p in skip
        )
    ]
    fixed = profile.action_constants | constants
    total_position = _position(headers, profile.total_budget) if profile.total_budget else None
    total_letter = get_column_letter(total_position + 1) if total_position is not None else None
    action_rows: Rows = []
    investment_rows: Rows = []
    amount_letters: list[dict[str, str]] = []
    for number, row in data_rows:
        reference_code = f"{profile.action_ref_prefix}{number}"
        values = {
            field: _translated(cell_at(row, action_positions[field]), source)
            for field, source in profile.actions.items()
        }
        action = {"action_ref": reference_code} | fixed | values
        action_rows.append((number, [action.get(column.name) for column in ACTIONS.columns]))
        investments, funders_excess = _investments(
            profile, headers, row, reference_code, action, total_position
        )
        if funders_excess > 0:
            parsed.findings.append(_funders_over_total(title, number, total_letter, funders_excess))
        for investment, amount_position in investments:
            investment_rows.append(
                (number, [investment.get(column.name) for column in INVESTMENTS.columns])
            )
            amount_letters.append({"amount_eur": get_column_letter(amount_position + 1)})
    all_positions = {column.name: index for index, column in enumerate(ACTIONS.columns)}
    letters = {
        field: get_column_letter(position + 1)
        for field, position in action_positions.items()
        if position is not None
    }
    header_row = header_index + 1
    parsed.sheets["actions"] = read_rows(
        title, header_row, action_rows, all_positions, letters, ACTIONS, reference, parsed.findings
    )
    parsed.sheets["investments"] = read_rows(
        title,
        header_row,
        investment_rows,
        {column.name: index for index, column in enumerate(INVESTMENTS.columns)},
        {"year": letters.get("start_year", "")},
        INVESTMENTS,
        reference,
        parsed.findings,
        amount_letters,
    )
    parsed.sheets["impacts"] = read_rows(
        title,
        header_row,
        [],
        {column.name: index for index, column in enumerate(IMPACTS.columns)},
        {},
        IMPACTS,
        reference,
        parsed.findings,
    )
    return parsed


def _investments(
    profile: MappingProfile,
    headers: dict[str, list[int]],
    row: list[Any],
    action_ref: str,
    action: dict[str, Any],
    total_position: int | None,
) -> tuple[list[tuple[dict[str, Any], int]], float]:
    """The funders' amounts and the rest of the total budget (own funds), each spread
    over the action's years, with the position of the column the amount came from;
    an amount that cannot be read is kept as typed. Also what the funders' amounts
    exceed the total by (0 when they do not)."""
    read: list[tuple[str, Any, int]] = []
    excess = 0.0
    for group in profile.funding_groups:
        position = _position(headers, group.amount)
        amount = cell_at(row, position)
        if position is not None and not is_blank(amount):
            read.append((profile.funders_source, amount, position))
    total = cell_at(row, total_position)
    if total_position is not None and not is_blank(total):
        try:
            rest: Any = to_decimal(total)
        except CellError:
            rest = total  # kept as typed: the partner is told about that cell
        else:
            try:
                rest -= sum(to_decimal(amount) for _, amount, _ in read)
            except CellError:
                rest = 0.0  # a funder's amount is unreadable: it is reported instead
        if not isinstance(rest, float) or rest > 0:
            read.append((profile.own_funds_source, rest, total_position))
        elif rest < 0:
            excess = -rest
    years = _years(action.get("start_year"), action.get("end_year"))
    rows = []
    for source, amount, position in read:
        base = {"action_ref": action_ref, "funding_source": source} | profile.investment_constants
        try:
            number = to_decimal(amount)
        except CellError:
            rows.append((base | {"year": action.get("start_year"), "amount_eur": amount}, position))
            continue
        for year, share in _spread(number, years) if years else [(None, number)]:
            rows.append((base | {"year": year, "amount_eur": share}, position))
    return rows, excess


def _funders_over_total(sheet: str, row: int, column: str | None, excess: float) -> Finding:
    amount = number_wording(excess)
    return Finding(
        "warning",
        "financements_superieurs_au_budget",
        Wording(
            f"Les montants des financeurs dépassent de {amount.fr} € le budget prévisionnel "
            "total : vérifiez-les. Seuls les montants des financeurs sont comptés.",
            f"The funders' amounts exceed the total planned budget by EUR {amount.en}: "
            "check them. Only the funders' amounts are counted.",
        ),
        sheet=sheet,
        row=row,
        column=column,
    )
