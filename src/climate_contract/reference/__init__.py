"""Reference data the steward keeps in files: partners, campaigns, plan targets, code lists."""

from climate_contract.reference.model import (
    Campaign,
    CodeValue,
    Partner,
    PlanTarget,
    ReferenceData,
    load_reference_data,
)

__all__ = [
    "Campaign",
    "CodeValue",
    "Partner",
    "PlanTarget",
    "ReferenceData",
    "load_reference_data",
]
