"""Disclosure control: confidential figures are published only pooled, where no
partner's figure can be derived from everything published together."""

from climate_contract.disclosure.audit import FIGURES, Audit, audit_publication, lineage
from climate_contract.disclosure.contributions import CONTRIBUTION_MODELS, POOL
from climate_contract.disclosure.plan import DisclosureRules, plan_withheld_cells

__all__ = [
    "CONTRIBUTION_MODELS",
    "FIGURES",
    "POOL",
    "Audit",
    "DisclosureRules",
    "audit_publication",
    "lineage",
    "plan_withheld_cells",
]
