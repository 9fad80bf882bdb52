from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl.utils import get_column_letter

from climate_contract.contract import (
    ACTION_REF,
    COMMUNE_CODE,
    DECLARED_CAMPAIGN,
    DECLARED_PARTNER,
    EXAMPLE_FINGERPRINT,
    EXAMPLE_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    SCALE_ENDS,
    SHEETS,
    Sheet,
    sheets_for,
)
from climate_contract.findings import Finding
from climate_contract.parse.grid import (
    DEFAULT_LIMITS,
    HEADER_SEARCH_ROWS,
    FileLimits,
    FileOverLimits,
    Grid,
    SheetOverLimits,
    UnreadableFile,
    check_limits,
    hidden_sheets,
    misnamed,
    read_grids,
)
from climate_contract.parse.package import PackageFacts, inspect_package
from climate_contract.parse.profiles import matching_profile, parse_with_profile
from climate_contract.parse.sheets import (
    ParsedSheet,
    ParsedSubmission,
    calculation_error,
    cell_at,
    read_rows,
)
from climate_contract.parse.values import (
    is_blank,
    name_key,
    normalise_label,
    sheet_fingerprint,
    to_text,
)
from climate_contract.parts import BY_COMMUNE
from climate_contract.reference import Campaign, Commune, ReferenceData
from climate_contract.wording import Language, Wording

log = logging.getLogger(__name__)

MIN_HEADERS_FOUND_BELOW = 2
"""Contract headers a row must name to be told as the header row, out of reach."""
HINT_ROW = re.compile(r"^(ex\b|exemple|format|texte|obligatoire|facultatif|votre|\()")


def _matching_sheets(grids: dict[str, Grid], sheet: Sheet) -> list[str]:
    wanted = {normalise_label(sheet.title_fr), normalise_label(sheet.title_en)}
    return [name for name in grids if normalise_label(name) in wanted]


def _find_sheet(grids: dict[str, Grid], sheet: Sheet) -> str | None:
    return next(iter(_matching_sheets(grids, sheet)), None)


def _header_positions(row: list[Any], sheet: Sheet) -> dict[str, int]:
    headers = {
        normalise_label(text): column.name
        for column in sheet.columns
        for text in (column.header_fr, column.header_en, column.name)
    }
    positions: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = headers.get(normalise_label(str(cell))) if cell is not None else None
        if name is not None and name not in positions:
            positions[name] = index
    return positions


def _locate_header(grid: Grid, sheet: Sheet) -> tuple[int, dict[str, int]]:
    """The 0-based index of the row that names the most contract columns, and where.

    Only the first rows after the first non-empty one are searched: a title may
    stand above the header, data rows never do.
    """
    first = next((i for i, row in enumerate(grid) if any(not is_blank(c) for c in row)), 0)
    best_index, best_positions = first, {}
    for index in range(first, min(len(grid), first + HEADER_SEARCH_ROWS)):
        positions = _header_positions(grid[index], sheet)
        if len(positions) > len(best_positions):
            best_index, best_positions = index, positions
    return best_index, best_positions


def _headers_not_found(title: str, grid: Grid, sheet: Sheet) -> Finding:
    """Where the headers are, when they stand below the rows searched; else what the
    first filled row holds instead: never one "missing column" per column."""
    expected_fr = ", ".join(f"« {c.header_fr} »" for c in sheet.columns if c.required)
    expected_en = ", ".join(f'"{c.header_en}"' for c in sheet.columns if c.required)
    first = next(i for i, row in enumerate(grid) if any(not is_blank(c) for c in row))
    lower = next(
        (
            index
            for index in range(first + HEADER_SEARCH_ROWS, len(grid))
            if len(_header_positions(grid[index], sheet)) >= MIN_HEADERS_FOUND_BELOW
        ),
        None,
    )
    if lower is not None:
        where = Wording(
            f"ils sont en ligne {lower + 1} : supprimez les lignes qui les précèdent",
            f"they are on row {lower + 1}: delete the rows above them",
        )
    else:
        found = [to_text(cell) for cell in grid[first] if not is_blank(cell)][:5]
        where = Wording(
            f"la première ligne remplie (ligne {first + 1}) porte "
            + ", ".join(f"« {text[:40]} »" for text in found)
            + " : placez-les sur une seule ligne, en haut de la feuille",
            f"the first filled row (row {first + 1}) holds "
            + ", ".join(f'"{text[:40]}"' for text in found)
            + ": put them on a single row, at the top of the sheet",
        )
    return Finding(
        "error",
        "entetes_introuvables",
        Wording(
            f"Les en-têtes de la feuille « {title} » sont introuvables dans ses "
            f"{HEADER_SEARCH_ROWS} premières lignes remplies ; {where.fr}, comme dans le "
            f"modèle (attendus : {expected_fr}).",
            f'The headers of the sheet "{title}" cannot be found in its first '
            f"{HEADER_SEARCH_ROWS} filled rows; {where.en}, as in the template "
            f"(expected: {expected_en}).",
        ),
        sheet=title,
        row=None if lower is None else lower + 1,
    )


