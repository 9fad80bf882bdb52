"""A draft mapping profile for a partner's own spreadsheet, for the steward to check.

The steward runs ``climate-contract profile suggest FILE`` on a partner's file: the
header row is found, each of its columns matched to a contract field by how its
header reads, and a draft profile printed with each match's score and the columns
left unmatched. Nothing is guessed silently: the draft says what it matched.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from climate_contract.contract import ACTIONS
from climate_contract.parse.grid import HEADER_SEARCH_ROWS, Grid
from climate_contract.parse.sheets import cell_at
from climate_contract.parse.values import fold, is_blank, name_key, to_text

TOTAL_BUDGET = "total_budget"
MATCH_THRESHOLD = 0.75
# How partners' own spreadsheets word the contract's fields, beyond the template's
# headers (which are added from the contract itself).
OTHER_WORDINGS: dict[str, tuple[str, ...]] = {
    "title": ("Titre de l'action", "Titre de la fiche action", "Nom de l'action", "Action"),
    "description": ("Descriptif", "Description de l'action"),
    "status": ("Statut", "État", "Avancement"),
    "start_year": ("Date de début", "Début", "Année de début"),
    "end_year": ("Date de fin", "Fin", "Échéance"),
    "priority": ("Niveau de priorité", "Priorité"),
    "partner_axis": ("Axe (x)", "Axe", "Orientation"),
    "municipality": ("Commune", "Localisation"),
    TOTAL_BUDGET: ("Budget prévisionnel total", "Budget total", "Budget", "Coût total", "Coût"),
}
NUMBER_FIELDS = frozenset({TOTAL_BUDGET, "start_year", "end_year"})
FUNDER = re.compile(r"^financeur\d*$")
AMOUNT = re.compile(r"^montant")


@dataclass(frozen=True)
class ColumnMatch:
    letter_index: int
    header: str
    occurrence: int
    field: str
    score: float


@dataclass(frozen=True)
class ProfileSuggestion:
    sheet: str
    header_row: int
    matches: tuple[ColumnMatch, ...]
    funding_groups: tuple[tuple[str, int, str, int], ...]
    """(funder header, its occurrence, amount header, its occurrence) per group."""
    unmatched: tuple[str, ...]
    including_vat: bool
    hint_words: tuple[str, ...] = ()
    """First words repeated across a row below the header whose number columns
    hold text: a row describing what to type, not data."""


def _wordings() -> dict[str, list[str]]:
    wordings = {column.name: [column.header_fr, column.header_en] for column in ACTIONS.columns}
    for field, others in OTHER_WORDINGS.items():
        wordings.setdefault(field, []).extend(others)
    return {field: [name_key(text) for text in texts] for field, texts in wordings.items()}


def _score(header: str, wordings: list[str]) -> float:
    key = name_key(header)
    return max((SequenceMatcher(None, key, wording).ratio() for wording in wordings), default=0)


def _best_field(header: str, wordings: dict[str, list[str]]) -> tuple[str, float]:
    return max(((f, _score(header, w)) for f, w in wordings.items()), key=lambda pair: pair[1])


def _header_row(grids: dict[str, Grid]) -> tuple[str, int]:
    """The sheet and 0-based row whose cells read most like contract headers."""
    wordings = _wordings()
    best: tuple[int, str, int] = (-1, next(iter(grids), ""), 0)
    for sheet, grid in grids.items():
        for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
            texts = [to_text(cell) for cell in row if isinstance(cell, str) and cell.strip()]
            score = sum(_best_field(text, wordings)[1] >= MATCH_THRESHOLD for text in texts)
            if score > best[0]:
                best = (score, sheet, index)
    return best[1], best[2]


def suggest_profile(grids: dict[str, Grid]) -> ProfileSuggestion:
    """The header row of ``grids`` and the contract field of each of its columns."""
    sheet, header_index = _header_row(grids)
    headers = [to_text(c) if not is_blank(c) else "" for c in grids[sheet][header_index]]
    seen: dict[str, int] = {}
    columns = []
    for index, header in enumerate(headers):
        if header:
            seen[name_key(header)] = seen.get(name_key(header), 0) + 1
            columns.append((index, header, seen[name_key(header)]))
    groups, grouped = [], set()
    for (index, header, occurrence), following in itertools.pairwise(columns):
        if FUNDER.match(name_key(header)) and AMOUNT.match(name_key(following[1])):
            groups.append((header, occurrence, following[1], following[2]))
            grouped |= {index, following[0]}
    wordings = _wordings()
    candidates = sorted(
        (
            (score, index, header, occurrence, field)
            for index, header, occurrence in columns
            if index not in grouped
            for field, score in [_best_field(header, wordings)]
            if score >= MATCH_THRESHOLD
        ),
        reverse=True,
    )
    matches, taken = [], set()
    for score, index, header, occurrence, field in candidates:
        if field not in taken and index not in {m.letter_index for m in matches}:
            matches.append(ColumnMatch(index, header, occurrence, field, round(score, 2)))
            taken.add(field)
    matched = {m.letter_index for m in matches} | grouped
    number_columns = [m.letter_index for m in matches if m.field in NUMBER_FIELDS]
    number_columns += [index for index, header, _ in columns if AMOUNT.match(name_key(header))]
    hint_words = _hint_words(grids[sheet][header_index + 1 : header_index + 4], number_columns)
    return ProfileSuggestion(
        sheet=sheet,
        header_row=header_index + 1,
        matches=tuple(sorted(matches, key=lambda m: m.letter_index)),
        funding_groups=tuple(groups),
        unmatched=tuple(header for index, header, _ in columns if index not in matched),
        including_vat=any("ttc" in name_key(header) for header in headers),
        hint_words=hint_words,
    )


def _hint_words(rows: Grid, number_columns: list[int]) -> tuple[str, ...]:
    words: set[str] = set()
    for row in rows:
        typed = [cell_at(row, index) for index in number_columns]
        if not any(isinstance(cell, str) and cell.strip() for cell in typed):
            continue
        firsts = [
            text.split()[0] for cell in row if (text := re.sub(r"^\W+", "", fold(to_text(cell))))
        ]
        words |= {word for word in firsts if firsts.count(word) > 1}
    return tuple(sorted(words))


def _source(header: str, occurrence: int) -> str:
    quoted = json.dumps(header.strip(), ensure_ascii=False)
    return (
        f"{{header: {quoted}}}"
        if occurrence == 1
        else (f"{{header: {quoted}, occurrence: {occurrence}}}")
    )


def to_yaml(suggestion: ProfileSuggestion, source_name: str) -> str:
    """The suggestion as a draft profile, each match with its score in a comment."""
    fields = {match.field: match for match in suggestion.matches}
    signature = [fields[f].header.strip() for f in ("title", TOTAL_BUDGET) if f in fields]
    lines: list[Any] = [
        f"# Draft profile suggested from {source_name}: check every match, then save",
        "# it as reference/profiles/<id>.yaml (see docs/profiles.md).",
        "id: draft",
        f"label: {json.dumps(f'Disposition de {source_name}', ensure_ascii=False)}",
        f"sheet_names: [{json.dumps(suggestion.sheet, ensure_ascii=False)}]",
        f"# Header row: {suggestion.header_row}",
        f"signature: {json.dumps(signature, ensure_ascii=False)}",
    ]
    if suggestion.hint_words:
        patterns = [f"^{re.escape(word)}\\b" for word in suggestion.hint_words]
        lines += ["rows:", "  # Rows below the header that describe what to type:"]
        lines.append(f"  hint_cells: {json.dumps(patterns, ensure_ascii=False)}")
    if "partner_axis" in fields:
        axis = fields["partner_axis"]
        lines += ["axes:", f"  - {_source(axis.header, axis.occurrence)}"]
    lines.append("actions:")
    for match in suggestion.matches:
        if match.field not in (TOTAL_BUDGET, "partner_axis"):
            source = _source(match.header, match.occurrence)
            lines.append(f"  {match.field}: {source}  # score {match.score}")
    lines.append("optional: [status, start_year]")
    lines.append("action_constants: {role: porteur, confidential: false}")
    if suggestion.funding_groups:
        lines.append("funding_groups:")
        for funder, funder_occurrence, amount, amount_occurrence in suggestion.funding_groups:
            lines.append(
                f"  - {{funder: {_source(funder, funder_occurrence)}, "
                f"amount: {_source(amount, amount_occurrence)}}}"
            )
    if TOTAL_BUDGET in fields:
        total = fields[TOTAL_BUDGET]
        lines.append(
            f"total_budget: {_source(total.header, total.occurrence)}  # score {total.score}"
        )
    tax_basis = "TTC" if suggestion.including_vat else "HT"
    lines.append(f"investment_constants: {{tax_basis: {tax_basis}, nature: investissement}}")
    if suggestion.unmatched:
        lines.append("# Columns matched to no field (not read):")
        lines += [
            f"#   {json.dumps(header, ensure_ascii=False)}" for header in suggestion.unmatched
        ]
    return "\n".join(lines) + "\n"
