"""The territory's roadmap (the contract's optional roadmap part): levers, each with an
impact objective at a 3- or 6-year horizon, and numbered indicators with milestones
1, 3, 6 and 10 years after the roadmap's start, as ``reference/roadmap.yaml`` gives
them. Indicators are computed from the warehouse where its data tell them (contracts
signed, and the actions, money and carbon of the plan axes a lever maps), and entered
by the steward otherwise (``reference/roadmap_values``, a workbook checked like a
partner's)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, StringConstraints, model_validator

from climate_contract.contract import CONTRACT_YEARS, QUANTITIES
from climate_contract.reference.model import _Record
from climate_contract.wording import Wording

RoadmapMeasure = Literal[
    "contracts_signed", "actions", "investment_eur", "tco2e_per_year", "entered"
]
MILESTONE_OFFSETS: tuple[int, ...] = (1, 3, 6, 10)


def _not_a_truth_value(given: object) -> object:
    # YAML reads `yes`, `on` and `true` as True, which Python holds equal to 1.
    if isinstance(given, bool):
        raise ValueError(f"{given!r} is not a number of years (1, 3, 6 or 10)")
    return given


MilestoneOffset = Annotated[Literal[1, 3, 6, 10], BeforeValidator(_not_a_truth_value)]

LEVER_MEASURES: frozenset[str] = frozenset({"actions", "investment_eur", "tco2e_per_year"})
"""Measures computed over the live actions of a lever's plan axes: they need a lever."""
MEASURE_UNITS: dict[str, Wording] = {
    "contracts_signed": Wording("contrats", "contracts"),
    "actions": Wording("actions", "actions"),
    "investment_eur": Wording("€ HT", "EUR excl. VAT"),
    "tco2e_per_year": Wording("tCO2e/an", "tCO2e/yr"),
}
"""The unit of each computed measure; an entered indicator gives its own."""


def _within_quantities(given: float) -> float:
    # The bounds of a partner's quantities: what the warehouse's columns hold.
    if not math.isfinite(given) or not QUANTITIES.minimum <= given <= QUANTITIES.maximum:
        raise ValueError(
            f"{given} is not a value of zero or more, up to {QUANTITIES.maximum:g} "
            "(check for a zero too many)"
        )
    return given


Target = Annotated[float, AfterValidator(_within_quantities)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Lever(_Record):
    code: Label
    fr: Label
    en: Label
    horizon: Literal[3, 6]
    """The years after the roadmap's start by which the lever's objective is due."""
    objective_fr: str = ""
    objective_en: str = ""
    plan_axes: tuple[str, ...] = ()
    """The plan axes whose actions serve the lever (the lever mapping): its actions,
    money and carbon are theirs."""

    @property
    def label(self) -> Wording:
        return Wording(self.fr, self.en)

    @property
    def objective(self) -> Wording:
        return Wording(self.objective_fr, self.objective_en)


class RoadmapIndicator(_Record):
    code: Label
    fr: Label
    en: Label
    measure: RoadmapMeasure
    milestones: dict[MilestoneOffset, Target]
    """Target value by years after the roadmap's start."""
    lever: str | None = None
    unit: str = ""
    """An entered indicator's unit, as the steward writes it (a computed one has its
    measure's, ``MEASURE_UNITS``)."""
    unit_en: str = ""
    """Its unit in English, where it is written otherwise (t/yr for t/an)."""
    baseline: Target = 0
    """The value at the roadmap's start, where the trajectory to the milestones begins."""

    @model_validator(mode="after")
    def _complete(self) -> RoadmapIndicator:
        if not self.milestones:
            raise ValueError("give at least one milestone (years after the start: target)")
        if self.measure in LEVER_MEASURES and self.lever is None:
            raise ValueError(f"a {self.measure} indicator counts a lever's actions: name its lever")
        if self.measure == "entered" and not self.unit:
            raise ValueError("an entered indicator needs its unit (e.g. t/an)")
        if self.measure != "entered" and (self.unit or self.unit_en):
            raise ValueError(f"a {self.measure} indicator has its measure's unit: remove unit")
        return self

    @property
    def label(self) -> Wording:
        return Wording(self.fr, self.en)

    @property
    def unit_label(self) -> Wording:
        return MEASURE_UNITS.get(self.measure, Wording(self.unit, self.unit_en or self.unit))


def _within_contract(given: int) -> int:
    last = int(CONTRACT_YEARS.maximum) - max(MILESTONE_OFFSETS)
    if not int(CONTRACT_YEARS.minimum) <= given <= last:
        raise ValueError(
            f"{given}: the roadmap starts between {int(CONTRACT_YEARS.minimum)} and {last}, "
            "so that its last milestone falls within the contract's years"
        )
    return given


class Roadmap(_Record):
    start_year: Annotated[int, AfterValidator(_within_contract)]
    levers: tuple[Lever, ...]
    indicators: tuple[RoadmapIndicator, ...]

    @property
    def entered(self) -> tuple[RoadmapIndicator, ...]:
        """The indicators the steward enters (the warehouse cannot tell them)."""
        return tuple(indicator for indicator in self.indicators if indicator.measure == "entered")
