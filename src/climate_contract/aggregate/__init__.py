"""Build the analyst marts from the SQL models in ``sql/marts/``."""

from climate_contract.aggregate.marts import (
    build_marts,
    duplicate_keys,
    mart_key,
    mart_names,
    query_model,
    read_mart,
)

__all__ = ["build_marts", "duplicate_keys", "mart_key", "mart_names", "query_model", "read_mart"]
