from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from climate_contract.reference import load_reference_data
from climate_contract.samples import sample_rows, write_sample_inbox
from climate_contract.settings import PROJECT_ROOT, Settings


def test_defaults_put_everything_under_the_data_directory(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLIMATE_CONTRACT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)

    settings = Settings()

    assert settings.data_dir == tmp_path / "data"
    assert settings.shared_root == tmp_path / "data" / "shared"
    assert settings.url == f"duckdb:///{tmp_path / 'data' / 'warehouse.duckdb'}"
    assert settings.shared_folder("quarantine", "chu") == tmp_path / "data/shared/quarantine/chu"
    assert settings.reference_dir == PROJECT_ROOT / "reference"


def test_environment_overrides_the_config_file_which_overrides_defaults(
    monkeypatch, tmp_path: Path
) -> None:
    config = tmp_path / "climate-contract.toml"
    config.write_text(
        'campaign = "2027"\nshared_root = "/srv/partages"\n'
        'warehouse_url = "postgresql+psycopg://loader@db/warehouse"\n'
    )
    monkeypatch.setenv("CLIMATE_CONTRACT_CONFIG", str(config))
    monkeypatch.setenv("CLIMATE_CONTRACT_CAMPAIGN", "2028")

    settings = Settings()

    assert settings.campaign == "2028"
    assert settings.shared_root == Path("/srv/partages")
    assert settings.url == "postgresql+psycopg://loader@db/warehouse"


def test_an_unknown_setting_in_the_config_file_is_refused(monkeypatch, tmp_path: Path) -> None:
    config = tmp_path / "climate-contract.toml"
    config.write_text('campain = "2027"\n')
    monkeypatch.setenv("CLIMATE_CONTRACT_CONFIG", str(config))

    with pytest.raises(ValueError, match="campain"):
        Settings()


def test_reference_files_load_with_eighteen_sample_partners(reference) -> None:
    assert len(reference.partners) == 18
    assert all("(exemple)" in partner.name for partner in reference.partners)
    assert {c.id for c in reference.campaigns} == {"2025", "2026"}
    assert "ges_evites" in reference.codes("indicator")
    assert all("SAMPLE" in target.note for target in reference.plan_targets)


def test_a_malformed_reference_file_is_refused(tmp_path: Path) -> None:
    for name in (
        "partners.yaml",
        "campaigns.yaml",
        "plan_targets.csv",
        "code_lists.yaml",
        "emission_factors.yaml",
    ):
        (tmp_path / name).write_bytes((PROJECT_ROOT / "reference" / name).read_bytes())
    (tmp_path / "partners.yaml").write_text(
        "- {id: x, name: X, college: club, campaigns: [], contact: x}\n"
    )

    with pytest.raises(ValueError, match="college"):
        load_reference_data(tmp_path)


def test_samples_are_deterministic_and_labelled(tmp_path: Path, reference) -> None:
    assert sample_rows("chu", "2026") == sample_rows("chu", "2026")
    assert sample_rows("chu", "2026") != sample_rows("chu", "2025")

    written = write_sample_inbox(tmp_path, reference, "2026")

    assert len(written) == 18
    assert {p.suffix for p in written} == {".xlsx", ".ods", ".csv"}
    assert {p.parent.name for p in written} == {p.id for p in reference.partners}
    first_xlsx = next(p for p in written if p.suffix == ".xlsx")
    assert "EXEMPLE" in openpyxl.load_workbook(first_xlsx)["Instructions"]["A1"].value
    shared = [
        (p.parent.name, a["role"])
        for p in written
        for a in sample_rows(p.parent.name, "2026")["actions"]
        if a["shared_project_key"] == "PP-COURS-OASIS"
    ]
    assert sorted(shared) == [("bailleur-social", "porteur"), ("eau-assainissement", "cofinanceur")]