def _parse_sheet(
    title: str, grid: Grid, sheet: Sheet, reference: ReferenceData, findings: list[Finding]
) -> ParsedSheet | None:
    """The sheet's rows as typed columns; None (and one finding) when no row of its
    first ones names a contract column."""
    header_index, positions = _locate_header(grid, sheet)
    if not positions and any(any(not is_blank(cell) for cell in row) for row in grid):
        findings.append(_headers_not_found(title, grid, sheet))
        return None
    findings.extend(_duplicated_headers(grid, header_index, positions, sheet, title))
    findings.extend(_headers_nearly_right(grid, header_index, positions, sheet, title))
    letters = {name: get_column_letter(index + 1) for name, index in positions.items()}
    rows = _filled_rows(grid, header_index, positions, sheet)
    reference_position = positions.get(ACTION_REF.name)
    if rows and reference_position is not None:
        first_reference = str(cell_at(rows[0][1], reference_position) or "")
        if HINT_ROW.match(normalise_label(first_reference)):
            rows = rows[1:]  # a hint row under the headers ("Texte libre, unique...")
    return read_rows(title, header_index + 1, rows, positions, letters, sheet, reference, findings)


def _filled_rows(
    grid: Grid, header_index: int, positions: dict[str, int], sheet: Sheet
) -> list[tuple[int, list[Any]]]:
    """The rows under the header, numbered from 1, where a contract column is filled:
    one the template fills in itself (a question) does not count, when the sheet has
    others."""
    answered = [
        position for name, position in positions.items() if not sheet.column(name).prefilled
    ] or list(positions.values())
    return [
        (index + 1, row)
        for index, row in enumerate(grid[header_index + 1 :], start=header_index + 1)
        if any(not is_blank(row[position]) for position in answered if position < len(row))
    ]


def _answers(grid: Grid, sheet: Sheet, min_headers: int = 1) -> bool:
    """Whether ``grid`` holds rows of ``sheet`` filled in under at least ``min_headers``
    of its headers (not only the questions the template wrote)."""
    header_index, positions = _locate_header(grid, sheet)
    return len(positions) >= min_headers and bool(
        _filled_rows(grid, header_index, positions, sheet)
    )


def _read_optional_sheets(
    parsed: ParsedSubmission,
    grids: dict[str, Grid],
    hidden: set[str],
    reference: ReferenceData,
    campaign: Campaign | None,
) -> None:
    """Read the sheets of the contract's optional parts that ``campaign`` collects.

    A partner may leave such a sheet out, hide it, empty it or write there that it
    does not answer: each answers none of its questions. Answers the file holds but
    that are not read (a hidden sheet, a renamed one, a part the campaign does not
    collect) are told."""
    for sheet in SHEETS:
        if sheet.part is None:
            continue
        if campaign is not None and sheet.part not in campaign.parts:
            parsed.findings.extend(_uncollected_sheet(grids, sheet, campaign))
            continue
        titled = _matching_sheets(grids, sheet)
        concealed = [name for name in titled if name in hidden and _answers(grids[name], sheet)]
        if concealed:
            shown = [name for name in titled if name not in hidden]
            parsed.findings.extend(_hidden_sheet(name, sheet, shown) for name in concealed)
            continue
        shown = [name for name in titled if name not in hidden]
        if not shown:
            parsed.findings.extend(_renamed_sheets(grids, sheet))
            continue
        title = _the_one_shown(parsed, grids, shown, sheet)
        if title is None:
            continue
        grid = grids[title]
        if not _locate_header(grid, sheet)[1]:
            if _holds_something(grid, sheet):
                parsed.findings.append(_no_answer_table(title))
            continue
        read = _parse_sheet(title, grid, sheet, reference, parsed.findings)
        if read is not None:
            parsed.sheets[sheet.name] = read


