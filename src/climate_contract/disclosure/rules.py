"""The publication rules the steward sets (``plan`` says how they apply)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisclosureRules:
    min_partners: int
    dominance_share: float
    protection_share: float
