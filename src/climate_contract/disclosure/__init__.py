"""Disclosure control: confidential figures are published only pooled, where no
partner's figure can be derived from everything published together."""

from climate_contract.lazy import lazy_surface

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "audit": ("FIGURES", "POOL", "Audit", "audit_publication", "lineage"),
        "contributions": ("CONTRIBUTION_MODELS",),
        "plan": ("plan_withheld_cells",),
        "rules": ("DisclosureRules",),
    },
)
