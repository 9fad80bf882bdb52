"""Turn one cell, as typed by a person, into a typed value.

Each converter returns a ``Reading``: the value, and a note when the cell was
read with some forgiveness (a code typed without its accents, say) that the
partner should hear about. A cell that cannot be read raises ``CellError`` with
a message, for the partner, that says what was expected.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from climate_contract.contract import FORMULA_PREFIXES, JOBS, Column, ColumnKind
from climate_contract.reference import CodeValue
from climate_contract.wording import Wording


class CellError(ValueError):
    """A cell whose content cannot be read as its column's type."""

    def __init__(self, expected: Wording) -> None:
        super().__init__(expected.en)
        self.expected = expected


@dataclass(frozen=True)
class Reading:
    value: Any
    note: Wording | None = None


_NUMBER_EXPECTED = Wording(
    "un nombre est attendu, par exemple 1234,56 ou 12 k€",
    "a number is expected, for example 1234.56 or 12 k€",
)


BLANKS = frozenset({"", "-", "n/a", "na", "nc", "n.c.", "néant", "neant"})
TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "vrai", "true", "x", "1"})
FALSE_WORDS = frozenset({"non", "n", "no", "faux", "false", "0"})
MULTIPLIERS = {"": 1, "k": 1e3, "m": 1e6, "md": 1e9, "mds": 1e9, "mrd": 1e9}
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_AMOUNT = re.compile(
    # A spreadsheet writes large numbers in CSV files as 1E+15.
    r"^(?P<number>[+-]?[\d.,]*\d(?:e[+-]?\d{1,3})?)(?P<scale>k|m|md|mds|mrd)?(?:€|eur|euros?)?$"
)
_RANGE = re.compile(r"^(?:entre\s*)?\d[\d\s.,]*\s*(?:-|\u2013|à|a|et|to)\s*\d[\d\s.,]*\D*$")
_SHORT_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](?P<year>\d{2})$")
# One separator followed by exactly three digits, after one to three digits that do
# not start with 0: a thousands group to some, a decimal part to others.
_AMBIGUOUS_SEPARATOR = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of the serial numbers spreadsheets store dates as (1900 date system)."""
SERIAL_DATES = range(367, 2958466)
"""Serial numbers of the dates 1901-01-01 to 9999-12-31."""
PLAUSIBLE_YEARS = range(1900, 2101)
_YEAR_IN_DATE = re.compile(
    r"^(?:(?:\d{1,2}[/.-])?\d{1,2}[/.-](?P<dmy>\d{4})|(?P<ymd>\d{4})[/.-]\d{1,2}(?:[/.-]\d{1,2})?)$"
)


def fold(text: str) -> str:
    """Fold case, accents and runs of spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def name_key(text: str) -> str:
    """``fold``, then only letters and digits: sheet names and headers that differ by
    punctuation, apostrophes, underscores or spaces (``Fichier d'import``,
    ``Fichier_dimport``) compare equal."""
    return "".join(char for char in fold(text) if char.isalnum())


def normalise_label(text: str) -> str:
    """``fold``, and plural endings too, so that typing variants of a label compare equal."""
    return " ".join(re.sub(r"(?<=\w{3})[sx]$", "", word) for word in fold(text).split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in BLANKS)


def to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]  # quoted by a writer so that no spreadsheet evaluates it
    return text


def sheet_fingerprint(rows: Iterable[Iterable[Any]]) -> str:
    """What a sheet holds, as a short digest of its filled cells read as text, row by
    row: the same whichever program wrote or read it, and whatever the formatting
    or the empty rows between."""
    digest = hashlib.sha256()
    for row in rows:
        cells = [to_text(cell) for cell in row if not is_blank(cell)]
        if cells:
            digest.update(("\x1f".join(cells) + "\x1e").encode("utf-8"))
    return digest.hexdigest()[:16]


