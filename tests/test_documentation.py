"""The documents of docs/ that describe the models are generated from the dbt
project: a description changed in one place reaches them all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from climate_contract import aggregate
from climate_contract.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_data_dictionary_and_worked_example_are_the_dbt_docs(tmp_path: Path) -> None:
    project = aggregate.Project(Settings(data_dir=tmp_path))
    manifest = project.parse(project.variables("", date.today()))

    documents = aggregate.render_documents(manifest)

    assert set(documents) == {"marts.md", "worked-example.md"}
    for name, text in documents.items():
        committed = (DOCS / name).read_text(encoding="utf-8")
        assert committed == text, f"docs/{name} is not the dbt docs: run `climate-contract docs`"
    for mart in aggregate.mart_names():
        assert f"### `{mart}`" in documents["marts.md"]
