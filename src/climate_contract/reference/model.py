from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from climate_contract.parts import Part
from climate_contract.wording import Language, Wording

if TYPE_CHECKING:
    from climate_contract.reference.roadmap import Roadmap

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


_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _folder_name(given: str) -> str:
    if not _FOLDER_NAME.fullmatch(given):
        raise ValueError(
            f"{given!r} cannot be an id: ids name folders and files, so they are letters, "
            "digits, '-', '_' and '.' (not first), e.g. chu or 2026"
        )
    return given


Identifier = Annotated[str, AfterValidator(_folder_name)]
"""A partner's or a campaign's id: also the name of its folders and part of file names."""


def _in_contract_years(given: date) -> date:
    from climate_contract.contract import CONTRACT_YEARS

    if not CONTRACT_YEARS.minimum <= given.year <= CONTRACT_YEARS.maximum:
        raise ValueError(
            f"{given} is outside the contract's years ({CONTRACT_YEARS.minimum:g} to "
            f"{CONTRACT_YEARS.maximum:g})"
        )
    return given


class Partner(_Record):
    id: Identifier
    name: str
    college: Literal["entreprise", "organisme_public", "association", "institution"]
    campaigns: tuple[Identifier, ...]
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
    contract_signed_on: Annotated[date, AfterValidator(_in_contract_years)] | None = None
    """The day the partner signed its engagement contract with the territory: the
    roadmap's contracts-signed indicator counts the partners signed by each year's end."""


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


def _listed_once(given: Any) -> Any:
    """A list of names, each once; ``parts:`` written with nothing after it is none,
    and one name written alone (``parts: jobs``) is a list of one."""
    if given is None:
        return ()
    if isinstance(given, str):
        return (given,)
    if isinstance(given, list | tuple):
        repeated = sorted({name for name in given if list(given).count(name) > 1}, key=str)
        if repeated:
            raise ValueError(f"{', '.join(map(str, repeated))} given twice")
    return given


class Campaign(_Record):
    id: Identifier
    opens_on: date
    deadline: date
    contact: str | None = None
    """Whom partners ask about the campaign (the steward's team, e-mail, phone), as
    their template shows it; optional, so that older campaign files still load."""
    closed_on: date | None = None
    """The last day files count for it (``campaign close``): a file dropped later is
    refused, so figures the officials have seen do not move; no reminder after it."""
    parts: Annotated[tuple[Part, ...], BeforeValidator(_listed_once)] = ()
    """The optional parts of the contract the campaign collects (``parts.Part``)."""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if self.deadline < self.opens_on:
            raise ValueError(f"deadline {self.deadline} comes before opens_on {self.opens_on}")
        if self.closed_on is not None and self.closed_on < self.opens_on:
            raise ValueError(f"closed_on {self.closed_on} comes before opens_on {self.opens_on}")
        return self


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


_INSEE_CODE = r"^(?:\d{5}|2[AB]\d{3})$"


def _named(given: str) -> str:
    if not any(char.isalnum() for char in given):
        raise ValueError(f"{given!r} names no commune: a name has letters")
    return given