def _holds_something(grid: Grid, sheet: Sheet) -> bool:
    """Whether the grid holds anything but blanks and the sheet's own title (a CSV
    section's first line)."""
    titles = {normalise_label(sheet.title_fr), normalise_label(sheet.title_en)}
    return any(
        not is_blank(cell) and normalise_label(str(cell)) not in titles
        for row in grid
        for cell in row
    )


def _no_answer_table(title: str) -> Finding:
    return Finding(
        "warning",
        "feuille_sans_tableau",
        Wording(
            f"La feuille « {title} » n'a plus le tableau du modèle (ses en-têtes sont "
            "introuvables) : elle n'est pas lue. Si vous vouliez y répondre, repartez de la "
            "feuille du modèle.",
            f'The sheet "{title}" no longer holds the template\'s table (its headers cannot '
            "be found): it is not read. If you meant to answer it, start again from the "
            "template's sheet.",
        ),
        sheet=title,
    )


def _renamed_sheets(grids: dict[str, Grid], sheet: Sheet) -> list[Finding]:
    """Sheets of other titles than the workbook's own that hold answers under this
    sheet's headers (a tab renamed, or copied as "Autodiagnostic (2)"): never read
    under another title, so told."""
    known = {
        normalise_label(title)
        for title in (
            *(title for each in SHEETS for title in (each.title_fr, each.title_en)),
            INSTRUCTIONS_SHEET,
            LISTS_SHEET,
            EXAMPLE_SHEET.fr,
            EXAMPLE_SHEET.en,
        )
    }
    return [
        Finding(
            "warning",
            "feuille_non_reconnue",
            Wording(
                f"La feuille « {name} » porte les colonnes de la feuille « {sheet.title_fr} » "
                f"mais n'est pas lue sous ce nom : renommez-la « {sheet.title_fr} » pour que "
                "vos réponses soient prises en compte.",
                f'The sheet "{name}" has the columns of the "{sheet.title_en}" sheet but is '
                f'not read under that name: rename it "{sheet.title_en}" for your answers to '
                "count.",
            ),
            sheet=name,
        )
        for name, grid in grids.items()
        if normalise_label(name) not in known
        and _answers(grid, sheet, min_headers=MIN_HEADERS_FOUND_BELOW)
    ]


def _uncollected_sheet(grids: dict[str, Grid], sheet: Sheet, campaign: Campaign) -> list[Finding]:
    """A sheet of a part ``campaign`` does not collect is never read; a partner who
    filled it in (in an older or another territory's workbook) is told once."""
    findings = []
    for title in _matching_sheets(grids, sheet):
        if not _answers(grids[title], sheet):
            continue
        findings.append(
            Finding(
                "warning",
                "partie_non_collectee",
                Wording(
                    f"La campagne {campaign.id} ne collecte pas la feuille « {sheet.title_fr} » "
                    ": elle n'est pas lue (le modèle de la campagne ne l'a pas).",
                    f'The {campaign.id} campaign does not collect the "{sheet.title_en}" '
                    "sheet: it is not read (the campaign's template does not have it).",
                ),
                sheet=title,
            )
        )
    return findings


NEAR_MISS_LENGTH = 6
"""Letters a header must keep to be taken for a contract header it begins or ends
(``Emplois créés`` for ``Emplois créés (ETP)``): shorter ones say too little."""


def _headers_nearly_right(
    grid: Grid, header_index: int, positions: dict[str, int], sheet: Sheet, title: str
) -> list[Finding]:
    """A filled column whose header is a contract column's, cut short or added to
    (``Emplois créés`` for ``Emplois créés (ETP)``, ``Activité créée ?``): never read,
    so never silently dropped either."""
    row = grid[header_index] if header_index < len(grid) else []
    unread = [column for column in sheet.columns if column.name not in positions]
    findings = []
    for index, cell in enumerate(row):
        typed = "" if is_blank(cell) else name_key(str(cell))
        if len(typed) < NEAR_MISS_LENGTH or index in positions.values():
            continue
        meant = next(
            (
                column
                for column in unread
                for header in (column.header_fr, column.header_en)
                if name_key(header).startswith(typed) or typed.startswith(name_key(header))
            ),
            None,
        )
        if meant is None or all(
            is_blank(cell_at(below, index)) for below in grid[header_index + 1 :]
        ):
            continue
        letter = get_column_letter(index + 1)
        findings.append(
            Finding(
                "warning",
                "entete_approchant",
                Wording(
                    f"La colonne {letter} (« {to_text(cell)} ») n'est pas lue : son en-tête "
                    f"n'est pas exactement « {meant.header_fr} ». Si elle en tient lieu, "
                    "reprenez l'en-tête du modèle, puis déposez le fichier à nouveau.",
                    f'Column {letter} ("{to_text(cell)}") is not read: its header is not '
                    f'exactly "{meant.header_en}". If it stands for it, use the template\'s '
                    "header, then drop the file again.",
                ),
                sheet=title,
                row=header_index + 1,
                column=letter,
                header=meant.header,
                value=to_text(cell),
            )
        )
    return findings


