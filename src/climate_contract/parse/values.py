"""Turn one cell, as typed by a person, into a typed value.

Each converter returns the value, or raises ``CellError`` with a French message
that tells the partner what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from climate_contract.contract import Column, ColumnKind
from climate_contract.reference import CodeValue


class CellError(ValueError):
    """A cell whose content cannot be read as its column's type."""


BLANKS = frozenset({"", "-", "n/a", "na", "nc", "néant"})
TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "vrai", "true", "x", "1"})
FALSE_WORDS = frozenset({"non", "n", "no", "faux", "false", "0"})
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]")


def normalise_label(text: str) -> str:
    """Fold case, accents and runs of spaces, so that typing variants compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() in BLANKS)


def to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def to_decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError("un nombre est attendu")
    if isinstance(value, int | float):
        return float(value)
    text = _NUMBER_NOISE.sub("", str(value))
    if "," in text:
        # A comma is the French decimal mark; dots beside it group thousands.
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise CellError("un nombre est attendu, par exemple 1234,56") from None


def to_integer(value: Any) -> int:
    try:
        number: float | None = to_decimal(value)
    except CellError:
        number = None
    if number is None or not number.is_integer():
        raise CellError("un nombre entier est attendu, par exemple 2026")
    return int(number)


def to_boolean(value: Any) -> bool:
    word = normalise_label(to_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("« Oui » ou « Non » est attendu")


def code_reader(values: Iterable[CodeValue]) -> Callable[[Any], str]:
    """A converter that maps a code, its French or its English label to the code.

    An unknown value is returned as typed: the validation suite reports it with
    the list of allowed values.
    """
    lookup = {
        normalise_label(text): value.code
        for value in values
        for text in (value.code, value.fr, value.en)
    }

    def read_code(cell: Any) -> str:
        text = to_text(cell)
        return lookup.get(normalise_label(text), text)

    return read_code


CONVERTERS: dict[ColumnKind, Callable[[Any], Any]] = {
    "text": to_text,
    "integer": to_integer,
    "decimal": to_decimal,
    "boolean": to_boolean,
}


def converter_for(
    column: Column, code_lists: dict[str, tuple[CodeValue, ...]]
) -> Callable[[Any], Any]:
    if column.kind == "code":
        assert column.code_list is not None
        return code_reader(code_lists[column.code_list])
    return CONVERTERS[column.kind]
