from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from climate_contract import aggregate, load, pipeline, warehouse
from climate_contract.disclosure import POOL
from climate_contract.samples import sample_rows, write_sample_inbox
from climate_contract.settings import Settings
from climate_contract.template import write_workbook

PARTNERS = ("bailleur-social", "reseau-chaleur", "banque-regionale", "opera", "club-sportif")


def _drop(settings: Settings, reference, partner_id: str, rows, name: str) -> Path:
    inbox = settings.shared_root / "inbox" / partner_id
    return write_workbook(inbox / name, reference, partner_id, settings.campaign, rows)


def _rows(settings: Settings, query: str) -> list[sa.Row]:
    with warehouse.engine_for(settings.url).connect() as connection:
        return list(connection.execute(sa.text(query)))


def _first_action_only(rows):
    first = rows["actions"][0]["action_ref"]
    # (The self-assessment's rows name no action: none is kept.)
    return {
        name: [r for r in sheet if r.get("action_ref") == first] for name, sheet in rows.items()
    }


def _expected_mart(partner_ids, reference) -> tuple[dict, dict]:
    """Gross investment per (axis, year) and final tCO2e per axis, from the input rows:
    activity data times the referential's factors, else the declared tCO2e.
    Confidential actions count in the pooled row, whatever their axis."""
    referential = reference.emission_factors
    investment: dict[tuple[str, int], float] = defaultdict(float)
    avoided: dict[str, float] = defaultdict(float)
    for partner_id in partner_ids:
        rows = sample_rows(partner_id, "2026")
        live = {
            a["action_ref"]: a | {"plan_axis": POOL} if a["confidential"] else a
            for a in rows["actions"]
            if a["status"] != "abandonnee"
        }
        for row in rows["investments"]:
            if row["action_ref"] in live:
                investment[live[row["action_ref"]]["plan_axis"], row["year"]] += row["amount_eur"]
        with_activity = {
            r["action_ref"] for r in rows["impacts"] if r["indicator"] in referential.activities
        }
        for row in rows["impacts"]:
            action = live.get(row["action_ref"])
            if action is None:
                continue
            if row["indicator"] in referential.activities:
                activity = referential.activities[row["indicator"]]
                scale = reference.code_value("unit", row["unit"]).scale
                saved = referential.kgco2e_saved_per_unit(activity)
                avoided[action["plan_axis"]] += row["value"] * scale * saved / 1000
            elif row["indicator"] == "ges_evites" and row["action_ref"] not in with_activity:
                avoided[action["plan_axis"]] += row["value"]
    return investment, avoided


def test_collection_loads_every_sample_and_the_mart_equals_the_input(
    warehouse_settings: Settings, reference
) -> None:
    # No suppression here: every cell must show, to be compared with the input.
    settings = warehouse_settings.model_copy(
        update={
            "confidentiality_min_partners": 1,
            "confidentiality_dominance_share": 1.0,
            "confidentiality_protection_share": 0.0,
        }
    )
    written = write_sample_inbox(settings.shared_root / "inbox", reference, "2026")
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}

    outcomes = pipeline.run_collection(settings)

    assert len(outcomes) == len(written) == 18
    assert {o.status for o in outcomes} == {"accepted"}
    assert not any((settings.shared_root / "inbox").rglob("*.*"))
    ledger = _rows(
        settings, "SELECT file_name, content_sha256, stored_path FROM landing.submissions"
    )
    assert {(r.file_name, r.content_sha256) for r in ledger} == set(hashes.items())
    for row in ledger:
        assert hashlib.sha256(Path(row.stored_path).read_bytes()).hexdigest() == row.content_sha256
        assert "/archive/" in row.stored_path

    engine = warehouse.engine_for(settings.url)
    mart = aggregate.read_mart(engine, "commitments_by_axis_year").to_pylist()
    investment, avoided = _expected_mart((p.id for p in reference.partners), reference)
    got = {  # years with carbon but no money are rows too (money 0)
        (r["plan_axis"], r["year"]): float(r["investment_eur_gross"])
        for r in mart
        if r["investing_partners"]
    }
    assert got == pytest.approx(dict(investment))
    carbon = aggregate.read_mart(engine, "carbon_trajectory_vs_target").to_pylist()
    final = {r["plan_axis"]: float(r["avoided_tco2e_per_year_gross"]) for r in carbon}
    assert final.pop("all") == pytest.approx(sum(avoided.values()))
    assert {k: v for k, v in final.items() if v} == pytest.approx(dict(avoided))


def test_core_rows_trace_back_to_partner_file_sheet_and_row(
    warehouse_settings: Settings, reference
) -> None:
    settings = warehouse_settings
    rows = sample_rows("opera", "2026")
    _drop(settings, reference, "opera", rows, "opera.ods")

    pipeline.run_collection(settings)

    traced = _rows(
        settings,
        "SELECT s.partner_id, s.file_name, i.source_sheet, i.source_row, i.amount_eur "
        "FROM core.investments AS i JOIN landing.submissions AS s USING (submission_id) "
        "ORDER BY i.source_row",
    )
    assert [(r.partner_id, r.file_name, r.source_sheet) for r in traced] == [
        ("opera", "opera.ods", "Investissements")
    ] * len(rows["investments"])
    assert [r.source_row for r in traced] == list(range(2, len(rows["investments"]) + 2))
    assert [float(r.amount_eur) for r in traced] == [r["amount_eur"] for r in rows["investments"]]


