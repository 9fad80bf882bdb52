"""Build the warehouse's models (the dbt project in ``sql/``) and read its marts."""

from climate_contract.lazy import lazy_surface

__all__, __getattr__ = lazy_surface(
    __name__,
    {
        "documentation": ("docs_site", "render_documents"),
        "marts": (
            "Build",
            "MartDescription",
            "UnknownMart",
            "build_models",
            "mart_descriptions",
            "mart_names",
            "marts_shown",
            "publish_build",
            "query_model",
            "read_mart",
        ),
        "project": ("DbtFailed", "Project"),
    },
)
