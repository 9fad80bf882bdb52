from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator

from climate_contract.wording import Language, Wording

FactorUnit = Literal["kWh", "L", "t", "km", "p.km"]
# The unit dimension whose base unit each factor unit is.
DIMENSION_OF_FACTOR_UNIT: dict[str, str] = {
    "kWh": "energy",
    "L": "volume",
    "t": "mass",
    "km": "distance",
    "p.km": "passenger_distance",
}


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Partner(_Record):
    id: str
    name: str
    college: Literal["entreprise", "organisme_public", "association", "institution"]
    campaigns: tuple[str, ...]
    contact: str
    profile: str | None = None
    """The mapping profile of the partner's own layout, if it does not use the template."""
    profile_constants: dict[str, Any] = {}
    """Action fields the partner's layout lacks (sector, plan axis...), as codes."""
    language: Language = "fr"
    """The language of the partner's template, reports and reminders."""


class FieldSource(_Record):
    """Where a field is in a foreign layout: the n-th column headed ``header`` (or one
    of its ``aliases``, for versions of the layout that word it differently)."""

    header: str
    aliases: tuple[str, ...] = ()
    occurrence: int = 1
    translate: dict[str, str] = {}


class FundingGroup(_Record):
    funder: FieldSource
    amount: FieldSource


class MappingProfile(_Record):
    """A foreign layout, described rather than coded: see reference/profiles/."""

    id: str
    label: str
    sheet_names: tuple[str, ...]
    signature: tuple[str, ...]
    skip_rows_matching: tuple[str, ...] = ()
    action_ref_prefix: str = "L"
    actions: dict[str, FieldSource]
    action_constants: dict[str, Any] = {}
    funding_groups: tuple[FundingGroup, ...] = ()
    total_budget: FieldSource | None = None
    investment_constants: dict[str, Any] = {}
    funders_source: str = "subvention"
    own_funds_source: str = "fonds_propres"


class Campaign(_Record):
    id: str
    opens_on: date
    deadline: date


class PlanTarget(_Record):
    """One milestone of a plan indicator; ``plan_axis`` empty means the whole plan."""

    plan: str
    plan_axis: str = ""
    indicator: str
    unit: str
    baseline_year: int
    baseline_value: float
    milestone_year: int
    milestone_value: float
    note: str = ""


class CodeValue(_Record):
    code: str
    fr: str
    en: str
    kind: Literal["result", "activity"] | None = None
    dimension: str | None = None
    scale: float | None = None

    @property
    def label(self) -> Wording:
        return Wording(self.fr, self.en)


class EmissionFactor(_Record):
    code: str
    label: str
    unit: FactorUnit
    kgco2e_per_unit: float
    source: str
    source_ids: str
    source_year: int


class Activity(_Record):
    """Activity data a partner declares, and how it converts into emissions avoided."""

    code: str
    fr: str
    en: str
    rule: Literal["avoided", "substituted"]
    factor: str
    replacement: str | None = None

    @model_validator(mode="after")
    def _replacement_only_when_substituted(self) -> Activity:
        if (self.rule == "substituted") != (self.replacement is not None):
            raise ValueError(f"{self.code}: a replacement factor goes with rule 'substituted'")
        return self


@dataclass(frozen=True)
class FactorReferential:
    version: str
    factors: dict[str, EmissionFactor]
    activities: dict[str, Activity]

    def unit_of(self, activity: Activity) -> str:
        return self.factors[activity.factor].unit

    def kgco2e_saved_per_unit(self, activity: Activity) -> float:
        saved = self.factors[activity.factor].kgco2e_per_unit
        if activity.replacement is not None:
            saved -= self.factors[activity.replacement].kgco2e_per_unit
        return saved


