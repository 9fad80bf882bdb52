"""One settings object, read from environment variables and an optional TOML file.

Precedence, highest first: explicit arguments, ``CLIMATE_CONTRACT_*`` environment
variables, the TOML file named by ``CLIMATE_CONTRACT_CONFIG``, the defaults below.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from climate_contract.layout import BUNDLED_FOLDERS, BUNDLED_PROJECT
from climate_contract.wording import Language


def project_root() -> Path:
    """The folder that holds ``sql/`` (the dbt project), ``expectations/`` (the GX
    suites) and ``reference/`` (the default reference data): their copy inside the
    installed package when it has one (``layout``), else the root of the source
    checkout the package is in (an editable install, or ``src`` on the path)."""
    package = resources.files("climate_contract")
    # dbt and the reference loader read folders: the package must be files on disk
    # (as pip and uv install a wheel), not inside a zip.
    if not isinstance(package, Path):
        raise RuntimeError(f"climate_contract must be installed as files, not in {package}")
    bundled = package / BUNDLED_PROJECT
    if bundled.is_dir():
        return bundled
    checkout = package.resolve().parents[1]
    if not all((checkout / folder).is_dir() for folder in BUNDLED_FOLDERS):
        raise RuntimeError(
            f"{package} has no {BUNDLED_PROJECT}/ folder and is not in a source checkout: "
            "install a wheel built by the project's setup.py"
        )
    return checkout


def is_shipped(path: Path) -> bool:
    """Whether ``path`` lies in the installed package's own copy of the project
    folders: files an upgrade replaces, never the steward's to edit."""
    bundled = resources.files("climate_contract") / BUNDLED_PROJECT
    return isinstance(bundled, Path) and path.resolve().is_relative_to(bundled.resolve())


PROJECT_ROOT = project_root()
"""Once installed, only the ``layout.BUNDLED_FOLDERS`` are there: not ``dags/``,
``docs/`` or the deployment files, which only a checkout has."""
SQL_DIR = PROJECT_ROOT / "sql"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "reference"

SharedArea = Literal["inbox", "archive", "quarantine", "outbox"]


class MissingConfigFile(ValueError):
    """CLIMATE_CONTRACT_CONFIG names a file that is not there: never run on defaults
    the steward did not mean."""

    def __init__(self, config_file: str) -> None:
        super().__init__(f"CLIMATE_CONTRACT_CONFIG names {config_file}, which is not a file")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLIMATE_CONTRACT_", extra="forbid")

    data_dir: Path = Field(
        default=Path("data"), description="Where the embedded defaults keep their state."
    )
    shared_root: Path | None = Field(
        default=None,
        description="Root of the partners' shared folders; defaults to <data_dir>/shared.",
    )
    warehouse_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the warehouse; defaults to a DuckDB file in data_dir.",
    )
    campaign: str = Field(default="2026", description="The campaign files are collected for.")
    reference_dir: Path = Field(
        default=DEFAULT_REFERENCE_DIR,
        description="Partners registry, campaigns, plan targets and code lists.",
    )
    emission_factors_extension: Path | None = Field(
        default=None,
        description="A file shaped like reference/emission_factors.yaml that replaces or adds "
        "factors and activities.",
    )
    estimate_tolerance: float = Field(
        default=0.3,
        ge=0,
        description="Relative gap between a declared tCO2e and its estimate that warrants a "
        "warning to the partner.",
    )
    confidentiality_min_partners: int = Field(
        default=3,
        ge=1,
        description="Confidential figures are published only pooled, and a pooled figure "
        "only if it rests on at least this many partners.",
    )
    confidentiality_dominance_share: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="A pooled confidential figure is withheld if one partner makes more than "
        "this share of it.",
    )
    confidentiality_protection_share: float = Field(
        default=0.25,
        ge=0,
        description="No partner's confidential figure may be derivable from everything "
        "published to within this share of its value, either way: the disclosure audit "
        "fails the build otherwise.",
    )
    max_file_megabytes: float = Field(
        default=20, gt=0, description="A larger partner file is rejected unread."
    )
    max_rows_per_sheet: int = Field(
        default=20_000, ge=1, description="A sheet with more rows is rejected."
    )
    max_read_megabytes: int = Field(
        default=4096,
        ge=512,
        description="Address space the child process reading one partner file may use; "
        "a file that needs more is answered, not read.",
    )
    max_read_seconds: float = Field(
        default=300, gt=0, description="Time reading and checking one partner file may take."
    )
    settle_seconds: float = Field(
        default=60,
        ge=0,
        description="A file is picked up once unmodified for this long (partners may still "
        "be copying it).",
    )
    files_per_task: int = Field(
        default=20, ge=1, description="Files one mapped Airflow task processes, one by one."
    )
    campaign_monitoring_days_after_deadline: int = Field(
        default=60,
        ge=0,
        description="How long after its deadline a campaign is still watched daily.",
    )
    smtp_conn_id: str = Field(
        default="climate_contract_smtp",
        description="Airflow connection for reminder e-mails; none configured, none sent.",
    )
    report_languages: list[Language] = Field(
        default=["fr"],
        min_length=1,
        description="Languages the campaign report for elected officials is written in, "
        "at each publication (fr, en).",
    )
    collection_schedule: str | None = Field(
        default="*/5 * * * *", description="Cron schedule of the partner_collection DAG."
    )

    @model_validator(mode="after")
    def _derive_locations(self) -> Settings:
        self.data_dir = self.data_dir.resolve()
        if self.shared_root is None:
            self.shared_root = self.data_dir / "shared"
        if self.warehouse_url is None:
            self.warehouse_url = f"duckdb:///{self.data_dir / 'warehouse.duckdb'}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = os.environ.get("CLIMATE_CONTRACT_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config_file:
            if not Path(config_file).is_file():
                raise MissingConfigFile(config_file)
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    def shared_folder(self, area: SharedArea, partner_id: str) -> Path:
        """The folder of one partner in one area of the shared root."""
        assert self.shared_root is not None
        return self.shared_root / area / partner_id

    @property
    def url(self) -> str:
        assert self.warehouse_url is not None
        return self.warehouse_url
