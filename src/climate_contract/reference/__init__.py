"""Reference data the steward keeps in files: partners, campaigns, plan targets, code lists."""

from climate_contract.reference.model import (
    Activity,
    Campaign,
    CodeValue,
    EmissionFactor,
    FactorReferential,
    FieldSource,
    FundingGroup,
    MappingProfile,
    ObservedPoint,
    Partner,
    PlanTarget,
    ReferenceData,
    ReferenceFileError,
    ReferenceProblem,
    UnknownReference,
    load_reference_data,
)

__all__ = [
    "Activity",
    "Campaign",
    "CodeValue",
    "EmissionFactor",
    "FactorReferential",
    "FieldSource",
    "FundingGroup",
    "MappingProfile",
    "ObservedPoint",
    "Partner",
    "PlanTarget",
    "ReferenceData",
    "ReferenceFileError",
    "ReferenceProblem",
    "UnknownReference",
    "load_reference_data",
]