def _declared(grids: dict[str, Grid], line: re.Pattern[str]) -> str | None:
    """What the template's Instructions say on ``line`` (its one group), if anything."""
    for row in grids.get(INSTRUCTIONS_SHEET, [])[:HEADER_SEARCH_ROWS]:
        for cell in row:
            found = line.match(str(cell or ""))
            if found:
                return found[1]
    return None


def _formula_errors(
    parsed: ParsedSubmission, error_cells: list[tuple[str, int, str, str]]
) -> list[Finding]:
    """A contract cell holding a formula's error (``#DIV/0!``…): said as such, not as
    an empty cell to fill in."""
    read = {
        (sheet.title, letter): sheet
        for sheet in parsed.sheets.values()
        for letter in sheet.column_letters.values()
    }
    # A cell already refused where it was read (NaN, say) is told once.
    told = {(f.sheet, f.row, f.column) for f in parsed.findings if f.severity == "error"}
    findings = []
    for title, row, letter, error in error_cells:
        sheet = read.get((title, letter))
        if sheet is None or row <= sheet.header_row or (title, row, letter) in told:
            continue
        name = next(name for name, at in sheet.column_letters.items() if at == letter)
        findings.append(
            Finding(
                "error",
                "erreur_de_calcul",
                calculation_error(error),
                sheet=title,
                row=row,
                column=letter,
                header=sheet.sheet.column(name).header,
                value=error,
            )
        )
    return findings


_EMPTY_FILE = Finding(
    "error",
    "fichier_vide",
    Wording(
        "Le fichier est vide (0 octet) : l'enregistrement ou la copie n'a sans doute pas "
        "abouti. Enregistrez à nouveau votre classeur, vérifiez qu'il s'ouvre, puis "
        "déposez-le.",
        "The file is empty (0 bytes): saving or copying it probably did not finish. Save "
        "your workbook again, check that it opens, then drop it.",
    ),
)


def _hidden_sheet(title: str, sheet: Sheet, shown: list[str]) -> Finding:
    """A contract sheet the partner cannot see; ``shown``, visible sheets of the same
    name, are not read either: which of them holds the data is the partner's call."""
    beside = Wording("", "")
    if shown:
        beside = Wording(
            " La feuille visible " + ", ".join(f"« {name} »" for name in shown) + " qui "
            "porte le même nom n'est pas lue non plus : dites-nous laquelle compte en "
            "n'en gardant qu'une.",
            " The visible sheet " + ", ".join(f'"{name}"' for name in shown) + " of the "
            "same name is not read either: tell us which one counts by keeping only one.",
        )
    return Finding(
        "error",
        "feuille_masquee",
        Wording(
            f"La feuille « {title} » est masquée : ses données ne sont pas lues, puisque "
            "vous ne pouvez pas les voir. Affichez-la (clic droit sur un onglet, "
            "« Afficher ») ou supprimez-la, gardez une seule feuille "
            f"« {sheet.title_fr} », puis déposez le fichier à nouveau.{beside.fr}",
            f'The sheet "{title}" is hidden: its data are not read, since you cannot see '
            'them. Show it (right-click a tab, "Unhide") or delete it, keep a single '
            f'"{sheet.title_en}" sheet, then drop the file again.{beside.en}',
        ),
        sheet=title,
    )