def _plain_number(text: str) -> float:
    """A number written with French or English separators."""
    if "," in text and "." in text:
        # Whichever comes last is the decimal mark; the other groups thousands.
        decimal, grouping = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        text = text.replace(grouping, "").replace(decimal, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    return float(text)


def to_decimal(value: Any) -> float:
    """``1 234,56``, ``1.234,56``, ``1234.56``, ``12 k€``, ``3,5 M€``, ``2 000 000 €``.

    A range (``Entre 200 et 500``, ``200-500``) is refused: the partner must choose.
    """
    if isinstance(value, bool):
        raise CellError(Wording("un nombre est attendu", "a number is expected"))
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().casefold()
    if _RANGE.match(text):
        raise CellError(
            Wording(
                "une fourchette n'est pas acceptée : indiquez une seule valeur",
                "a range is not accepted: give a single value",
            )
        )
    match = _AMOUNT.match(_SPACES.sub("", text))
    if match is None:
        raise CellError(_NUMBER_EXPECTED)
    if _AMBIGUOUS_SEPARATOR.match(match["number"]):
        separator = "," if "," in match["number"] else "."
        whole = match["number"].replace(separator, "")
        part = match["number"].replace(separator, ".")
        raise CellError(
            Wording(
                f"« {match['number']} » peut se lire {whole} ou {part.replace('.', ',')} : "
                f"écrivez {whole} (sans séparateur) ou {part.replace('.', ',')}0 selon ce "
                "que vous vouliez dire",
                f'"{match["number"]}" may be read as {whole} or {part}: write {whole} (without '
                f"separator) or {part}0, whichever you meant",
            )
        )
    try:
        number = _plain_number(match["number"])
    except ValueError:
        raise CellError(_NUMBER_EXPECTED) from None
    return number * MULTIPLIERS[match["scale"] or ""]


_FULL_TIME_EQUIVALENTS = re.compile(r"^(?P<number>[+-]?[\d.,]*\d)(?:etp|fte)?$")


def to_full_time_equivalents(value: Any) -> float:
    """``2,5``, ``3 ETP``, ``1 FTE``: a number of jobs, never an amount (``12 k€`` is
    refused, not read as 12,000 jobs)."""
    if isinstance(value, bool):
        raise CellError(Wording("un nombre est attendu", "a number is expected"))
    if isinstance(value, int | float):
        return float(value)
    match = _FULL_TIME_EQUIVALENTS.match(_SPACES.sub("", str(value).strip().casefold()))
    if match is None:
        raise CellError(
            Wording(
                "un nombre d'emplois en équivalents temps plein est attendu, par exemple 2,5 "
                "(sans € ni k)",
                "a number of jobs in full-time equivalents is expected, for example 2.5 "
                "(without EUR or k)",
            )
        )
    return to_decimal(match["number"])


def serial_date(value: Any) -> Any:
    """A number stored in a date column (a date shown in General format) as the date
    it counts; a year (2026) or anything else is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not float(value).is_integer() or int(value) in PLAUSIBLE_YEARS:
        return value
    if int(value) not in SERIAL_DATES:
        return value
    return EXCEL_EPOCH + timedelta(days=int(value))


def to_integer(value: Any) -> int:
    """A year or a count: a whole number, or a date whose year is taken
    (``14/12/2026``, ``2026-12-14``, ``12/2026``, a date cell). Only the year is
    kept, so day/month order never matters. A two-digit year comes last, as in
    ``14/12/26`` and ``12/14/26``, and is read in the 2000s (2026): the contract's
    period lies there whole."""
    if isinstance(value, datetime | date):
        return value.year
    text = str(value).strip() if isinstance(value, str) else None
    short = _SHORT_DATE.match(text) if text else None
    if short is not None:
        return 2000 + int(short["year"])
    dated = _YEAR_IN_DATE.match(text) if text else None
    if dated is not None:
        return int(dated["dmy"] or dated["ymd"])
    try:
        number: float | None = to_decimal(value)
    except CellError:
        number = None
    if number is None or not number.is_integer():
        raise CellError(
            Wording(
                "un nombre entier est attendu, par exemple 2026",
                "a whole number is expected, for example 2026",
            )
        )
    return int(number)


def to_boolean(value: Any) -> bool:
    word = fold(to_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(Wording("« Oui » ou « Non » est attendu", '"Yes" or "No" is expected'))


def code_reader(values: Iterable[CodeValue]) -> Callable[[Any], Reading]:
    """A converter that maps a code, its French or its English label to the code.

    A label typed with other case, accents, spaces or a plural is accepted with a
    note naming the label it was read as. An unknown value is returned as typed:
    the validation suite reports it with the list of allowed values.
    """
    values = tuple(values)
    exact = {text: value.code for value in values for text in (value.code, value.fr, value.en)}
    forgiving = {
        normalise_label(text): value
        for value in values
        for text in (value.code, value.fr, value.en)
    }

    def read_code(cell: Any) -> Reading:
        text = to_text(cell)
        # A number is its code as written (a rank on a scale: 3 is "3"), not a label.
        typed = cell if isinstance(cell, str) else text
        if typed in exact:
            return Reading(exact[typed])
        value = forgiving.get(normalise_label(text))
        if value is None:
            return Reading(text)
        return Reading(
            value.code,
            Wording(
                f"« {cell} » a été lu comme « {value.fr} »", f'"{cell}" was read as "{value.en}"'
            ),
        )

    return read_code


CONVERTERS: dict[ColumnKind, Callable[[Any], Any]] = {
    "text": to_text,
    "integer": to_integer,
    "decimal": to_decimal,
    "boolean": to_boolean,
}


def converter_for(
    column: Column, code_lists: dict[str, tuple[CodeValue, ...]]
) -> Callable[[Any], Reading]:
    if column.kind == "code":
        assert column.code_list is not None
        return code_reader(code_lists[column.code_list])
    # Jobs are counted in people: the scales and currencies of amounts do not apply.
    convert = to_full_time_equivalents if column.bounds is JOBS else CONVERTERS[column.kind]
    return lambda cell: Reading(convert(cell))