@dataclass(frozen=True)
class ReferenceData:
    partners: tuple[Partner, ...]
    campaigns: tuple[Campaign, ...]
    plan_targets: tuple[PlanTarget, ...]
    code_lists: dict[str, tuple[CodeValue, ...]]
    emission_factors: FactorReferential
    profiles: dict[str, MappingProfile]

    def codes(self, list_name: str) -> list[str]:
        return [value.code for value in self.code_lists[list_name]]

    @cached_property
    def _code_values(self) -> dict[tuple[str, str], CodeValue]:
        return {(name, v.code): v for name, values in self.code_lists.items() for v in values}

    def code_value(self, list_name: str, code: str) -> CodeValue | None:
        return self._code_values.get((list_name, code))

    @cached_property
    def partner_ids(self) -> frozenset[str]:
        return frozenset(partner.id for partner in self.partners)

    def partner(self, partner_id: str) -> Partner:
        return next(partner for partner in self.partners if partner.id == partner_id)

    @cached_property
    def indicator_unit_pairs(self) -> list[list[str]]:
        """Every (indicator, unit) pair whose unit measures what the indicator does."""
        return [
            [indicator.code, unit.code]
            for indicator in self.code_lists["indicator"]
            for unit in self.code_lists["unit"]
            if unit.dimension == indicator.dimension
        ]


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def _factor_referential(base: Path, extension: Path | None) -> FactorReferential:
    documents = [base] if extension is None else [base, extension]
    factors: dict[str, EmissionFactor] = {}
    activities: dict[str, Activity] = {}
    versions = []
    for path in documents:
        document = _read_yaml(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        versions.append(f"{document['version']}#{digest}")
        for factor in TypeAdapter(list[EmissionFactor]).validate_python(document["factors"]):
            factors[factor.code] = factor
        for activity in TypeAdapter(list[Activity]).validate_python(document["activities"]):
            activities[activity.code] = activity
    for activity in activities.values():
        used = [activity.factor] + ([activity.replacement] if activity.replacement else [])
        missing = [code for code in used if code not in factors]
        if missing:
            raise ValueError(f"activity {activity.code} names unknown factors {missing}")
        if len({factors[code].unit for code in used}) > 1:
            raise ValueError(f"activity {activity.code} compares factors of different units")
    return FactorReferential("+".join(versions), factors, activities)


def load_reference_data(directory: Path, factors_extension: Path | None = None) -> ReferenceData:
    """Read and check the reference files of ``directory``; raise on any malformed row.

    ``factors_extension`` replaces or adds emission factors and activities.
    """
    with (directory / "plan_targets.csv").open(encoding="utf-8", newline="") as stream:
        targets = TypeAdapter(tuple[PlanTarget, ...]).validate_python(list(csv.DictReader(stream)))
    referential = _factor_referential(directory / "emission_factors.yaml", factors_extension)
    code_lists = TypeAdapter(dict[str, tuple[CodeValue, ...]]).validate_python(
        _read_yaml(directory / "code_lists.yaml")
    )
    activity_indicators = tuple(
        CodeValue(
            code=activity.code,
            fr=activity.fr,
            en=activity.en,
            kind="activity",
            dimension=DIMENSION_OF_FACTOR_UNIT[referential.unit_of(activity)],
        )
        for activity in referential.activities.values()
    )
    code_lists["indicator"] = code_lists["indicator"] + activity_indicators
    profiles = {
        profile.id: profile
        for profile in (
            MappingProfile.model_validate(_read_yaml(path))
            for path in sorted((directory / "profiles").glob("*.yaml"))
        )
    }
    partners = TypeAdapter(tuple[Partner, ...]).validate_python(
        _read_yaml(directory / "partners.yaml")
    )
    unknown = {p.profile for p in partners if p.profile is not None} - profiles.keys()
    if unknown:
        raise ValueError(f"partners.yaml names unknown mapping profiles {sorted(unknown)}")
    return ReferenceData(
        partners=partners,
        campaigns=TypeAdapter(tuple[Campaign, ...]).validate_python(
            _read_yaml(directory / "campaigns.yaml")
        ),
        plan_targets=targets,
        code_lists=code_lists,
        emission_factors=referential,
        profiles=profiles,
    )