def _duplicated_headers(
    grid: Grid, header_index: int, positions: dict[str, int], sheet: Sheet, title: str
) -> list[Finding]:
    """A column whose header means the same as an earlier one: never silently dropped."""
    row = grid[header_index] if header_index < len(grid) else []
    findings = []
    for index, cell in enumerate(row):
        matched = next(iter(_header_positions([cell], sheet)), None)
        if matched is None or positions.get(matched) in (None, index):
            continue
        first = get_column_letter(positions[matched] + 1)
        second = get_column_letter(index + 1)
        header = sheet.column(matched).header
        findings.append(
            Finding(
                "error",
                "colonne_en_double",
                Wording(
                    f"Les colonnes {first} et {second} portent toutes deux l'en-tête "
                    f"« {header.fr} » : gardez-en une seule (fusionnez leurs valeurs), puis "
                    "déposez le fichier à nouveau.",
                    f'Columns {first} and {second} both have the header "{header.en}": '
                    "keep only one (merge their values), then drop the file again.",
                ),
                sheet=title,
                row=header_index + 1,
                column=second,
                header=header,
                value=str(cell),
            )
        )
    return findings


def parse_submission(
    path: Path,
    reference: ReferenceData,
    limits: FileLimits = DEFAULT_LIMITS,
    partner_id: str | None = None,
    campaign: Campaign | None = None,
) -> ParsedSubmission:
    """Read every contract sheet of ``path``; a file over the limits or unreadable,
    missing sheets, too many rows and unreadable cells are findings.

    A partner whose registry entry names a mapping profile, or a workbook without
    the template's sheets that carries a known profile's layout, is read through
    that profile. The columns of optional parts ``campaign`` does not turn on are
    never read, and left empty (``_with_uncollected_columns``); every part is read
    when no campaign is given.
    The actions get the INSEE code of the commune they name (``with_commune_codes``);
    the self-assessment's answers, the ends of their scale (``with_scale_ends``).
    """
    parsed = _parse_submission(path, reference, limits, partner_id, campaign)
    with_commune_codes(parsed, reference, campaign)
    with_scale_ends(parsed, reference)
    return parsed


def _collected(sheet: Sheet, campaign: Campaign | None) -> Sheet:
    """The sheet as ``campaign`` collects it: every part when no campaign is given."""
    return sheet if campaign is None else sheet.with_parts(campaign.parts)


def _with_uncollected_columns(
    read: ParsedSheet, sheet: Sheet, grid: Grid, campaign: Campaign, findings: list[Finding]
) -> ParsedSheet:
    """``read`` (read as ``campaign`` collects ``sheet``) with the columns of the parts
    it does not collect, empty: never read, so never refused; a partner who filled one
    (in an older or another territory's workbook) is told, once per column."""
    uncollected = tuple(column for column in sheet.columns if column not in read.sheet.columns)
    if not uncollected:
        return read
    header = grid[read.header_row - 1] if read.header_row else []
    below = grid[read.header_row :]
    for name, position in _header_positions(header, replace(sheet, columns=uncollected)).items():
        if all(is_blank(cell_at(row, position)) for row in below):
            continue
        column = sheet.column(name)
        findings.append(
            Finding(
                "warning",
                "partie_non_collectee",
                Wording(
                    f"La campagne {campaign.id} ne collecte pas la colonne "
                    f"« {column.header_fr} » : ses valeurs ne sont pas lues (le modèle de la "
                    "campagne ne l'a pas).",
                    f'The {campaign.id} campaign does not collect the column "{column.header_en}": '
                    "its values are not read (the campaign's template does not have it).",
                ),
                sheet=read.title,
                row=read.header_row,
                column=get_column_letter(position + 1),
                header=column.header,
            )
        )
    read_columns = read.table.column_names
    table = pa.table(
        {
            # In the contract's order; a required column the file lacks stays absent.
            **{
                column.name: read.table.column(column.name)
                if column.name in read_columns
                else pa.nulls(read.table.num_rows, column.arrow_type)
                for column in sheet.columns
                if column.name in read_columns or column in uncollected
            },
            "source_row": read.table.column("source_row"),
        }
    )
    return replace(read, sheet=sheet, table=table)


def with_scale_ends(parsed: ParsedSubmission, reference: ReferenceData) -> None:
    """Add to the self-assessment's answers read the lowest and highest level of the
    reference's scale (``contract.SCALE_ENDS``): the scale they were given on."""
    answers = parsed.sheets.get("self_assessment")
    if answers is None or SCALE_ENDS[0] in answers.table.column_names:
        return
    ranks = [int(code) for code in reference.codes("maturity_level")]
    table = answers.table
    for end, rank in zip(SCALE_ENDS, (min(ranks), max(ranks)), strict=True):
        table = table.append_column(end, pa.array([rank] * table.num_rows, pa.int64()))
    parsed.sheets["self_assessment"] = replace(answers, table=table)