def test_a_rejected_file_is_quarantined_recorded_and_not_loaded(
    warehouse_settings: Settings, reference
) -> None:
    settings = warehouse_settings
    rows = sample_rows("chu", "2026")
    rows = rows | {"investments": [dict(rows["investments"][0], amount_eur=-1)]}
    path = _drop(settings, reference, "chu", rows, "chu.xlsx")
    original = path.read_bytes()

    (outcome,) = pipeline.run_collection(settings)

    assert outcome.status == "rejected"
    (ledger,) = _rows(settings, "SELECT status, error_count, stored_path FROM landing.submissions")
    assert (ledger.status, ledger.error_count) == ("rejected", 1)
    assert "/quarantine/chu/2026/" in ledger.stored_path
    assert Path(ledger.stored_path).read_bytes() == original
    assert _rows(settings, "SELECT COUNT(*) AS n FROM core.actions")[0].n == 0
    (finding,) = _rows(
        settings,
        "SELECT sheet, row_number, column_letter FROM landing.findings WHERE severity = 'error'",
    )
    assert tuple(finding) == ("Investissements", 2, "C")


def test_a_newer_submission_replaces_the_partner_campaign_data_and_duplicates_are_skipped(
    warehouse_settings: Settings, reference
) -> None:
    settings = warehouse_settings
    first = sample_rows("universite", "2026")
    other_partner = _drop(settings, reference, "opera", sample_rows("opera", "2026"), "o.xlsx")
    other_partner_bytes = other_partner.read_bytes()
    _drop(settings, reference, "universite", first, "v1.xlsx")
    pipeline.run_collection(settings)

    _drop(settings, reference, "universite", _first_action_only(first), "v2.xlsx")
    (other_partner.parent / "o-again.xlsx").write_bytes(other_partner_bytes)
    pipeline.run_collection(settings)

    loaded = _rows(
        settings,
        "SELECT a.partner_id, a.action_ref, s.file_name FROM core.actions AS a "
        "JOIN landing.submissions AS s USING (submission_id) ORDER BY 1, 2",
    )
    assert [(r.action_ref, r.file_name) for r in loaded if r.partner_id == "universite"] == [
        ("ACT-01", "v2.xlsx")
    ]
    assert {r.file_name for r in loaded if r.partner_id == "opera"} == {"o.xlsx"}
    ledger = _rows(settings, "SELECT file_name FROM landing.submissions ORDER BY 1")
    # The same content under another name is the same submission: processed once.
    assert [r.file_name for r in ledger] == ["o.xlsx", "v1.xlsx", "v2.xlsx"]


def test_a_load_that_fails_midway_changes_nothing(
    warehouse_settings: Settings, reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = warehouse_settings
    _drop(settings, reference, "chu", sample_rows("chu", "2026"), "v1.xlsx")
    pipeline.run_collection(settings)
    before = _rows(settings, "SELECT action_ref, title FROM core.actions ORDER BY 1")

    replace_rows = load.submission._replace_core_rows

    def replace_then_fail(*args, **kwargs):
        replace_rows(*args, **kwargs)
        raise sa.exc.OperationalError("INSERT", {}, Exception("connection lost"))

    monkeypatch.setattr(load.submission, "_replace_core_rows", replace_then_fail)
    _drop(settings, reference, "chu", _first_action_only(sample_rows("chu", "2026")), "v2.xlsx")
    with pytest.raises(sa.exc.OperationalError):
        pipeline.run_collection(settings)

    assert _rows(settings, "SELECT action_ref, title FROM core.actions ORDER BY 1") == before
    assert [r.file_name for r in _rows(settings, "SELECT file_name FROM landing.submissions")] == [
        "v1.xlsx"
    ]
    assert (settings.shared_root / "inbox" / "chu" / "v2.xlsx").exists()


def test_a_printed_mart_is_whole_and_in_order_of_its_columns(
    make_settings, reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from climate_contract.cli import app

    settings = make_settings()
    for partner_id in PARTNERS:
        _drop(settings, reference, partner_id, sample_rows(partner_id, "2026"), "plan.xlsx")
    pipeline.run_collection(settings)
    monkeypatch.setenv("CLIMATE_CONTRACT_DATA_DIR", str(settings.data_dir))

    result = CliRunner().invoke(app, ["mart", "commitments_by_axis_year"])

    assert result.exit_code == 0, result.output
    header, *lines = [line for line in result.output.splitlines() if line.startswith(("┃", "│"))]
    mart = aggregate.read_mart(warehouse.engine_for(settings.url), "commitments_by_axis_year")
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == mart.column_names
    printed = [[cell.strip() for cell in line.strip("│").split("│")][:4] for line in lines]
    keys = ("campaign_id", "plan_axis", "plan_axis_label", "year")
    assert printed == sorted([[str(r[key]) for key in keys] for r in mart.to_pylist()])

    # One year of it, as the demo prints; a column it does not have is a usage error.
    one_year = CliRunner().invoke(
        app, ["mart", "commitments_by_axis_year", "--columns", "plan_axis", "--where", "year=2027"]
    )
    assert one_year.exit_code == 0, one_year.output
    shown = [line.strip("│ ") for line in one_year.output.splitlines() if line.startswith("│")]
    assert shown == sorted(r["plan_axis"] for r in mart.to_pylist() if r["year"] == 2027)
    assert 0 < len(shown) < len(lines)
    unknown = CliRunner().invoke(app, ["mart", "commitments_by_axis_year", "--where", "axe=1"])
    assert unknown.exit_code == 2
    assert "has no column 'axe'" in unknown.output