class Commune(_Record):
    """A commune of the territory's region, as ``reference/communes.csv`` gives it
    (INSEE's official geography): what an action's ``Commune`` cell is read as."""

    code: Annotated[str, StringConstraints(pattern=_INSEE_CODE)]
    """The INSEE code (code officiel géographique): five digits, e.g. 21231, or 2A/2B
    and three digits in Corsica."""
    name: Annotated[str, AfterValidator(_named)]
    postal_codes: str = ""
    """Its postal codes, separated by spaces: typed instead of its code, they are
    told apart from the INSEE codes they may equal (21300 is Chenôve's postal code
    and another commune's INSEE code)."""
    epci_code: str = ""
    """The SIREN of the intercommunality (EPCI) the commune belongs to."""
    epci_name: str = ""


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
    communes: tuple[Commune, ...] = ()
    roadmap: Roadmap | None = None
    """The territory's roadmap (``reference/roadmap.yaml``), None where it keeps none."""

    def commune(self, typed: str) -> Commune | None:
        """The commune a partner named by its INSEE code (``21231``; ``1053``, as a
        spreadsheet shows ``01053``) or its name in any case, with or without accents
        or punctuation; else by its postal code, if no other commune has that postal
        code or that INSEE code. None when no commune, or several, fit."""
        return self._communes_by_key.get(self._commune_key(typed))

    def communes_by_postal_code(self, typed: str) -> tuple[Commune, ...]:
        """The communes whose postal code ``typed`` is: what a partner may have meant
        by a number that is also another commune's INSEE code."""
        return self._postal_codes.get(self._commune_key(typed), ())

    @staticmethod
    def _commune_key(typed: str) -> str:
        from climate_contract.parse.values import name_key

        key = name_key(typed)
        return f"0{key}" if key.isdigit() and len(key) == len("1053") else key

    @cached_property
    def _postal_codes(self) -> dict[str, tuple[Commune, ...]]:
        having: dict[str, list[Commune]] = {}
        for commune in self.communes:
            for postal_code in commune.postal_codes.split():
                having.setdefault(postal_code, []).append(commune)
        return {postal_code: tuple(found) for postal_code, found in having.items()}

    @cached_property
    def _communes_by_key(self) -> dict[str, Commune]:
        from climate_contract.parse.values import name_key

        named: dict[str, list[Commune]] = {}
        for commune in self.communes:
            named.setdefault(name_key(commune.name), []).append(commune)
        fitting = {
            key: found
            for key, found in [*named.items(), *self._postal_codes.items()]
            if len(found) == 1
        }
        codes = {commune.code.casefold(): commune for commune in self.communes}
        return {key: found[0] for key, found in fitting.items()} | codes

    def codes(self, list_name: str) -> list[str]:
        return [value.code for value in self.code_lists[list_name]]

    @cached_property
    def _code_values(self) -> dict[tuple[str, str], CodeValue]:
        return {(name, v.code): v for name, values in self.code_lists.items() for v in values}

    def code_value(self, list_name: str, code: str) -> CodeValue | None:
        return self._code_values.get((list_name, code))

    @cached_property
    def partner_ids(self) -> frozenset[str]:
        return frozenset(self._partners_by_id)

    @cached_property
    def _partners_by_id(self) -> dict[str, Partner]:
        return {partner.id: partner for partner in self.partners}

    def expected_in(self, campaign_id: str) -> tuple[Partner, ...]:
        """The partners expected in the declared campaign ``campaign_id``."""
        self.campaign(campaign_id)  # UnknownReference names the declared ones
        return tuple(partner for partner in self.partners if campaign_id in partner.campaigns)

    def partner(self, partner_id: str) -> Partner:
        """The partner ``partner_id``, found at once: it is asked for per file and
        per follow-up row, with thousands of partners nationally."""
        if partner_id in self._partners_by_id:
            return self._partners_by_id[partner_id]
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
    # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte order mark.
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return next(csv.reader(stream), [])