def with_commune_codes(
    parsed: ParsedSubmission, reference: ReferenceData, campaign: Campaign | None = None
) -> None:
    """Add to the actions read the INSEE code of the commune each names (``Dijon``,
    ``21231`` and ``DIJON`` alike), null where the reference's communes do not tell
    which: the cell itself is kept as typed. Where ``campaign`` counts the row's
    figures by commune (``parts.BY_COMMUNE``), a commune not identified, or a number
    that is also another commune's postal code, is told."""
    actions = parsed.sheets.get("actions")
    if actions is None or COMMUNE_CODE in actions.table.column_names:
        return
    counted = [
        column.name
        for column in actions.sheet.columns
        if campaign is not None and column.part in campaign.parts and column.part in BY_COMMUNE
    ]
    figures = actions.table.select(counted).to_pylist()
    rows = actions.table.column("source_row").to_pylist()
    codes = []
    for position, typed in enumerate(actions.table.column("municipality").to_pylist()):
        commune = None if typed is None else reference.commune(typed)
        codes.append(None if commune is None else commune.code)
        if typed is None or not any(value is not None for value in figures[position].values()):
            continue
        told = _commune_told(typed, commune, reference.communes_by_postal_code(typed))
        if told is not None:
            rule, message = told
            parsed.findings.append(
                Finding(
                    "warning",
                    rule,
                    message,
                    sheet=actions.title,
                    row=rows[position],
                    column=actions.letter("municipality", position),
                    header=actions.header(actions.sheet.column("municipality")),
                    value=typed,
                )
            )
    table = actions.table.append_column(COMMUNE_CODE, pa.array(codes, pa.string()))
    parsed.sheets["actions"] = replace(actions, table=table)


def _commune_told(
    typed: str, commune: Commune | None, by_postal_code: tuple[Commune, ...]
) -> tuple[str, Wording] | None:
    if commune is None:
        return (
            "commune_non_identifiee",
            Wording(
                f"La commune « {typed} » n'est pas identifiée (inconnue, ou nom porté par "
                "plusieurs communes) : ses chiffres sont comptés sans territoire. Saisissez "
                "son code INSEE à 5 caractères (par exemple 21231 pour Dijon).",
                f'The municipality "{typed}" is not identified (unknown, or a name several '
                "municipalities share): its figures are counted without a territory. Enter its "
                "5-character INSEE code (for example 21231 for Dijon).",
            ),
        )
    meant = [other for other in by_postal_code if other.code != commune.code]
    if not meant:
        return None
    names = ", ".join(other.name for other in meant[:3]) + (", …" if len(meant) > 3 else "")
    return (
        "code_postal_ou_insee",
        Wording(
            f"« {typed} » est lu comme le code INSEE de {commune.name} ; c'est aussi le code "
            f"postal de {names}. Si vous pensiez à une commune de ce code postal, saisissez "
            f"son code INSEE (par exemple {meant[0].code} pour {meant[0].name}).",
            f'"{typed}" is read as the INSEE code of {commune.name}; it is also the postal code '
            f"of {names}. If you meant a municipality of that postal code, enter its INSEE "
            f"code (for example {meant[0].code} for {meant[0].name}).",
        ),
    )


def _parse_submission(
    path: Path,
    reference: ReferenceData,
    limits: FileLimits,
    partner_id: str | None,
    campaign: Campaign | None,
) -> ParsedSubmission:
    parsed = ParsedSubmission(path)
    opened = _opened(parsed, limits)
    if opened is None:
        return parsed
    grids, hidden, package = opened
    parsed.declared_partner = _declared(grids, DECLARED_PARTNER)
    parsed.declared_campaign = _declared(grids, DECLARED_CAMPAIGN)
    notice = misnamed(path)
    if notice is not None:
        parsed.findings.append(notice)
    parsed.findings.extend(_uncomputed_formulas(package, grids))
    partner = reference.partner(partner_id) if partner_id in reference.partner_ids else None
    profile = reference.profiles.get(partner.profile) if partner and partner.profile else None
    if _find_sheet(grids, SHEETS[0]) is None:
        # Another version of the partner's layout (its platform's export, say) is
        # read with its own profile.
        profile = matching_profile(grids, reference.profiles, preferred=profile) or profile
    if profile is not None:
        constants = partner.profile_constants if partner else {}
        axis_map = partner.axis_map if partner else {}
        parse_with_profile(parsed, grids, profile, reference, constants, axis_map)
        # An optional part's sheet is the contract's, whatever the layout of the rest.
        _read_optional_sheets(parsed, grids, hidden, reference, campaign)
        return parsed
    for sheet in SHEETS:
        if sheet.part is not None:
            continue
        title = _shown_sheet(parsed, grids, hidden, sheet, partner.language if partner else "fr")
        if title is None:
            continue
        grid = grids[title]
        read = _parse_sheet(title, grid, _collected(sheet, campaign), reference, parsed.findings)
        if read is not None and campaign is not None:
            read = _with_uncollected_columns(read, sheet, grid, campaign, parsed.findings)
        if read is not None:
            parsed.sheets[sheet.name] = read
    _read_optional_sheets(parsed, grids, hidden, reference, campaign)
    parsed.findings.extend(_formula_errors(parsed, package.error_cells))
    parsed.findings.extend(_typed_on_the_example(grids))
    return parsed


