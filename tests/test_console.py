"""The steward's console: every command through Click's runner, with its error paths.

Mistakes the steward can fix end in one line each that says where (file and line,
or the valid choices), never a traceback."""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import psycopg
import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from climate_contract import aggregate, pipeline, warehouse
from climate_contract.cli import app
from climate_contract.samples import sample_rows
from climate_contract.settings import PROJECT_ROOT, Settings
from climate_contract.template import write_workbook
from tests.conftest import POSTGRES_ADMIN_DSN, postgres_database

UNKNOWN_AXIS = "pas_un_axe"


@dataclass(frozen=True)
class Collected:
    settings: Settings
    env: dict[str, str]
    rejected_workbook: Path


def _env(settings: Settings) -> dict[str, str]:
    return {
        "CLIMATE_CONTRACT_DATA_DIR": str(settings.data_dir),
        "CLIMATE_CONTRACT_REFERENCE_DIR": str(settings.reference_dir),
        "CLIMATE_CONTRACT_SETTLE_SECONDS": "0",
        "CLIMATE_CONTRACT_CONFIG": "",
    }


def _invoke(env: dict[str, str], *args: str):
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result


def _settings_on_copied_reference(tmp_path: Path) -> Settings:
    reference_dir = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", reference_dir)
    return Settings(data_dir=tmp_path / "data", reference_dir=reference_dir, settle_seconds=0)


def _drop_sample(settings: Settings, reference, partner_id: str) -> Path:
    """The partner's sample workbook of 2026, dropped into its inbox."""
    inbox = settings.shared_folder("inbox", partner_id)
    return write_workbook(
        inbox / "plan.xlsx", reference, partner_id, "2026", sample_rows(partner_id, "2026")
    )