class ReferenceLoader(yaml.CSafeLoader):
    """libyaml's loader (a national registry of partners reads 10x faster), with a
    date that is no calendar day (2026-02-30) kept as text: the model then says
    where it is written, rather than the loader failing without a line; and a key
    written twice in one mapping refused where it is written again, where YAML
    would keep the last silently (``{1: 5, 1: 7}``, a partner's id twice)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)  # which says what it found
        seen: set[Any] = set()
        # The keys written in the entry: a merged one (<<: *anchor) may be overridden.
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # the model refuses such a key, with its line
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key} given twice in the same entry", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _timestamp_or_text(loader: ReferenceLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


ReferenceLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=ReferenceLoader)


@dataclass(frozen=True)
class ReferenceProblem:
    """One mistake in a reference file, where the steward finds it."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ReferenceFileError(ValueError):
    """The reference files hold mistakes: every one found, each with its file and line."""

    def __init__(self, problems: list[ReferenceProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


Location = tuple[str | int, ...]


class _Reading:
    """Reads the reference files and gathers every mistake rather than stopping at
    the first: the steward fixes them all in one pass."""

    def __init__(self) -> None:
        self.problems: list[ReferenceProblem] = []
        self._written: dict[Path, yaml.Node | list[int] | None] = {}

    def report(self, path: Path, location: Location, message: str) -> None:
        if path not in self._written:
            self._written[path] = _written_layout(path)
        line = _line_of(self._written[path], location)
        self.problems.append(ReferenceProblem(path, line, message))

    def document(self, path: Path) -> Any:
        """The file's content, or None when it cannot be read (the problem noted)."""
        try:
            document = _read_csv(path) if path.suffix == ".csv" else _read_yaml(path)
            if document is None:
                self.problems.append(ReferenceProblem(path, None, "empty (or only comments)"))
            return document
        except FileNotFoundError:
            self.problems.append(ReferenceProblem(path, None, "file missing"))
        except yaml.MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else None
            said = f"not valid YAML: {error.problem}"
            if error.context_mark is not None:
                # An unclosed bracket is found where the file ends: say where it opened.
                said += f" ({error.context} started on line {error.context_mark.line + 1})"
            self.problems.append(ReferenceProblem(path, line, said))
        except (UnicodeDecodeError, csv.Error) as error:
            self.problems.append(ReferenceProblem(path, None, f"unreadable: {error}"))
        return None

    def validated(self, shape: Any, data: Any, path: Path) -> Any:
        """``data`` as ``shape``, or None when it does not fit (each mistake noted)."""
        try:
            return TypeAdapter(shape).validate_python(data)
        except ValidationError as error:
            for detail in error.errors():
                location = tuple(detail["loc"])
                self.report(path, location, f"{_label(data, location)}: {_said(detail)}")
            return None

    def read(self, shape: Any, path: Path) -> Any:
        document = self.document(path)
        if document is None or (path.suffix == ".csv" and not self._header_fits(shape, path)):
            return None
        return self.validated(shape, document, path)

    def _header_fits(self, shape: Any, path: Path) -> bool:
        """Whether a CSV's header names its record's fields: else one problem for the
        file, not one for every row (a semicolon-separated file, say)."""
        (record,) = {argument for argument in shape.__args__ if argument is not Ellipsis}
        fields = record.model_fields
        header = _csv_header(path)
        lacking = [
            name for name, field in fields.items() if field.is_required() and name not in header
        ]
        unknown = [name for name in header if name not in fields]
        if not lacking and not unknown:
            return True
        said = ", ".join(
            [
                *(f"no column {name!r}" for name in lacking),
                *(f"unknown column {name!r}" for name in unknown),
            ]
        )
        self.problems.append(
            ReferenceProblem(
                path, 1, f"header: {said} (columns, separated by commas: {', '.join(fields)})"
            )
        )
        return False


def _label(data: Any, location: Location) -> str:
    """The location as the steward names it: an entry by its id or code, not its index."""
    parts = []
    for part in location:
        item = None
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            item = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            item = data.get(part)
        if isinstance(part, int):
            named = item.get("id", item.get("code")) if isinstance(item, dict) else None
            parts.append(str(named) if named is not None else f"#{part + 1}")
        else:
            parts.append(part)
        data = item
    return ".".join(parts) or "(whole file)"


def _said(detail: Any) -> str:
    if detail["type"] == "value_error":
        return str(detail["ctx"]["error"])  # our own validator's sentence, as written
    given = detail.get("input")
    if detail["type"] != "missing" and isinstance(given, str | int | float | bool):
        return f"{detail['msg']} (given {given!r})"
    return str(detail["msg"])


def _written_layout(path: Path) -> yaml.Node | list[int] | None:
    """Where things are written in ``path``: its YAML node tree, or the line each data
    row of a CSV file starts on (a quoted value may span lines); None if unreadable."""
    try:
        if path.suffix != ".csv":
            return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream)
            next(reader, None)
            starts, end = [], reader.line_num
            for _ in reader:
                starts.append(end + 1)
                end = reader.line_num
            return starts
    except (OSError, UnicodeDecodeError, csv.Error, yaml.YAMLError):
        return None


def _line_of(written: yaml.Node | list[int] | None, location: Location) -> int | None:
    """The line where ``location`` (indexes and keys) is written, or the line of its
    closest written parent."""
    if isinstance(written, list):
        row = location[0] if location else None
        return written[row] if isinstance(row, int) and row < len(written) else None
    node, line = written, None
    for part in location:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == str(part)), None)
        else:
            node = None
    return node.start_mark.line + 1 if node is not None else line