def _uncomputed_formulas(package: PackageFacts, grids: dict[str, Grid]) -> list[Finding]:
    """Formula cells saved without their value: they read as empty, and the partner
    would otherwise hear that a cell they filled in is missing."""
    return [
        Finding(
            "error",
            "formule_sans_valeur",
            Wording(
                "Cette cellule contient une formule dont le résultat n'a pas été "
                "enregistré : ouvrez le fichier dans votre tableur, enregistrez-le, puis "
                "déposez-le à nouveau (ou remplacez la formule par sa valeur).",
                "This cell holds a formula whose result was not saved: open the file in "
                "your spreadsheet program, save it, then drop it again (or replace the "
                "formula by its value).",
            ),
            sheet=sheet,
            row=row,
            column=column,
        )
        for sheet, row, column in package.uncomputed_formulas
        if sheet in grids
    ]


def _opened(
    parsed: ParsedSubmission, limits: FileLimits
) -> tuple[dict[str, Grid], set[str], PackageFacts] | None:
    """The file's sheets as grids, its hidden sheets and its package's inspection; None
    (and the finding in ``parsed``) when it is empty, over the limits or unreadable."""
    path = parsed.path
    if path.stat().st_size == 0:
        parsed.findings.append(_EMPTY_FILE)
        return None
    try:
        check_limits(path, limits)
        package = inspect_package(path, limits)
        return read_grids(path, limits), hidden_sheets(path), package
    except SheetOverLimits as error:
        parsed.findings.append(Finding("error", "trop_de_lignes", error.advice, sheet=error.sheet))
    except FileOverLimits as error:
        parsed.findings.append(Finding("error", "fichier_trop_volumineux", error.advice))
    except UnreadableFile as error:
        # The reader's own words are for the logs: English, and no help to a partner.
        log.info("%s cannot be read: %s", path, error)
        advice = error.advice or Wording(
            "Le fichier ne peut pas être ouvert (endommagé, protégé par un mot de passe "
            "ou d'un autre format que son extension) : enregistrez-le à nouveau au format "
            ".xlsx, .ods ou .csv, sans mot de passe.",
            "The file cannot be opened (damaged, password-protected or of another format "
            "than its extension says): save it again as .xlsx, .ods or .csv, without a "
            "password.",
        )
        parsed.findings.append(Finding("error", "fichier_illisible", advice))
    return None


def _shown_sheet(
    parsed: ParsedSubmission,
    grids: dict[str, Grid],
    hidden: set[str],
    sheet: Sheet,
    language: Language,
) -> str | None:
    """The title of the visible sheet holding ``sheet``; None (and the finding in
    ``parsed``) when it is hidden or missing."""
    concealed = [name for name in _matching_sheets(grids, sheet) if name in hidden]
    if concealed:
        shown = [name for name in _matching_sheets(grids, sheet) if name not in hidden]
        parsed.findings.extend(_hidden_sheet(name, sheet, shown) for name in concealed)
        return None
    shown = _matching_sheets(grids, sheet)
    if shown:
        return _the_one_shown(parsed, grids, shown, sheet)
    parsed.findings.append(
        Finding(
            "error",
            "sheet_missing",
            Wording(
                f"La feuille « {sheet.title_fr} » est introuvable : "
                "repartez du modèle fourni sans renommer ses feuilles.",
                f'The sheet "{sheet.title_en}" cannot be found: start again from '
                "the template you were given, without renaming its sheets.",
            ),
            sheet=sheet.title.in_language(language),
        )
    )
    return None


