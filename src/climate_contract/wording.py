"""Text that partners read, in French and in English.

French is the contract's language and every partner's default; a partner whose
registry entry says ``language: en`` gets its template, reports and reminders in
English. Code, logs and the steward's documents stay in one language each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["fr", "en"]
TERRITORY_TIME = ZoneInfo("Europe/Paris")
"""The time zone partners and stewards read times in; the ledger keeps UTC."""


@dataclass(frozen=True)
class Wording:
    """One text, said in each language partners may choose."""

    fr: str
    en: str

    def in_language(self, language: Language) -> str:
        return self.en if language == "en" else self.fr


def format_number(value: float, language: Language, decimals: int = 0) -> str:
    """A figure as a reader of ``language`` writes it: 1 234,5 or 1,234.5."""
    english = f"{value:,.{decimals}f}"
    if language == "en":
        return english
    return english.replace(",", "\u202f").replace(".", ",")


def number_wording(value: float, decimals: int = 0) -> Wording:
    return Wording(format_number(value, "fr", decimals), format_number(value, "en", decimals))


def territory_time(moment: datetime) -> datetime:
    """A time on the territory's clock; one without a time zone is UTC, as the
    ledger keeps and gives it back."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TERRITORY_TIME)


def local_time(moment: datetime | None) -> str:
    """A UTC time of the ledger as the territory reads it, to the minute."""
    if moment is None:
        return ""
    return territory_time(moment).strftime("%Y-%m-%d %H:%M")