class _FactorDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    factors: tuple[EmissionFactor, ...]
    activities: tuple[Activity, ...]


def _factor_referential(
    reading: _Reading, base: Path, extension: Path | None
) -> FactorReferential | None:
    documents = [base] if extension is None else [base, extension]
    factors: dict[str, EmissionFactor] = {}
    activities: dict[str, tuple[Activity, Path, int]] = {}
    versions = []
    for path in documents:
        document = reading.read(_FactorDocument, path)
        if document is None:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
        versions.append(f"{document.version}#{digest}")
        factors.update((factor.code, factor) for factor in document.factors)
        for index, activity in enumerate(document.activities):
            activities[activity.code] = (activity, path, index)
    for activity, path, index in activities.values():
        used = [activity.factor] + ([activity.replacement] if activity.replacement else [])
        missing = [code for code in used if code not in factors]
        location = ("activities", index, "factor")
        if missing:
            reading.report(path, location, f"{activity.code} names unknown factors {missing}")
        elif len({factors[code].unit for code in used}) > 1:
            reading.report(path, location, f"{activity.code} compares factors of different units")
    if len(versions) < len(documents):
        return None
    return FactorReferential(
        "+".join(versions),
        factors,
        {code: activity for code, (activity, _, _) in activities.items()},
    )


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        nested = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = _merged(base[key], value) if nested else value
    return merged


def _profiles(reading: _Reading, directory: Path) -> dict[str, MappingProfile]:
    """The profiles of ``directory``; one that ``extends`` another is that profile with
    its own keys laid over (key by key in mappings, whole otherwise)."""
    paths = {path.stem: path for path in sorted(directory.glob("*.yaml"))}
    documents = {name: reading.document(path) for name, path in paths.items()}

    def resolved(document: dict[str, Any], seen: tuple[str, ...]) -> dict[str, Any] | None:
        parent = document.get("extends")
        if parent is None:
            return document
        if parent in seen or not isinstance(documents.get(parent), dict):
            reading.report(paths[seen[-1]], ("extends",), f"extends unknown or circular {parent}")
            return None
        own = {key: value for key, value in document.items() if key != "extends"}
        base = resolved(documents[parent], (*seen, parent))
        return None if base is None else _merged(base, own)

    profiles = {}
    for name, document in documents.items():
        if not isinstance(document, dict):
            if document is not None:
                reading.report(paths[name], (), "a profile is a mapping of keys")
            continue
        whole = resolved(document, (name,))
        profile = None if whole is None else reading.validated(MappingProfile, whole, paths[name])
        if profile is not None:
            profiles[profile.id] = profile
    return profiles


def _required_code_lists(campaigns: tuple[Campaign, ...]) -> set[str]:
    """The code lists the sheets and columns the campaigns collect name: a part no
    campaign turns on needs none of its own."""
    from climate_contract.contract import sheets_for

    parts = {part for campaign in campaigns for part in campaign.parts}
    named = {column.code_list for sheet in sheets_for(parts) for column in sheet.columns}
    return {name for name in named if name is not None} | {"indicator", "unit"}


def _check_code_lists(
    reading: _Reading,
    path: Path,
    code_lists: dict[str, tuple[CodeValue, ...]],
    campaigns: tuple[Campaign, ...],
) -> None:
    """Every list the campaigns need, none empty; in each list, each code and each
    label once (a partner picks a label, the warehouse keeps its code); a maturity
    level's code is its rank, a whole number from 1 written plainly, without gaps."""
    required = _required_code_lists(campaigns)
    for name in sorted(required - code_lists.keys()):
        reading.report(path, (), f"code list {name!r} missing")
    for name in sorted(required & code_lists.keys()):
        if not code_lists[name]:
            reading.report(path, (name,), f"code list {name!r} is empty")
    for name, values in code_lists.items():
        _check_told_apart(reading, path, values, name, within=(name,))
    ranks = []
    for index, value in enumerate(code_lists.get("maturity_level", ())):
        code = value.code
        if code.isascii() and code.isdigit() and code == str(int(code)) and int(code) >= 1:
            ranks.append(int(code))
        else:
            reading.report(
                path,
                ("maturity_level", index, "code"),
                f"{code}: a maturity level is a whole number from 1 (its rank on the scale)",
            )
    # The audit reasons on every whole level between the scale's ends: none may lack.
    if ranks and sorted(ranks) != list(range(min(ranks), min(ranks) + len(ranks))):
        reading.report(
            path,
            ("maturity_level",),
            f"the maturity levels {sorted(ranks)} skip a rank: number them 1, 2, 3...",
        )


def _roadmap(
    reading: _Reading, path: Path, code_lists: dict[str, tuple[CodeValue, ...]] | None
) -> Roadmap | None:
    """The roadmap, when the territory keeps one: levers and indicators each once, an
    indicator's lever declared, a lever's plan axes in the plan and each axis serving
    one lever at most (so that levers add up)."""
    from climate_contract.reference.roadmap import LEVER_MEASURES, Roadmap

    if not path.is_file():
        return None
    roadmap = reading.read(Roadmap, path)
    if roadmap is None:
        return None
    levers = [lever.code for lever in roadmap.levers]
    _check_ids_once(reading, path, levers, field="code", within=("levers",))
    # The steward picks an entered indicator by its label, as partners pick codes.
    _check_told_apart(reading, path, roadmap.indicators, "the indicators", within=("indicators",))
    mapped = {lever.code for lever in roadmap.levers if lever.plan_axes}
    for index, indicator in enumerate(roadmap.indicators):
        if indicator.measure in LEVER_MEASURES and indicator.lever in set(levers) - mapped:
            reading.report(
                path,
                ("indicators", index, "lever"),
                f"{indicator.code}.lever: {indicator.lever} maps no plan axis, so its "
                f"{indicator.measure} would always be 0: give the lever its plan_axes",
            )
        if indicator.lever is not None and indicator.lever not in levers:
            reading.report(
                path,
                ("indicators", index, "lever"),
                f"{indicator.code}.lever: unknown lever {indicator.lever!r} "
                f"(declared: {', '.join(levers) or 'none'})",
            )
    axes = {value.code for value in (code_lists or {}).get("plan_axis", ())}
    served: dict[str, str] = {}
    for index, lever in enumerate(roadmap.levers):
        for position, axis in enumerate(lever.plan_axes):
            where = ("levers", index, "plan_axes", position)
            if code_lists is not None and axis not in axes:
                reading.report(
                    path,
                    where,
                    f"{lever.code}.plan_axes: {axis!r} is not a plan axis of code_lists.yaml "
                    f"(axes: {', '.join(sorted(axes))})",
                )
            elif axis in served:
                reading.report(
                    path,
                    where,
                    f"{lever.code}.plan_axes: {axis!r} already serves the lever "
                    f"{served[axis]!r}: an axis serves one lever, so that levers add up",
                )
            served.setdefault(axis, lever.code)
    return roadmap


class _Coded(Protocol):
    code: str
    fr: str
    en: str


def _check_told_apart(
    reading: _Reading, path: Path, values: Sequence[_Coded], what: str, within: Location
) -> None:
    """Each value's code and labels name it alone, as they are read (in any case, with
    or without accents or a plural): a code or label that reads as another value's
    would file what is typed under the wrong code. Told where it is written again."""
    from climate_contract.parse.values import normalise_label

    owners: dict[str, int] = {}
    for index, value in enumerate(values):
        for field in ("code", "fr", "en"):
            given = getattr(value, field)
            owner = owners.setdefault(normalise_label(given), index)
            if owner != index:
                reading.report(path, (*within, index, field), f"{given}: given twice in {what}")


def _check_ids_once(
    reading: _Reading, path: Path, ids: list[str], field: str = "id", within: Location = ()
) -> None:
    """Each id once in its file (in its list ``within``, where the file holds several);
    a repeat is reported where it is written again."""
    seen: set[str] = set()
    for index, given in enumerate(ids):
        if given in seen:
            reading.report(path, (*within, index, field), f"{given}: {field} given twice")
        seen.add(given)


