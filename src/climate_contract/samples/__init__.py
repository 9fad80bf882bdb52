"""Deterministic SAMPLE partner workbooks: invented figures, for demos and tests."""

from climate_contract.samples.generator import (
    PARTNER_ARCHETYPES,
    sample_rows,
    scaled_rows,
    write_sample_inbox,
)

__all__ = ["PARTNER_ARCHETYPES", "sample_rows", "scaled_rows", "write_sample_inbox"]
