"""Files checked together must be judged exactly as each alone.

Great Expectations costs about the same for one row as for thousands, so the
collection checks the sheets of many files stacked in one frame. A rule that
leaks across files (a reference declared in another file, the same reference in
two files, one file's empty sheet hidden by another's rows) would turn stacking
into wrong answers: each planted error below must come out, for its own file only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from climate_contract.parse import ParsedSubmission, parse_submission
from climate_contract.samples import sample_rows
from climate_contract.settings import EXPECTATIONS_DIR
from climate_contract.template import write_workbook
from climate_contract.validate import suites, validate_submission, validate_submissions
from tests.test_validate import ACTION, IMPACT, INVESTMENT

# Each file's planted error, by the rule that must find it (None: a clean file).
PLANTED: dict[str, tuple[str | None, dict]] = {
    "propre-a": (None, sample_rows("chu", "2026")),
    # The same references as the file above: only a duplicate within one file counts.
    "propre-b": (None, sample_rows("universite", "2026")),
    "doublon": (
        "reference_unique",
        {"actions": [ACTION, ACTION | {"title": "Autre"}], "investments": [INVESTMENT]},
    ),
    "action-ailleurs": (
        # ACT-01 is declared by the clean files, not by this one.
        "action_declaree",
        {
            "actions": [ACTION],
            "investments": [INVESTMENT, INVESTMENT | {"action_ref": "ACT-01"}],
            "impacts": [IMPACT],
        },
    ),
    "sans-action": ("aucune_action", {"investments": [INVESTMENT], "impacts": [IMPACT]}),
    "code-inconnu": (
        "code_autorise",
        {"actions": [ACTION | {"sector": "spatial"}], "investments": [INVESTMENT]},
    ),
    "intitule-double": (
        "intitule_en_double",
        {
            "actions": [ACTION, ACTION | {"action_ref": "A-2"}],
            "investments": [INVESTMENT, INVESTMENT | {"action_ref": "A-2"}],
            "impacts": [IMPACT, IMPACT | {"action_ref": "A-2"}],
        },
    ),
    "annees": (
        "annees_ordonnees",
        {
            "actions": [ACTION | {"start_year": 2029, "end_year": 2027}],
            "investments": [INVESTMENT | {"year": 2029}],
            "impacts": [IMPACT],
        },
    ),
}


def _parsed(tmp_path: Path, reference, name: str, rows: dict) -> ParsedSubmission:
    path = write_workbook(tmp_path / f"{name}.xlsx", reference, "chu", "2026", rows)
    return parse_submission(path, reference)


def _without_amount_column(tmp_path: Path, reference) -> ParsedSubmission:
    """A file whose Investissements sheet lacks a required column: other columns
    than the other files', so checked in a stack of its own."""
    path = write_workbook(
        tmp_path / "sans-colonne.xlsx", reference, "chu", "2026", {"investments": [INVESTMENT]}
    )
    workbook = openpyxl.load_workbook(path)
    workbook["Investissements"].delete_cols(3)
    workbook.save(path)
    return parse_submission(path, reference)


def test_files_checked_together_get_exactly_their_findings_alone(tmp_path: Path, reference) -> None:
    parsed = [_parsed(tmp_path, reference, name, rows) for name, (_, rows) in PLANTED.items()]
    parsed.append(_without_amount_column(tmp_path, reference))
    planted = [rule for rule, _ in PLANTED.values()] + ["colonne_obligatoire"]
    # One file made for another partner than the folder it came from.
    partners = ["chu"] * (len(parsed) - 1) + ["universite"]

    alone = [
        validate_submission(submission, reference, partner_id, "2026")
        for submission, partner_id in zip(parsed, partners, strict=True)
    ]
    together = validate_submissions(list(zip(parsed, partners, strict=True)), reference, "2026")

    assert together == alone
    for rule, findings in zip(planted, together, strict=True):
        found = {finding.rule for finding in findings}
        assert rule in found if rule else not found
    assert "partenaire_different" in {finding.rule for finding in together[-1]}


@pytest.fixture
def suites_from(monkeypatch: pytest.MonkeyPatch):
    """Read the suites from another folder for the test, without leaking cached ones."""

    def use(folder: Path) -> None:
        monkeypatch.setattr(suites, "EXPECTATIONS_DIR", folder)
        suites.load_suite.cache_clear()
        suites._suite_is_stackable.cache_clear()

    yield use
    suites.load_suite.cache_clear()
    suites._suite_is_stackable.cache_clear()


def test_a_suite_with_a_rule_across_rows_checks_each_file_alone(
    tmp_path: Path, reference, suites_from
) -> None:
    """Uniqueness over a whole column would see one file's references in another's:
    a suite holding such an expectation is not stacked."""
    folder = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, folder)
    document = json.loads((folder / "actions.json").read_text("utf-8"))
    document["expectations"].append(
        {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": "action_ref"},
            "meta": {"rule": "unique_colonne", "message_fr": "{value}", "message_en": "{value}"},
        }
    )
    (folder / "actions.json").write_text(json.dumps(document), "utf-8")
    suites_from(folder)
    first, second = (
        _parsed(tmp_path, reference, name, rows) for name, (_, rows) in list(PLANTED.items())[:2]
    )

    assert validate_submissions([(first, None), (second, None)], reference) == [[], []]
    doubled = _parsed(tmp_path, reference, "doublon", PLANTED["doublon"][1])
    (findings,) = validate_submissions([(doubled, None)], reference)
    assert [f.rule for f in findings].count("unique_colonne") == 2  # the rule does check
