"""The models' documentation, generated from the dbt project (its doc blocks and
the descriptions of ``_*.yml``): the data dictionary ``docs/marts.md``, the worked
example, and the dbt docs site published with the marts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from climate_contract.aggregate.project import PROJECT_NAME, Project
from climate_contract.settings import Settings
from climate_contract.warehouse import LIVE_MODELS

if TYPE_CHECKING:
    from dbt.contracts.graph.manifest import Manifest

DOCUMENTS = {"marts.md": "__overview__", "worked-example.md": "worked_example"}
"""The files of ``docs/`` generated from the project, by the doc block each opens with."""


def render_documents(manifest: Manifest) -> dict[str, str]:
    """Each generated file of ``docs/`` by name: its doc block, and for the marts
    the dictionary of every mart and column."""
    documents = {name: _block(manifest, block) for name, block in DOCUMENTS.items()}
    documents["marts.md"] += _dictionary(manifest)
    return documents


def write_documents(settings: Settings, folder: Path) -> list[Path]:
    """Regenerate the files of ``docs/`` in ``folder``; return them."""
    project = Project(settings)
    manifest = project.parse(project.variables(LIVE_MODELS.prefix, date.today()))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_documents(manifest).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def docs_site(settings: Settings) -> bytes:
    """dbt's documentation site of the live models, as one self-contained page.
    Generated again only when the project changed: it describes the models and
    their columns, not the data."""
    project = Project(settings)
    generated = project.work_dir / f"docs-{project.digest()}.html"
    if not generated.is_file():
        project.invoke(
            ["docs", "generate", "--static"], project.variables(LIVE_MODELS.prefix, date.today())
        )
        site = project.target_dir(LIVE_MODELS.prefix) / "static_index.html"
        for older in project.work_dir.glob("docs-*.html"):
            older.unlink()
        site.replace(generated)
    return generated.read_bytes()


def _block(manifest: Manifest, name: str) -> str:
    return manifest.docs[f"doc.{PROJECT_NAME}.{name}"].block_contents.strip() + "\n"


def _dictionary(manifest: Manifest) -> str:
    models = sorted(
        (node for node in manifest.nodes.values() if node.resource_type == "model"),
        key=lambda node: node.name,
    )
    lines = [
        "",
        "## The marts, column by column",
        "",
        "Generated from the dbt project (`sql/models/marts/_marts.yml`); the same",
        "descriptions are the comments of the tables and columns in the database.",
    ]
    for node in models:
        if node.config.schema != "marts":
            continue
        lines += ["", f"### `{node.name}`", "", node.description.strip(), ""]
        lines += ["| column | meaning |", "|---|---|"]
        lines += [
            f"| `{name}` | {column.description.strip()} |" for name, column in node.columns.items()
        ]
    lines += [
        "",
        "## Intermediate models",
        "",
        "Schema `intermediate`, for the steward (lineage, disclosure plan and audit).",
        "",
    ]
    lines += [
        f"- `{node.name}`: {node.description.strip()}"
        for node in models
        if node.config.schema == "intermediate"
    ]
    return "\n".join(lines) + "\n"
