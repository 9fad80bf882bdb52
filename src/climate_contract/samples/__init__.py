"""Deterministic SAMPLE partner workbooks: invented figures, for demos and tests."""

from climate_contract.samples.generator import sample_rows, write_sample_inbox

__all__ = ["sample_rows", "write_sample_inbox"]
