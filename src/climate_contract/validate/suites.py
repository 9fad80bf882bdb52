"""Run the suites and translate their results into partner findings.

Great Expectations is imported inside functions: it takes seconds to import and
DAG files must parse fast.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from climate_contract.contract import BOUNDS, Column
from climate_contract.findings import Finding, Severity, cap_findings
from climate_contract.parse import ParsedSheet, ParsedSubmission
from climate_contract.parse.values import to_text
from climate_contract.reference import CodeValue, ReferenceData
from climate_contract.settings import EXPECTATIONS_DIR
from climate_contract.validate.context import sheet_frames
from climate_contract.wording import Language, Wording

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite, ExpectationValidationResult
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.datasource.fluent.interfaces import Batch

SEVERITIES: dict[str, Severity] = {"critical": "error", "warning": "warning", "info": "warning"}
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row"]}


@cache
def batch_definition(asset_name: str) -> BatchDefinition:
    """A GX batch definition that takes a whole pandas frame, one per kind of frame."""
    source = _context().data_sources.add_or_update_pandas(f"frames_{asset_name}")
    asset = source.add_dataframe_asset(asset_name)
    return asset.add_batch_definition_whole_dataframe("whole_frame")


@cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@cache
def load_suite(name: str) -> ExpectationSuite:
    """The suite ``expectations/<name>.json``."""
    from great_expectations.core import ExpectationSuite

    document = json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return ExpectationSuite(**document)


def _label(value: Any) -> str:
    return to_text(value) if value is not None and not pd.isna(value) else ""


def _raised(exception_info: dict[str, Any]) -> bool:
    """Whether GX caught an exception: its report is flat or keyed by metric."""
    reports = [exception_info, *(v for v in exception_info.values() if isinstance(v, dict))]
    return any(report.get("raised_exception") for report in reports)


def _message(
    meta: dict[str, Any],
    column: Column | None,
    header: Wording | None,
    value: str,
    code_list: tuple[CodeValue, ...],
) -> Wording:
    """The expectation's message for the partner, in each language; ``header`` is the
    column's header as the partner's layout words it."""

    def said_in(language: Language) -> str:
        bounds = column.bounds.said_in(language) if column and column.bounds else {}
        return meta[f"message_{language}"].format(
            header=header.in_language(language) if header else "",
            value=value,
            allowed=", ".join(code.label.in_language(language) for code in code_list),
            **bounds,
        )

    return Wording(said_in("fr"), said_in("en"))


def _findings_of_outcome(
    outcome: ExpectationValidationResult,
    parsed: ParsedSheet,
    reference: ReferenceData,
    present: set[str],
) -> list[Finding]:
    """The findings of one failed expectation: one per unexpected row, or one for the sheet."""
    config = outcome.expectation_config
    referenced = [
        config.kwargs[key] for key in ("column", "column_A", "column_B") if key in config.kwargs
    ]
    if config.type != "expect_column_to_exist" and not set(referenced) <= present:
        return []  # reported once, by the missing-column expectation (or no context)
    # A pair expectation may point the partner at its second column (meta "column").
    column_name = config.meta.get("column", referenced[0] if referenced else None)
    if _raised(outcome.exception_info):
        raise RuntimeError(f"{config.type} failed on {column_name}: {outcome.exception_info}")
    column = parsed.sheet.column(column_name) if column_name else None
    code_list = reference.code_lists.get(config.meta.get("code_list", ""), ())
    unexpected = outcome.result.get("unexpected_index_list") or [{"source_row": None}]
    header = parsed.header(column) if column else None
    findings = []
    for entry in unexpected:
        row = entry["source_row"]
        letter = (
            parsed.letter(column_name, entry["table_row"])
            if column_name and row is not None
            else None
        )
        value = _label(entry.get(column_name)) if column_name else ""
        findings.append(
            Finding(
                SEVERITIES[config.severity.value],
                config.meta["rule"],
                _message(config.meta, column, header, value, code_list),
                sheet=parsed.title,
                row=parsed.header_row if row is None else int(row),
                column=letter,
                header=header,
                value=value or None,
            )
        )
    return findings


def _failed_outcomes(
    batch: Batch,
    suite: ExpectationSuite,
    result_format: dict[str, Any],
    parameters: dict[str, Any],
) -> list[ExpectationValidationResult]:
    """The failed expectations of ``suite`` with their unexpected rows.

    Collecting the rows costs about as much again as checking, and most files
    pass: all expectations are checked first, then only the failed ones again for
    their rows.
    """
    from great_expectations.core import ExpectationSuite

    checked = batch.validate(suite, result_format="BOOLEAN_ONLY", expectation_parameters=parameters)
    failed = [outcome.expectation_config for outcome in checked.results if not outcome.success]
    if not failed:
        return []
    detailed = batch.validate(
        ExpectationSuite(name=f"{suite.name}_failed", expectations=failed),
        result_format=result_format,
        expectation_parameters=parameters,
    )
    return [outcome for outcome in detailed.results if not outcome.success]


def validate_submission(
    parsed: ParsedSubmission,
    reference: ReferenceData,
    partner_id: str | None = None,
    campaign_id: str | None = None,
) -> list[Finding]:
    """Every finding of the submission: the parser's, then each sheet's suite's,
    capped (``cap_findings``) so that one typo repeated down a sheet stays readable.

    A cell the parser could not read is reported once, not again as missing.
    ``partner_id`` is the partner whose folder the file came from: a workbook made
    for another partner is refused; ``campaign_id`` the campaign being collected:
    a workbook made for another campaign is refused too.
    """
    findings = list(parsed.findings)
    if campaign_id is not None and parsed.declared_campaign not in (None, campaign_id):
        findings.append(
            Finding(
                "error",
                "campagne_differente",
                Wording(
                    f"Ce classeur a été préparé pour la campagne {parsed.declared_campaign} "
                    f"(feuille Instructions), mais c'est la campagne {campaign_id} qui est "
                    "ouverte : reportez vos données dans le modèle de la campagne "
                    f"{campaign_id} (demandez-le si vous ne l'avez pas), puis déposez-le.",
                    f"This workbook was made for the {parsed.declared_campaign} campaign "
                    f"(Instructions sheet), but the {campaign_id} campaign is open: copy your "
                    f"data into the {campaign_id} template (ask for it if you do not have "
                    "it), then drop it.",
                ),
                sheet="Instructions",
                value=parsed.declared_campaign,
            )
        )
    if partner_id is not None and parsed.declared_partner not in (None, partner_id):
        findings.append(
            Finding(
                "error",
                "partenaire_different",
                Wording(
                    f"Ce classeur a été préparé pour le partenaire « {parsed.declared_partner} » "
                    f"(feuille Instructions) mais déposé dans le dossier de « {partner_id} ». "
                    "Déposez-le dans le dossier de ce partenaire, ou repartez de votre propre "
                    "modèle.",
                    f'This workbook was made for partner "{parsed.declared_partner}" '
                    f'(Instructions sheet) but dropped in the folder of "{partner_id}". '
                    "Drop it in that partner's folder, or start again from your own template.",
                ),
                sheet="Instructions",
                value=parsed.declared_partner,
            )
        )
    parameters: dict[str, Any] = {
        f"codes_{list_name}": reference.codes(list_name) for list_name in reference.code_lists
    }
    for bounds in BOUNDS:
        parameters |= bounds.parameters
    actions = parsed.sheets.get("actions")
    parameters["indicator_unit_pairs"] = reference.indicator_unit_pairs
    # Without a readable Actions sheet (missing, hidden, over the limits), the
    # other sheets' references cannot be judged: that sheet's one finding says it,
    # not one "undeclared action" per row of the others.
    sources = [actions] if actions is not None else list(parsed.sheets.values())
    parameters["declared_action_refs"] = sorted(
        {
            action_ref
            for source in sources
            if "action_ref" in source.table.column_names
            for action_ref in source.table["action_ref"].drop_null().to_pylist()
        }
    )
    unreadable = {(f.sheet, f.row, f.column) for f in parsed.findings if f.severity == "error"}
    frames = sheet_frames(parsed)
    for parsed_sheet in parsed.sheets.values():
        frame = frames[parsed_sheet.sheet.name]
        batch = batch_definition(parsed_sheet.sheet.name).get_batch(
            batch_parameters={"dataframe": frame}
        )
        # Rows are named by their row number, and by their action where there is one.
        index_columns = [c for c in ("source_row", "action_ref", "table_row") if c in frame]
        outcomes = _failed_outcomes(
            batch,
            load_suite(parsed_sheet.sheet.name),
            RESULT_FORMAT | {"unexpected_index_column_names": index_columns},
            parameters,
        )
        findings.extend(
            finding
            for outcome in outcomes
            for finding in _findings_of_outcome(outcome, parsed_sheet, reference, set(frame))
            if (finding.sheet, finding.row, finding.column) not in unreadable
        )
    return cap_findings(_told_once(findings))


def _told_once(findings: list[Finding]) -> list[Finding]:
    """The findings without repeats of one rule on one cell: a cell read for two
    canonical sheets (a profile's start year is also its budget's year) is told once."""
    seen: set[object] = set()
    kept = []
    for finding in findings:
        key = (
            (finding.rule, finding.sheet, finding.row, finding.column)
            if finding.column is not None
            else finding
        )
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept
