from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Partner(_Record):
    id: str
    name: str
    college: Literal["entreprise", "organisme_public", "association", "institution"]
    campaigns: tuple[str, ...]
    contact: str


class Campaign(_Record):
    id: str
    opens_on: date
    deadline: date


class PlanTarget(_Record):
    plan: str
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
    unit: str | None = None


@dataclass(frozen=True)
class ReferenceData:
    partners: tuple[Partner, ...]
    campaigns: tuple[Campaign, ...]
    plan_targets: tuple[PlanTarget, ...]
    code_lists: dict[str, tuple[CodeValue, ...]]

    def codes(self, list_name: str) -> list[str]:
        return [value.code for value in self.code_lists[list_name]]

    @cached_property
    def partner_ids(self) -> frozenset[str]:
        return frozenset(partner.id for partner in self.partners)

    def partner(self, partner_id: str) -> Partner:
        return next(partner for partner in self.partners if partner.id == partner_id)


def _read_yaml(path: Path, shape: Any) -> Any:
    with path.open(encoding="utf-8") as stream:
        return TypeAdapter(shape).validate_python(yaml.safe_load(stream))


def load_reference_data(directory: Path) -> ReferenceData:
    """Read and check the reference files of ``directory``; raise on any malformed row."""
    with (directory / "plan_targets.csv").open(encoding="utf-8", newline="") as stream:
        targets = TypeAdapter(tuple[PlanTarget, ...]).validate_python(list(csv.DictReader(stream)))
    return ReferenceData(
        partners=_read_yaml(directory / "partners.yaml", tuple[Partner, ...]),
        campaigns=_read_yaml(directory / "campaigns.yaml", tuple[Campaign, ...]),
        plan_targets=targets,
        code_lists=_read_yaml(directory / "code_lists.yaml", dict[str, tuple[CodeValue, ...]]),
    )
