"""Build the warehouse's models (the dbt project in ``sql/``) and read its marts."""

from climate_contract.aggregate.documentation import docs_site, render_documents
from climate_contract.aggregate.marts import (
    Build,
    build_models,
    mart_names,
    publish_build,
    query_model,
    read_mart,
)
from climate_contract.aggregate.project import DbtFailed, Project

__all__ = [
    "Build",
    "DbtFailed",
    "Project",
    "build_models",
    "docs_site",
    "mart_names",
    "publish_build",
    "query_model",
    "read_mart",
    "render_documents",
]