def _line_holding(path: Path, text: str) -> int:
    """The line number of ``path`` where ``text`` is written, read from the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    (number,) = [number for number, line in enumerate(lines, 1) if text in line]
    return number


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory, reference) -> Iterator[Collected]:
    """A 2026 collection after its deadline: chu accepted, opera rejected (an axis
    the plan does not have), the sixteen others sent nothing."""
    settings = _settings_on_copied_reference(tmp_path_factory.mktemp("collected"))
    inbox = settings.shared_root / "inbox"
    write_workbook(
        inbox / "chu" / "plan.xlsx", reference, "chu", "2026", sample_rows("chu", "2026")
    )
    rows = sample_rows("opera", "2026")
    rows["actions"][0] = rows["actions"][0] | {"plan_axis": UNKNOWN_AXIS}
    rejected = write_workbook(inbox / "opera" / "plan.xlsx", reference, "opera", "2026", rows)
    kept = settings.data_dir.parent / "opera-plan.xlsx"
    shutil.copyfile(rejected, kept)
    pipeline.run_collection(settings)
    warehouse.engine_for(settings.url).dispose()
    return Collected(settings, _env(settings), kept)


def test_status_says_who_is_up_to_date_rejected_or_late_any_day(collected: Collected) -> None:
    result = _invoke(collected.env, "status", "--campaign", "2026", "--json")
    assert result.exit_code == 0, result.output
    now = {row["partner_id"]: row for row in json.loads(result.stdout)}
    before = json.loads(_invoke(collected.env, "status", "--as-of", "2026-03-01", "--json").stdout)

    assert len(now) == 18
    assert (now["chu"]["state"], now["opera"]["state"]) == ("a_jour", "rejete_sans_nouvel_envoi")
    assert {row["state"] for pid, row in now.items() if pid not in ("chu", "opera")} == {
        "en_retard"
    }
    registry = {p.id: p for p in pipeline.reference_data(collected.settings).partners}
    assert all(row["contact"] == registry[pid].contact for pid, row in now.items())
    assert now["opera"]["latest_file_name"] == "plan.xlsx"
    assert now["opera"]["latest_error_count"] >= 1
    assert Path(now["chu"]["latest_report"]).is_file()
    assert Path(now["chu"]["latest_report"]).parent == collected.settings.shared_folder(
        "outbox", "chu"
    )
    assert now["chu"]["last_received_at"] is not None
    # Before the deadline, as things stood that day: nothing had been received.
    assert {row["state"] for row in before} == {"attendu"}
    assert all(row["last_received_at"] is None for row in before)
    # One source with the coverage mart: the same partners are late.
    mart = aggregate.read_mart(warehouse.engine_for(collected.settings.url), "campaign_coverage")
    late = {r["partner_id"] for r in mart.to_pylist() if r["campaign_id"] == "2026" and r["late"]}
    assert late == {pid for pid, row in now.items() if row["late"]}


def test_status_as_a_table_and_the_follow_up_file_carry_the_same_facts(
    collected: Collected,
) -> None:
    table = _invoke(collected.env, "status", "--language", "en")
    _, written = pipeline.follow_up_campaign(collected.settings, "2026", date.today())

    assert table.exit_code == 0, table.output
    (chu_line,) = [line for line in table.stdout.splitlines() if "│ chu " in line]
    assert "Up to date: file accepted" in chu_line
    assert "developpement-durable@chu.example" in chu_line
    assert "1 a_jour, 0 attendu, 16 en_retard, 1 rejete_sans_nouvel_envoi" in table.stdout
    with written.open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["Identifiant"]: row for row in csv.DictReader(stream, delimiter=";")}
    assert rows["chu"]["Contact"] == "developpement-durable@chu.example"
    assert rows["chu"]["En retard"] == "oui"  # accepted, but after the deadline
    assert Path(rows["chu"]["Dernier rapport"]).is_file()
    assert rows["opera"]["Erreurs"] != "0"
    assert rows["chu"]["Dernier envoi (heure de Paris)"] != ""


def test_findings_lists_what_the_partner_was_told_where_it_is(collected: Collected) -> None:
    sheet = openpyxl.load_workbook(collected.rejected_workbook)["Actions"]
    (planted,) = [cell for row in sheet.iter_rows() for cell in row if cell.value == UNKNOWN_AXIS]

    result = _invoke(collected.env, "findings", "opera", "--json", "--language", "en")
    table = _invoke(collected.env, "findings", "opera")

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["file_name"], answer["status"]) == ("plan.xlsx", "rejected")
    (finding,) = [f for f in answer["findings"] if f["value"] == UNKNOWN_AXIS]
    assert finding["severity"] == "error"
    assert (finding["sheet"], finding["row"], finding["column"]) == (
        "Actions",
        planted.row,
        planted.column_letter,
    )
    assert "opera: plan.xlsx received" in table.stdout
    assert "rejected" in table.stdout
    assert UNKNOWN_AXIS in table.stdout


def test_lineage_lists_the_file_rows_that_add_up_to_a_published_figure(
    collected: Collected,
) -> None:
    figure = ("lineage", "partner_summary", "investment_eur_gross")

    behind = _invoke(collected.env, *figure, "--where", "partner_id=chu")
    nobody = _invoke(collected.env, *figure, "--where", "partner_id=nobody")
    unknown = _invoke(collected.env, "lineage", "partner_summary", "partner_id")
    malformed = _invoke(collected.env, *figure, "--where", "partner_id")

    assert behind.exit_code == 0, behind.output
    rows = [line.split("│")[1:-1] for line in behind.stdout.splitlines() if "plan.xlsx" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert rows
    assert {(row[1], row[3], row[4]) for row in cells} == {("chu", "plan.xlsx", "Investissements")}
    (published,) = {float(row[2].replace(" ", "")) for row in cells}
    assert sum(float(row[-1].replace(" ", "")) for row in cells) == pytest.approx(published)
    assert nobody.exit_code == 0
    assert nobody.stdout == "no published cell matches\n"
    assert unknown.exit_code == 2
    assert "partner_summary.partner_id is not a published sum; known:" in unknown.stderr
    assert malformed.exit_code == 2
    assert "'partner_id' is not column=value" in malformed.stderr


def test_access_roles_are_refused_on_duckdb_in_one_line_and_made_on_postgresql(
    tmp_path: Path,
) -> None:
    env = _env(_settings_on_copied_reference(tmp_path))
    prefix = f"cc_{uuid.uuid4().hex[:8]}"

    on_duckdb = _invoke(env, "create-roles", "--prefix", prefix)
    try:
        with postgres_database() as admin_url:
            on_postgres = env | {"CLIMATE_CONTRACT_WAREHOUSE_URL": admin_url}
            made = _invoke(on_postgres, "create-roles", "--prefix", prefix)
            warehouse.engine_for(admin_url).dispose()
        with psycopg.connect(POSTGRES_ADMIN_DSN) as admin:
            roles = admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1", (f"{prefix}_%",)
            ).fetchall()
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            for duty in ("loader", "steward", "analyst"):
                admin.execute(f'DROP ROLE IF EXISTS "{prefix}_{duty}"')

    assert on_duckdb.exit_code == 1
    (line,) = on_duckdb.stderr.splitlines()
    assert line.startswith("error: access roles exist on PostgreSQL only; this warehouse is duckdb")
    assert made.exit_code == 0, made.output
    assert [role for (role,) in roles] == [
        f"{prefix}_analyst",
        f"{prefix}_loader",
        f"{prefix}_steward",
    ]
    assert f"analyst: {prefix}_analyst" in made.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("findings", "operra"), "partner 'operra' is not declared in partners.yaml"),
        (("status", "--campaign", "2062"), "campaign '2062' is not declared in campaigns.yaml"),
        (("template", "chu", "--campaign", "2062"), "campaign '2062' is not declared"),
        (("reprocess", "chu", "autre.xlsx"), "chu has no submission named 'autre.xlsx'"),
        (("findings", "universite"), "universite has sent no file for campaign 2026"),
    ],
)
def test_a_wrong_id_ends_in_one_line_naming_the_valid_ones(
    collected: Collected, args: tuple[str, ...], said: str
) -> None:
    result = _invoke(collected.env, *args)

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ")
    assert said in line


def test_every_mistake_in_the_reference_files_is_named_with_its_file_and_line(
    tmp_path: Path,
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    folder = settings.reference_dir
    partners = folder / "partners.yaml"
    text = partners.read_text(encoding="utf-8")
    text = text.replace("{id: opera, name:", "{id: opera, nmae:")
    text = text.replace(
        'college: association, campaigns: ["2026"], contact: rse@club',
        'college: club, campaigns: ["2026"], contact: rse@club',
    )
    text = text.replace("{id: chu, name:", "{id: universite, name:")  # an id given twice
    text = text.replace(
        'campaigns: ["2026"], contact: rse@cooperative',
        'campaigns: ["2062"], contact: rse@cooperative',
    )
    partners.write_text(text, encoding="utf-8")
    targets = folder / "plan_targets.csv"
    targets.write_text(
        targets.read_text(encoding="utf-8").replace(",2030,30000,", ",2030,trente mille,"),
        encoding="utf-8",
    )
    campaigns = folder / "campaigns.yaml"
    campaigns.write_text(
        campaigns.read_text(encoding="utf-8") + '- {id: "2027", opens_on: 2027-01-15\n',
        encoding="utf-8",
    )

    result = _invoke(_env(settings), "reference", "check")

    assert result.exit_code == 1
    expected = {
        f"{partners}:{_line_holding(partners, 'nmae:')}: opera.nmae: Extra inputs",
        f"{partners}:{_line_holding(partners, '{id: opera,')}: opera.name: Field required",
        f"{partners}:{_line_holding(partners, 'college: club')}: club-sportif.college: "
        "Input should be 'entreprise', 'organisme_public', 'association' or 'institution' "
        "(given 'club')",
        f"{targets}:{_line_holding(targets, 'trente mille')}: #4.milestone_value: "
        "Input should be a valid number",
    }
    (syntax,) = [line for line in result.stderr.splitlines() if "not valid YAML" in line]
    assert syntax.startswith(f"error: {campaigns}:")
    assert f"while parsing a flow mapping started on line {_line_holding(campaigns, '2027')}" in (
        syntax
    )
    lines = [line.removeprefix("error: ") for line in result.stderr.splitlines()]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    # The registry is checked as a whole once its entries are well formed.
    partners.write_text(
        text.replace(" nmae:", " name:").replace("college: club", "college: association"),
        encoding="utf-8",
    )
    campaigns.write_text((PROJECT_ROOT / "reference" / "campaigns.yaml").read_text("utf-8"))
    targets.write_bytes((PROJECT_ROOT / "reference" / "plan_targets.csv").read_bytes())

    again = _invoke(_env(settings), "reference", "check")

    assert again.exit_code == 1
    twice = _line_holding(partners, '{id: universite, name: "Universit')  # the later one
    undeclared = _line_holding(partners, '"2062"')
    assert again.stderr.splitlines() == [
        f"error: {partners}:{twice}: universite: id given twice",
        f"error: {partners}:{undeclared}: cooperative-agricole.campaigns: ['2062'] not "
        "declared in campaigns.yaml (declared: 2025, 2026)",
    ]


def test_the_reference_check_passes_on_the_shipped_files_and_says_what_it_read(
    tmp_path: Path,
) -> None:
    result = _invoke(_env(_settings_on_copied_reference(tmp_path)), "reference", "check")

    assert result.exit_code == 0, result.output
    assert "no mistake found: 18 partners, 2 campaigns" in result.stdout


def test_reference_init_copies_the_shipped_files_into_a_new_folder_only(tmp_path: Path) -> None:
    env = _env(_settings_on_copied_reference(tmp_path))
    own = tmp_path / "territoire"

    copied = _invoke(env, "reference", "init", str(own))
    again = _invoke(env, "reference", "init", str(own))
    checked = _invoke(env | {"CLIMATE_CONTRACT_REFERENCE_DIR": str(own)}, "reference", "check")

    assert copied.exit_code == 0, copied.output
    shipped = PROJECT_ROOT / "reference"
    assert {p.relative_to(own) for p in own.rglob("*")} == {
        p.relative_to(shipped) for p in shipped.rglob("*")
    }
    assert f"CLIMATE_CONTRACT_REFERENCE_DIR={own}" in copied.stdout
    assert again.exit_code == 2
    assert "exists and is not an empty folder" in again.stderr
    assert checked.exit_code == 0, checked.output
    dangling = tmp_path / "lien"
    dangling.symlink_to(tmp_path / "nowhere")
    to_nothing = _invoke(env, "reference", "init", str(dangling))
    assert to_nothing.exit_code == 2
    assert "is a link to nothing" in to_nothing.stderr


def test_the_reference_check_in_json_gives_each_mistake_s_file_and_line(tmp_path: Path) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    passing = _invoke(env, "reference", "check", "--json")
    campaigns = settings.reference_dir / "campaigns.yaml"
    campaigns.write_text(
        campaigns.read_text(encoding="utf-8")
        + '- {id: "2027", opens_on: 2027-03-01, deadline: 2027-01-31}\n',
        encoding="utf-8",
    )

    failing = _invoke(env, "reference", "check", "--json")

    assert passing.exit_code == 0, passing.output
    read = json.loads(passing.stdout)
    assert read["problems"] == []
    assert (read["counts"]["partners"], read["counts"]["campaigns"]) == (18, 2)
    assert failing.exit_code == 1
    assert json.loads(failing.stdout)["problems"] == [
        {
            "file": str(campaigns),
            "line": _line_holding(campaigns, '"2027"'),
            "message": "2027: deadline 2027-01-31 comes before opens_on 2027-03-01",
        }
    ]


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        ({"CLIMATE_CONTRACT_CONFIG": "/nowhere/climate-contract.toml"}, "/nowhere/climate"),
        ({"CLIMATE_CONTRACT_MAX_FILE_MEGABYTES": "-3"}, "setting max_file_megabytes: Input"),
    ],
)
def test_a_wrong_setting_ends_in_one_line(
    tmp_path: Path, variables: dict[str, str], said: str
) -> None:
    env = _env(_settings_on_copied_reference(tmp_path)) | variables

    result = _invoke(env, "partners", "list")

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert said in line


def test_an_unknown_mart_is_a_usage_error_listing_the_marts(tmp_path: Path) -> None:
    result = _invoke(_env(_settings_on_copied_reference(tmp_path)), "mart", "status_funel")

    assert result.exit_code == 2
    assert "unknown mart 'status_funel'" in result.stderr
    assert "status_funnel" in result.stderr


def test_a_partner_registered_from_the_console_keeps_the_registry_as_written(
    tmp_path: Path,
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    registry = settings.reference_dir / "partners.yaml"
    before = registry.read_text(encoding="utf-8")
    add = ("partners", "add", "musee", "--name", "Musée des beaux-arts")
    details = ("--college", "institution", "--contact", "accueil@musee.example")

    added = _invoke(env, *add, *details, "--campaign", "2026", "--language", "en")
    again = _invoke(env, *add, *details)
    undeclared = _invoke(
        env,
        "partners",
        "add",
        "galerie",
        *details[:2],
        "--name",
        "G",
        "--contact",
        "g@g.example",
        "--campaign",
        "2062",
    )
    listed = json.loads(_invoke(env, "partners", "list", "--campaign", "2026", "--json").stdout)

    assert added.exit_code == 0, added.output
    after = registry.read_text(encoding="utf-8")
    assert after.startswith(before)  # comments and entries untouched
    assert yaml.safe_load(after)[-1] == {
        "id": "musee",
        "name": "Musée des beaux-arts",
        "college": "institution",
        "campaigns": ["2026"],
        "contact": "accueil@musee.example",
        "language": "en",
    }
    assert settings.shared_folder("inbox", "musee").is_dir()
    assert "musee" in [partner["id"] for partner in listed]
    assert again.exit_code == 1
    assert again.stderr == f"error: {registry}: not added: musee: id given twice\n"
    assert undeclared.exit_code == 1
    assert "['2062'] not declared" in undeclared.stderr
    assert registry.read_text(encoding="utf-8") == after  # refused: file as it was


def test_partners_check_finds_an_inbox_folder_of_nobody(tmp_path: Path) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    settings.shared_folder("inbox", "chu").mkdir(parents=True)

    clean = _invoke(env, "partners", "check")
    settings.shared_folder("inbox", "CHU-Dijon").mkdir()
    stray = _invoke(env, "partners", "check")

    assert clean.exit_code == 0, clean.output
    assert "opera: no inbox folder yet" in clean.stdout
    assert stray.exit_code == 1
    assert f"error: {settings.shared_root / 'inbox' / 'CHU-Dijon'}: no registered" in stray.stderr


def test_a_campaign_opened_from_the_console_is_declared_and_followed(tmp_path: Path) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)

    opened = _invoke(
        env, "campaign", "open", "2027", "--opens-on", "2027-01-15", "--deadline", "2027-03-31"
    )
    backwards = _invoke(
        env, "campaign", "open", "2028", "--opens-on", "2028-03-01", "--deadline", "2028-01-01"
    )
    twice = _invoke(
        env, "campaign", "open", "2027", "--opens-on", "2027-01-15", "--deadline", "2027-03-31"
    )

    assert opened.exit_code == 0, opened.output
    assert pipeline.reference_data(settings).campaign("2027").deadline.isoformat() == "2027-03-31"
    assert backwards.exit_code == 2
    assert twice.exit_code == 1
    assert "campaigns.yaml: not added: 2027: id given twice" in twice.stderr


def test_a_campaign_opened_with_its_contact_is_listed_for_scripts(tmp_path: Path) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    contact = "Équipe climat, climat@territoire.example"
    dates = ("--opens-on", "2027-01-15", "--deadline", "2027-03-31")
    registry = yaml.safe_load((settings.reference_dir / "partners.yaml").read_text("utf-8"))

    opened = _invoke(env, "campaign", "open", "2027", *dates, "--contact", contact)
    listed = json.loads(_invoke(env, "campaign", "list", "--json").stdout)

    assert opened.exit_code == 0, opened.output
    assert listed[-1] == {
        "id": "2027",
        "opens_on": "2027-01-15",
        "deadline": "2027-03-31",
        "contact": contact,
        "closed_on": None,
        "parts": [],
        "partners_expected": 0,
    }
    for campaign in listed[:2]:
        expected = [p for p in registry if campaign["id"] in p["campaigns"]]
        assert campaign["partners_expected"] == len(expected) > 0


def test_a_campaign_opened_with_a_part_collects_it_and_an_unknown_part_is_refused(
    tmp_path: Path,
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    campaigns = settings.reference_dir / "campaigns.yaml"
    dates = ("--opens-on", "2027-01-15", "--deadline", "2027-03-31")

    opened = _invoke(env, "campaign", "open", "2027", *dates, "--part", "jobs")
    before = campaigns.read_text(encoding="utf-8")
    unknown = _invoke(env, "campaign", "open", "2028", *dates, "--part", "emplois")
    listed = json.loads(_invoke(env, "campaign", "list", "--json").stdout)
    template = _invoke(env, "template", "chu", "--campaign", "2027")

    assert opened.exit_code == 0, opened.output
    assert "collecting jobs" in opened.stdout
    assert [campaign["parts"] for campaign in listed] == [
        ["self_assessment", "roadmap"],
        ["jobs", "self_assessment", "roadmap"],
        ["jobs"],
    ]
    assert unknown.exit_code == 1
    (line,) = unknown.stderr.splitlines()
    assert "campaigns.yaml: not added" in line
    assert "parts" in line
    assert campaigns.read_text(encoding="utf-8") == before
    assert template.exit_code == 0, template.output
    (written,) = (settings.shared_root / "outbox" / "chu").glob("*2027*.xlsx")
    headers = [cell.value for cell in openpyxl.load_workbook(written)["Actions"][1]]
    assert headers[-3:] == ["Emplois créés (ETP)", "Emplois consolidés (ETP)", "Activité créée"]


def test_a_closed_campaign_refuses_later_files_and_stops_following_up(
    tmp_path: Path, reference
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    campaigns = settings.reference_dir / "campaigns.yaml"
    the_day_before_the_deadline = date(2026, 3, 30)
    assert pipeline.watched_campaigns(settings, the_day_before_the_deadline) == ["2026"]
    _drop_sample(settings, reference, "chu")

    closed = _invoke(env, "campaign", "close", "2026", "--on", "2026-03-01")
    again = _invoke(env, "campaign", "close", "2026")
    ran = _invoke(env, "run")
    told = _invoke(env, "findings", "chu", "--json")
    status = _invoke(env, "status", "--as-of", "2026-11-24")

    assert closed.exit_code == 0, closed.output
    assert yaml.safe_load(campaigns.read_text(encoding="utf-8"))[1]["closed_on"] == date(2026, 3, 1)
    assert again.exit_code == 1
    assert again.stderr == (
        f"error: {campaigns}:{_line_holding(campaigns, 'closed_on')}: "
        "2026: closed_on is already 2026-03-01\n"
    )
    assert ran.exit_code == 0, ran.output
    (finding,) = json.loads(told.stdout)["findings"]
    assert finding["rule"] == "campagne_close"
    assert "après la clôture de la campagne 2026 le 01/03/2026" in finding["message"]
    assert "climat@metropole.example" in finding["message"]  # whom to ask, from the campaign
    assert json.loads(told.stdout)["status"] == "rejected"
    assert "campaign 2026 on 2026-11-24, closed on 2026-03-01" in status.stdout
    assert pipeline.watched_campaigns(settings, the_day_before_the_deadline) == []


def test_the_day_a_campaign_closes_still_counts(tmp_path: Path, reference) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    _drop_sample(settings, reference, "chu")
    unknown = _invoke(env, "campaign", "close", "2062")
    too_early = _invoke(env, "campaign", "close", "2026", "--on", "2025-12-31")

    closed_today = _invoke(env, "campaign", "close", "2026")
    (outcome,) = pipeline.run_collection(settings)

    assert unknown.exit_code == 1
    assert "no entry has id '2062'" in unknown.stderr
    assert too_early.exit_code == 1
    assert "not changed: 2026: closed_on 2025-12-31 comes before opens_on 2026-01-15" in (
        too_early.stderr
    )
    assert closed_today.exit_code == 0, closed_today.output
    assert outcome.status == "accepted"


def test_templates_go_to_every_expected_partner_s_outbox_saying_what_was_prefilled(
    tmp_path: Path, reference
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    last_year = settings.model_copy(update={"campaign": "2025"})
    inbox = settings.shared_folder("inbox", "chu")
    write_workbook(inbox / "plan.xlsx", reference, "chu", "2025", sample_rows("chu", "2025"))
    pipeline.run_collection(last_year)
    warehouse.engine_for(settings.url).dispose()

    result = _invoke(env, "templates", "--campaign", "2026", "--prefill")
    one = _invoke(env, "template", "opera", "--prefill")

    assert result.exit_code == 0, result.output
    expected = [p.id for p in pipeline.reference_data(settings).partners if "2026" in p.campaigns]
    for partner_id in expected:
        path = (
            settings.shared_folder("outbox", partner_id) / f"contrat-climat-2026-{partner_id}.xlsx"
        )
        assert path.is_file()
    actions = len(sample_rows("chu", "2025")["actions"])
    assert f"pre-filled with {actions} actions of the previous campaign" in result.stdout
    assert result.stdout.count("blank: no accepted data") == len(expected) - 1
    assert "18 templates written for campaign 2026" in result.stdout
    assert one.exit_code == 0
    assert "blank: no accepted data of an earlier campaign" in one.stdout


def test_template_all_writes_every_expected_partner_s_and_one_or_all_must_be_said(
    tmp_path: Path,
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)

    every = _invoke(env, "template", "--all", "--campaign", "2025")
    neither = _invoke(env, "template")
    both = _invoke(env, "template", "chu", "--all")
    elsewhere = _invoke(env, "template", "--all", "--output", str(tmp_path / "x.xlsx"))

    assert every.exit_code == 0, every.output
    expected = {p.id for p in pipeline.reference_data(settings).partners if "2025" in p.campaigns}
    written = {path.parent.name for path in settings.shared_root.glob("outbox/*/*2025*.xlsx")}
    assert written == expected
    assert f"{len(expected)} templates written for campaign 2025" in every.stdout
    assert neither.exit_code == both.exit_code == 2
    assert "give a partner's id, or --all (neither was given)" in neither.stderr
    assert "give a partner's id, or --all (not both)" in both.stderr
    assert elsewhere.exit_code == 2
    assert "--output and --language go with one partner" in elsewhere.stderr


@pytest.mark.parametrize("output", ["folder.xlsx", "plan.txt", ""])
def test_a_template_written_to_no_workbook_name_is_a_usage_error(
    tmp_path: Path, output: str
) -> None:
    (tmp_path / "folder.xlsx").mkdir()

    result = _invoke(
        _env(_settings_on_copied_reference(tmp_path)),
        "template",
        "chu",
        "--output",
        str(tmp_path / output),
    )

    assert result.exit_code == 2
    assert "is not a file name ending in .xlsx, .ods, .csv" in result.stderr


def test_ids_that_could_not_name_a_folder_are_refused_where_they_are_written(
    tmp_path: Path,
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    env = _env(settings)
    campaigns = settings.reference_dir / "campaigns.yaml"
    before = campaigns.read_text(encoding="utf-8")
    dates = ("--opens-on", "2027-01-15", "--deadline", "2027-03-31")
    details = ("--name", "X", "--college", "institution", "--contact", "x@x.example")

    climbing = _invoke(env, "campaign", "open", "../../outside", *dates)
    empty = _invoke(env, "campaign", "open", "", *dates)
    spaced = _invoke(env, "partners", "add", "CHU Dijon", *details)

    for refused in (climbing, empty, spaced):
        assert refused.exit_code == 1
        (line,) = refused.stderr.splitlines()
        assert "cannot be an id: ids name folders and files" in line
    assert campaigns.read_text(encoding="utf-8") == before
    assert not (settings.shared_root / "inbox" / "CHU Dijon").exists()


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("opens_on: 2026-01-15", "2026.opens_on: Input should be a valid date or datetime"),
        ("", "empty (or only comments)"),
    ],
    ids=["no such day", "empty"],
)
def test_a_campaigns_file_with_no_such_day_or_nothing_is_one_line_per_mistake(
    tmp_path: Path, written: str, said: str
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    campaigns = settings.reference_dir / "campaigns.yaml"
    text = campaigns.read_text(encoding="utf-8")
    campaigns.write_text(
        text.replace(written, "opens_on: 2026-02-30") if written else "# à remplir\n",
        encoding="utf-8",
    )

    checked = _invoke(_env(settings), "reference", "check")
    as_json = _invoke(_env(settings), "reference", "check", "--json")

    assert checked.exit_code == as_json.exit_code == 1
    (line,) = checked.stderr.splitlines()
    assert line.startswith(f"error: {campaigns}")
    assert said in line
    (problem,) = json.loads(as_json.stdout)["problems"]
    assert said in problem["message"]


def test_reprocessing_judges_a_kept_file_again_as_it_was_received(
    tmp_path: Path, reference
) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    code_lists = settings.reference_dir / "code_lists.yaml"
    shipped = code_lists.read_text(encoding="utf-8")
    rows = sample_rows("chu", "2026")
    rows["actions"] = [action | {"sector": "industrie"} for action in rows["actions"]]
    write_workbook(
        settings.shared_folder("inbox", "chu") / "plan.xlsx", reference, "chu", "2026", rows
    )
    # The steward's code list lacks the sector: the partner's file is refused.
    code_lists.write_text(
        "\n".join(line for line in shipped.splitlines() if "{code: industrie," not in line) + "\n",
        encoding="utf-8",
    )
    (first,) = pipeline.run_collection(settings)
    warehouse.engine_for(settings.url).dispose()
    quarantined = sorted(settings.shared_folder("quarantine", "chu").rglob("*.xlsx"))
    code_lists.write_text(shipped, encoding="utf-8")

    result = _invoke(_env(settings), "reprocess", "chu")

    assert first.status == "rejected"
    assert result.exit_code == 0, result.output
    assert "1 files processed: 1 accepted" in result.stdout
    with warehouse.engine_for(settings.url).connect() as connection:
        ledger = connection.execute(
            sa.text(
                "SELECT status, received_at, content_sha256 FROM landing.submissions "
                "WHERE partner_id = 'chu' ORDER BY processed_at"
            )
        ).all()
        loaded = connection.execute(
            sa.text("SELECT count(*) FROM core.actions WHERE partner_id = 'chu'")
        ).scalar_one()
    assert [row.status for row in ledger] == ["rejected", "accepted"]
    assert ledger[0].received_at == ledger[1].received_at  # judged as it was received
    assert ledger[0].content_sha256 == ledger[1].content_sha256
    assert loaded == len(rows["actions"])
    assert sorted(settings.shared_folder("quarantine", "chu").rglob("*.xlsx")) == quarantined
    assert len(list(settings.shared_folder("archive", "chu").rglob("*.xlsx"))) == 1
    assert not list((settings.data_dir / "intake").iterdir())
    mart = aggregate.read_mart(warehouse.engine_for(settings.url), "partner_summary")
    assert "chu" in {row["partner_id"] for row in mart.to_pylist()}


def test_a_kept_original_altered_or_gone_is_never_judged_again(tmp_path: Path, reference) -> None:
    """Whoever edits a file in the archive cannot have it loaded as if the partner
    had sent it: reprocessing checks the kept bytes against the hash received."""
    settings = _settings_on_copied_reference(tmp_path)
    inbox = settings.shared_folder("inbox", "chu")
    write_workbook(inbox / "plan.xlsx", reference, "chu", "2026", sample_rows("chu", "2026"))
    pipeline.run_collection(settings)
    warehouse.engine_for(settings.url).dispose()
    (kept,) = settings.shared_folder("archive", "chu").rglob("*.xlsx")
    kept.chmod(0o644)
    kept.write_bytes(kept.read_bytes() + b"\0")

    altered = _invoke(_env(settings), "reprocess", "chu")
    kept.unlink()
    gone = _invoke(_env(settings), "reprocess", "chu")

    for result in (altered, gone):
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: {kept} no longer holds the file chu sent as 'plan.xlsx' (missing, or "
            "its content changed): it is not judged again\n"
        )
    with warehouse.engine_for(settings.url).connect() as connection:
        ledger = connection.execute(sa.text("SELECT status FROM landing.submissions")).all()
    assert [row.status for row in ledger] == ["accepted"]


def test_a_run_ends_with_a_summary_and_the_files_still_settling(tmp_path: Path, reference) -> None:
    settings = _settings_on_copied_reference(tmp_path)
    inbox = settings.shared_root / "inbox"
    write_workbook(
        inbox / "chu" / "plan.xlsx", reference, "chu", "2026", sample_rows("chu", "2026")
    )
    rows = sample_rows("opera", "2026")
    rows["actions"][0] = rows["actions"][0] | {"plan_axis": UNKNOWN_AXIS}
    write_workbook(inbox / "opera" / "plan.xlsx", reference, "opera", "2026", rows)
    first = _invoke(_env(settings), "run")
    write_workbook(inbox / "club-sportif" / "x.xlsx", reference, "club-sportif", "2026", {})

    second = _invoke(_env(settings) | {"CLIMATE_CONTRACT_SETTLE_SECONDS": "3600"}, "run")

    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert any("│ chu " in line and "│ accepted " in line for line in lines)
    assert any("│ opera " in line and "│ rejected " in line for line in lines)
    assert "2 files processed: 1 accepted, 1 rejected" in first.stdout
    assert "report: " in first.stdout
    assert second.exit_code == 0, second.output
    assert "0 files processed" in second.stdout
    assert "1 files still settling" in second.stdout
    assert "club-sportif/x.xlsx" in second.stdout