def _check_partners(
    reading: _Reading,
    path: Path,
    partners: tuple[Partner, ...],
    campaigns: tuple[Campaign, ...] | None,
    profiles: dict[str, MappingProfile],
) -> None:
    """What no single entry shows: ids given twice, campaigns and profiles that are
    not declared."""
    declared = None if campaigns is None else {campaign.id for campaign in campaigns}
    _check_ids_once(reading, path, [partner.id for partner in partners])
    for index, partner in enumerate(partners):
        unknown = sorted(set(partner.campaigns) - declared) if declared is not None else []
        if unknown:
            reading.report(
                path,
                (index, "campaigns"),
                f"{partner.id}.campaigns: {unknown} not declared in campaigns.yaml "
                f"(declared: {', '.join(sorted(declared or ()))})",
            )
        if partner.profile is not None and partner.profile not in profiles:
            reading.report(
                path,
                (index, "profile"),
                f"{partner.id}.profile: unknown mapping profile {partner.profile!r} "
                f"(known: {', '.join(sorted(profiles)) or 'none'})",
            )


def load_reference_data(directory: Path, factors_extension: Path | None = None) -> ReferenceData:
    """Read and check the reference files of ``directory``; raise
    ``ReferenceFileError`` naming every mistake with its file and line.

    ``factors_extension`` replaces or adds emission factors and activities.
    """
    reading = _Reading()
    targets = reading.read(tuple[PlanTarget, ...], directory / "plan_targets.csv")
    # Optional: a territory may not have entered its observed inventory yet.
    inventory = directory / "observed_inventory.csv"
    observed = reading.read(tuple[ObservedPoint, ...], inventory) if inventory.is_file() else ()
    # Optional too: without it, the communes partners name are kept as typed only.
    communes_path = directory / "communes.csv"
    communes = reading.read(tuple[Commune, ...], communes_path) if communes_path.is_file() else ()
    _check_ids_once(
        reading, communes_path, [commune.code for commune in communes or ()], field="code"
    )
    referential = _factor_referential(
        reading, directory / "emission_factors.yaml", factors_extension
    )
    profiles = _profiles(reading, directory / "profiles")
    campaigns_path = directory / "campaigns.yaml"
    campaigns = reading.read(tuple[Campaign, ...], campaigns_path)
    _check_ids_once(reading, campaigns_path, [campaign.id for campaign in campaigns or ()])
    code_lists_path = directory / "code_lists.yaml"
    code_lists = reading.read(dict[str, tuple[CodeValue, ...]], code_lists_path)
    if code_lists is not None:
        _check_code_lists(reading, code_lists_path, code_lists, campaigns or ())
    partners_path = directory / "partners.yaml"
    partners = reading.read(tuple[Partner, ...], partners_path)
    if partners is not None:
        _check_partners(reading, partners_path, partners, campaigns, profiles)
    roadmap = _roadmap(reading, directory / "roadmap.yaml", code_lists)
    if roadmap is None and not (directory / "roadmap.yaml").is_file():
        for index, campaign in enumerate(campaigns or ()):
            if "roadmap" in campaign.parts:
                reading.report(
                    campaigns_path,
                    (index, "parts"),
                    f"{campaign.id}.parts: roadmap needs the territory's roadmap, "
                    "reference/roadmap.yaml (see docs/contract-parts.md)",
                )
    if reading.problems:
        raise ReferenceFileError(reading.problems)
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
    if roadmap is not None:
        from climate_contract.contract import ROADMAP_INDICATOR_LIST

        code_lists[ROADMAP_INDICATOR_LIST] = tuple(
            CodeValue(code=indicator.code, fr=indicator.fr, en=indicator.en)
            for indicator in roadmap.entered
        )
    return ReferenceData(
        partners=partners,
        campaigns=campaigns,
        plan_targets=targets,
        observed_inventory=observed,
        communes=communes,
        code_lists=code_lists,
        emission_factors=referential,
        profiles=profiles,
        roadmap=roadmap,
    )
