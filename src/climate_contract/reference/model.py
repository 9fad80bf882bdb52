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
    axis_map: dict[str, str] = {}
    """For a partner read through a profile: its own axes (any level, as written in
    its file) and the plan axis each belongs to; the most precise level wins, and
    ``profile_constants``' plan axis stands for any axis not listed."""


class FieldSource(_Record):
    """Where a field is in a foreign layout: the n-th column headed ``header`` (or one
    of its ``aliases``, for versions of the layout that word it differently)."""

    header: str
    aliases: tuple[str, ...] = ()
    occurrence: int = 1
    translate: dict[str, str] = {}
    dates: bool = False
    """A date column: a number stored there (a date in General format) is its date."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


class FundingGroup(_Record):
    funder: FieldSource
    amount: FieldSource


class LayoutRows(_Record):
    """How the layout's rows that are not data are told apart, by patterns matched
    against each cell with case and accents folded."""

    hint_cells: tuple[str, ...] = ()
    """Cells that describe what to type (text field, number field, dropdown...)."""
    hint_share: float = 0.5
    """The share of a row's filled cells that must be hints for the row to be one."""
    example_cells: tuple[str, ...] = ()
    """Cells that only a filled-in example row holds: one is enough."""
    marker_cells: tuple[str, ...] = ()
    """Cells of rows that only mark where data starts: every filled cell must match."""


class MappingProfile(_Record):
    """A foreign layout, described rather than coded: see reference/profiles/."""

    id: str
    label: str
    sheet_names: tuple[str, ...]
    signature: tuple[str, ...]
    """Headers that must all stand on the header row; a field's aliases stand for it."""
    rows: LayoutRows = LayoutRows()
    action_ref_prefix: str = "L"
    axes: tuple[FieldSource, ...] = ()
    """The partner's own axis levels, outermost first."""
    sub_action: FieldSource | None = None
    """The column naming a sub-action; its row's title names its parent action."""
    actions: dict[str, FieldSource]
    optional: tuple[str, ...] = ()
    """Fields the contract requires that this layout leaves optional: a blank one is
    a warning, never a refusal (status becomes "non renseigné", money without years
    goes to the "year not given" bucket)."""
    action_constants: dict[str, Any] = {}
    funding_groups: tuple[FundingGroup, ...] = ()
    total_budget: FieldSource | None = None
    investment_constants: dict[str, Any] = {}
    funders_source: str = "subvention"
    own_funds_source: str = "fonds_propres"

    @property
    def field_sources(self) -> tuple[FieldSource, ...]:
        groups = [s for group in self.funding_groups for s in (group.funder, group.amount)]
        extra = [self.sub_action, self.total_budget]
        return (*self.axes, *self.actions.values(), *groups, *(s for s in extra if s))


class UnknownReference(ValueError):
    """An id the reference files do not declare."""

    def __init__(self, kind: str, given: str, known: list[str]) -> None:
        files = {"partner": "partners.yaml", "campaign": "campaigns.yaml"}
        super().__init__(
            f"{kind} {given!r} is not declared in {files[kind]} (declared: {', '.join(known)})"
        )


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


class ObservedPoint(_Record):
    """A value the territory's inventory observed; ``plan_axis`` empty means the
    whole territory."""

    plan_axis: str = ""
    indicator: str
    unit: str
    year: int
    value: float
    source: str = ""


class CodeValue(_Record):
    code: str
    fr: str
    en: str
    kind: Literal["result", "activity"] | None = None
    dimension: str | None = None
    scale: float | None = None
    vat_rate: float | None = None
    """For a tax basis: the VAT an amount on that basis includes (amounts are counted
    before tax: divided by 1 + rate)."""
    in_template: bool = True
    """Offered by the template's drop-down lists; a value only foreign layouts need
    (status "non renseigné") is not."""

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
    observed_inventory: tuple[ObservedPoint, ...] = ()

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
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise UnknownReference("partner", partner_id, [p.id for p in self.partners])

    def campaign(self, campaign_id: str) -> Campaign:
        for campaign in self.campaigns:
            if campaign.id == campaign_id:
                return campaign
        raise UnknownReference("campaign", campaign_id, [c.id for c in self.campaigns])

    @cached_property
    def indicator_unit_pairs(self) -> list[list[str]]:
        """Every (indicator, unit) pair whose unit measures what the indicator does."""
        return [
            [indicator.code, unit.code]
            for indicator in self.code_lists["indicator"]
            for unit in self.code_lists["unit"]
            if unit.dimension == indicator.dimension
        ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        # libyaml's loader: a national registry of partners reads 10x faster.
        return yaml.load(stream, Loader=yaml.CSafeLoader)


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


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        nested = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = _merged(base[key], value) if nested else value
    return merged


def _profiles(directory: Path) -> dict[str, MappingProfile]:
    """The profiles of ``directory``; one that ``extends`` another is that profile with
    its own keys laid over (key by key in mappings, whole otherwise)."""
    documents = {path.stem: _read_yaml(path) for path in sorted(directory.glob("*.yaml"))}

    def resolved(document: dict[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
        parent = document.get("extends")
        if parent is None:
            return document
        if parent in seen or parent not in documents:
            raise ValueError(f"profile {document.get('id')} extends unknown or circular {parent}")
        own = {key: value for key, value in document.items() if key != "extends"}
        return _merged(resolved(documents[parent], (*seen, parent)), own)

    profiles = [
        MappingProfile.model_validate(resolved(document, (name,)))
        for name, document in documents.items()
    ]
    return {profile.id: profile for profile in profiles}


def load_reference_data(directory: Path, factors_extension: Path | None = None) -> ReferenceData:
    """Read and check the reference files of ``directory``; raise on any malformed row.

    ``factors_extension`` replaces or adds emission factors and activities.
    """
    targets = TypeAdapter(tuple[PlanTarget, ...]).validate_python(
        _read_csv(directory / "plan_targets.csv")
    )
    # Optional: a territory may not have entered its observed inventory yet.
    inventory = directory / "observed_inventory.csv"
    observed = TypeAdapter(tuple[ObservedPoint, ...]).validate_python(
        _read_csv(inventory) if inventory.is_file() else []
    )
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
    profiles = _profiles(directory / "profiles")
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
        observed_inventory=observed,
        code_lists=code_lists,
        emission_factors=referential,
        profiles=profiles,
    )