def _the_one_shown(
    parsed: ParsedSubmission, grids: dict[str, Grid], shown: list[str], sheet: Sheet
) -> str | None:
    """The one visible sheet of ``sheet``'s name to read; None (and the finding in
    ``parsed``) when several of them hold something: reading one would drop the
    other's data without a word, and which counts is the partner's call. A twin
    holding only the template's headers or a title answers nothing: it is ignored."""
    filled = [name for name in shown if _answers(grids[name], sheet)]
    if len(filled) < 2:
        return (filled or shown)[0]
    names = Wording(
        ", ".join(f"« {name} »" for name in filled), ", ".join(f'"{name}"' for name in filled)
    )
    parsed.findings.append(
        Finding(
            "error",
            "feuilles_en_double",
            Wording(
                f"Les feuilles {names.fr} désignent toutes la feuille « {sheet.title_fr} » "
                "du modèle : aucune n'est lue, pour n'en perdre aucune. Gardez une seule feuille "
                f"« {sheet.title_fr} » (copiez-y ce qui doit compter), puis déposez le "
                "fichier à nouveau.",
                f'The sheets {names.en} all stand for the template\'s "{sheet.title_en}" '
                "sheet: none is read, so that none is lost. Keep a single "
                f'"{sheet.title_en}" sheet (copy into it what must count), then drop the '
                "file again.",
            ),
            sheet=filled[0],
        )
    )
    return None


def _blank(grid: Grid) -> bool:
    return all(is_blank(cell) for row in grid for cell in row)


def parse_one_sheet(
    path: Path, sheet: Sheet, reference: ReferenceData, limits: FileLimits = DEFAULT_LIMITS
) -> ParsedSubmission:
    """Read a workbook of one sheet of its own (the steward's roadmap values) as a
    partner's is read: the same limits, cells typed and told by row and column."""
    parsed = ParsedSubmission(path)
    opened = _opened(parsed, limits)
    if opened is None:
        return parsed
    grids, hidden, package = opened
    title = _shown_sheet(parsed, grids, hidden, sheet, "fr")
    if title is not None:
        read = _parse_sheet(title, grids[title], sheet, reference, parsed.findings)
        if read is not None:
            parsed.sheets[sheet.name] = read
    parsed.findings.extend(_uncomputed_formulas(package, grids))
    parsed.findings.extend(_formula_errors(parsed, package.error_cells))
    return parsed


def _typed_on_the_example(grids: dict[str, Grid]) -> list[Finding]:
    """The template's example sheet is never read: a partner who changed it (typed
    its data there, over the example or below it) would otherwise only hear that
    its data sheets are empty. Told when the sheet no longer holds what the template
    wrote, by the fingerprint the template kept on its lists sheet."""
    written = _recorded_example(grids.get(LISTS_SHEET, []))
    if written is None:
        return []
    example_titles = {normalise_label(EXAMPLE_SHEET.fr), normalise_label(EXAMPLE_SHEET.en)}
    findings = []
    for name, grid in grids.items():
        if normalise_label(name) not in example_titles:
            continue
        if _blank(grid) or sheet_fingerprint(grid) == written:
            continue
        data_sheets = Wording(
            ", ".join(sheet.title_fr for sheet in sheets_for(())),
            ", ".join(sheet.title_en for sheet in sheets_for(())),
        )
        findings.append(
            Finding(
                "warning",
                "saisie_dans_exemple",
                Wording(
                    f"La feuille « {name} » a été modifiée depuis l'envoi du modèle : elle "
                    "n'est jamais lue. Si vous y avez saisi vos données, saisissez-les (ou "
                    f"copiez-les) dans les feuilles {data_sheets.fr}.",
                    f'The sheet "{name}" was changed since the template was sent: it is '
                    "never read. If you typed your data there, type (or copy) it on the "
                    f"{data_sheets.en} sheets.",
                ),
                sheet=name,
            )
        )
    return findings


def _recorded_example(lists: Grid) -> str | None:
    """The example sheet's fingerprint as the template wrote it, if it did."""
    header = lists[0] if lists else []
    if EXAMPLE_FINGERPRINT not in header or len(lists) < 2:
        return None
    position = header.index(EXAMPLE_FINGERPRINT)
    recorded = lists[1][position] if position < len(lists[1]) else None
    return recorded if isinstance(recorded, str) else None
