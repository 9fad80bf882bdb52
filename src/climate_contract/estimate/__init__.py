"""Convert activity data into tCO2e avoided per year with the emission-factor referential."""

from climate_contract.estimate.emissions import (
    ESTIMATE_COLUMNS,
    compare_with_declared,
    estimate_emissions,
)

__all__ = ["ESTIMATE_COLUMNS", "compare_with_declared", "estimate_emissions"]
