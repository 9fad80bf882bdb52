"""Run the suites and translate their results into partner findings.

Great Expectations is imported inside functions: it takes seconds to import and
DAG files must parse fast.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from climate_contract.contract import BOUNDS, WORKBOOK_SHEETS, Column, ColumnKind, Sheet
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
    from great_expectations.data_context.types import base
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # This module sets its own logger to INFO when imported (see the package's note).
    logging.getLogger(base.__name__).setLevel(logging.WARNING)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


_MISSING_COLUMN = (
    "colonne_obligatoire",
    Wording(
        "La colonne « {header} » est absente : ajoutez-la (copiez l'en-tête du modèle).",
        'The column "{header}" is missing: add it (copy the header from the template).',
    ),
)
_EMPTY_CELL = (
    "valeur_obligatoire",
    Wording(
        "La colonne « {header} » est obligatoire : remplissez cette cellule.",
        'The column "{header}" is required: fill in this cell.',
    ),
)
_UNLISTED_CODE = (
    "code_autorise",
    Wording(
        "« {value} » n'est pas une valeur autorisée pour « {header} ». Choisissez l'une de : "
        "{allowed}.",
        '"{value}" is not an allowed value for "{header}". Choose one of: {allowed}.',
    ),
)
_WRONG_TYPE = (
    "type",
    Wording(
        "La colonne « {header} » n'a pas été lue avec le bon type.",
        'The column "{header}" was not read with the right type.',
    ),
)
_TEMPLATE_ROWS = {"row_condition": "template_layout==True", "condition_parser": "pandas"}
"""The rows of files in the template's layout (``validate.context.sheet_frames``)."""
# How each number kind stands in the frames the suites check (validate.context).
_FRAME_TYPES: dict[ColumnKind, str] = {"integer": "Int64Dtype", "decimal": "float64"}


def _expectation(
    kind: str, column: Column, said: tuple[str, Wording], **kwargs: Any
) -> dict[str, Any]:
    rule, message = said
    meta = {"rule": rule, "message_fr": message.fr, "message_en": message.en}
    if kind == "expect_column_values_to_be_in_set":
        meta["code_list"] = column.code_list
    return {
        "type": kind,
        "kwargs": {"column": column.name, **kwargs},
        "severity": "critical",
        "meta": meta,
    }


def contract_expectations(sheet: Sheet) -> list[dict[str, Any]]:
    """What the contract says of each column of ``sheet``, as expectations: required
    columns exist and are filled, codes are in their list, numbers are of their kind
    and within their bounds (as parameters, ``Bounds.parameters``)."""
    exist, filled, listed, numbers = [], [], [], []
    for column in sheet.columns:
        if column.required:
            exist.append(_expectation("expect_column_to_exist", column, _MISSING_COLUMN))
            filled.append(
                _expectation(
                    "expect_column_values_to_not_be_null",
                    column,
                    _EMPTY_CELL,
                    **(_TEMPLATE_ROWS if column.filled_in_template_only else {}),
                )
            )
        if column.kind == "code" and column.code_list is not None:
            listed.append(
                _expectation(
                    "expect_column_values_to_be_in_set",
                    column,
                    _UNLISTED_CODE,
                    value_set={"$PARAMETER": f"codes_{column.code_list}"},
                )
            )
        if column.kind in _FRAME_TYPES:
            numbers.append(
                _expectation(
                    "expect_column_values_to_be_in_type_list",
                    column,
                    _WRONG_TYPE,
                    type_list=[_FRAME_TYPES[column.kind]],
                )
            )
        if column.bounds is not None:
            numbers.append(
                _expectation(
                    "expect_column_values_to_be_between",
                    column,
                    column.bounds.checked,
                    min_value={"$PARAMETER": f"{column.bounds.name}_min"},
                    max_value={"$PARAMETER": f"{column.bounds.name}_max"},
                )
            )
    return [*exist, *filled, *listed, *numbers]


@cache
def load_suite(name: str) -> ExpectationSuite:
    """The suite of ``name``: for a sheet of the contract, its columns' expectations
    (``contract_expectations``) then ``expectations/<name>.json``'s rules across
    columns, rows and sheets; otherwise (the marts' checks) the file alone."""
    from great_expectations.core import ExpectationSuite

    document = json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    sheet = next((sheet for sheet in WORKBOOK_SHEETS if sheet.name == name), None)
    if sheet is not None:
        document["expectations"] = [*contract_expectations(sheet), *document["expectations"]]
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
    column_codes: tuple[CodeValue, ...] = (),
) -> Wording:
    """The expectation's message for the partner, in each language; ``header`` is the
    column's header as the partner's layout words it, ``code_list`` the codes it says
    are allowed, ``column_codes`` those of the column, whose label tells the value."""
    # A code the partner picked is told by the label the partner picked.
    picked = next((code.label for code in column_codes if code.code == value), None)

    def said_in(language: Language) -> str:
        bounds = column.bounds.said_in(language) if column and column.bounds else {}
        return meta[f"message_{language}"].format(
            header=header.in_language(language) if header else "",
            value=picked.in_language(language) if picked else value,
            allowed=", ".join(code.label.in_language(language) for code in code_list),
            **bounds,
        )

    return Wording(said_in("fr"), said_in("en"))


def _findings_of_outcome(
    outcome: ExpectationValidationResult,
    sheets: list[ParsedSheet],
    reference: ReferenceData,
    present: set[str],
) -> list[tuple[int, Finding]]:
    """The findings of one failed expectation, each with the position in ``sheets``
    of the file it is about: one per unexpected row, or one per file for the sheet."""
    config = outcome.expectation_config
    referenced = [
        config.kwargs[key] for key in ("column", "column_A", "column_B") if key in config.kwargs
    ] + [column for column in config.kwargs.get("column_list", []) if column != "file_index"]
    if config.type != "expect_column_to_exist" and not set(referenced) <= present:
        return []  # reported once, by the missing-column expectation (or no context)
    # An expectation may point the partner at another column (meta "column").
    column_name = config.meta.get("column", referenced[0] if referenced else None)
    if _raised(outcome.exception_info):
        raise RuntimeError(f"{config.type} failed on {column_name}: {outcome.exception_info}")
    code_list = reference.code_lists.get(config.meta.get("code_list", ""), ())
    unexpected = outcome.result.get("unexpected_index_list") or [
        {"source_row": None, "file_index": index} for index in range(len(sheets))
    ]
    findings = []
    for entry in unexpected:
        parsed = sheets[entry["file_index"]]
        column = parsed.sheet.column(column_name) if column_name else None
        header = parsed.header(column) if column else None
        row = entry["source_row"]
        letter = (
            parsed.letter(column_name, entry["table_row"])
            if column_name and row is not None
            else None
        )
        value = _label(entry.get(column_name)) if column_name else ""
        finding = Finding(
            SEVERITIES[config.severity.value],
            config.meta["rule"],
            _message(
                config.meta,
                column,
                header,
                value,
                code_list,
                reference.code_lists.get(column.code_list or "", ()) if column else (),
            ),
            sheet=parsed.title,
            row=parsed.header_row if row is None else int(row),
            column=letter,
            header=header,
            value=value or None,
        )
        findings.append((entry["file_index"], finding))
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
    """Every finding of one submission (see ``validate_submissions``)."""
    return validate_submissions([(parsed, partner_id)], reference, campaign_id)[0]


def _declaration_findings(
    parsed: ParsedSubmission, partner_id: str | None, campaign_id: str | None
) -> list[Finding]:
    """A workbook made for another campaign or another partner than the one whose
    folder it came from is refused."""
    findings = []
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
    return findings


STACKABLE_EXPECTATIONS = frozenset(
    {
        # judged row by row
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_in_set",
        # judged on the columns and their types, which the files of a stack share
        "expect_column_to_exist",
        "expect_column_values_to_be_in_type_list",
    }
)
"""Expectations that judge each file alike whether it is checked alone or stacked
with other files of the same columns (and emptiness): ``validate_submissions``
checks a stack in one go only if its suite holds nothing else."""


def _stackable(expectation: Any) -> bool:
    kwargs = expectation.configuration.kwargs
    match expectation.expectation_type:
        case "expect_compound_columns_to_be_unique":
            return "file_index" in kwargs["column_list"]
        case "expect_table_row_count_to_be_between":
            # Whether a file has rows at all is what its stack shares.
            return kwargs.get("max_value") is None and (kwargs.get("min_value") or 0) <= 1
        case other:
            return other in STACKABLE_EXPECTATIONS


@cache
def _suite_is_stackable(name: str) -> bool:
    return all(_stackable(expectation) for expectation in load_suite(name).expectations)


def validate_submissions(
    submissions: list[tuple[ParsedSubmission, str | None]],
    reference: ReferenceData,
    campaign_id: str | None = None,
) -> list[list[Finding]]:
    """Every finding of each submission: the parser's, then each sheet's suite's,
    capped (``cap_findings``) so that one typo repeated down a sheet stays readable.

    Each submission comes with the partner whose folder it came from (a workbook
    made for another partner is refused); ``campaign_id`` is the campaign being
    collected (a workbook made for another is refused too). A cell the parser could
    not read is reported once, not again as missing.

    The sheets of one kind are checked together, stacked, when they have the same
    columns: Great Expectations costs about the same for one row as for thousands.
    """
    suite_findings: list[list[Finding]] = [[] for _ in submissions]
    parameters: dict[str, Any] = {
        f"codes_{list_name}": reference.codes(list_name) for list_name in reference.code_lists
    }
    for bounds in BOUNDS:
        parameters |= bounds.parameters
    parameters["indicator_unit_pairs"] = reference.indicator_unit_pairs
    frames = [sheet_frames(parsed, index) for index, (parsed, _) in enumerate(submissions)]
    for sheet_name, stack in _stacks(submissions, frames):
        frame = pd.concat([frames[index][sheet_name] for index in stack], ignore_index=True)
        sheets = [submissions[index][0].sheets[sheet_name] for index in stack]
        # Positions in the stack, which name the files in the findings.
        frame["file_index"] = frame["file_index"].map({f: p for p, f in enumerate(stack)})
        batch = batch_definition(sheet_name).get_batch(batch_parameters={"dataframe": frame})
        # Rows are named by their file, row number, and action where there is one.
        index_columns = [
            c for c in ("file_index", "source_row", "action_ref", "table_row") if c in frame
        ]
        outcomes = _failed_outcomes(
            batch,
            load_suite(sheet_name),
            RESULT_FORMAT | {"unexpected_index_column_names": index_columns},
            parameters,
        )
        for outcome in outcomes:
            for position, finding in _findings_of_outcome(outcome, sheets, reference, set(frame)):
                suite_findings[stack[position]].append(finding)
    findings = []
    for (parsed, partner_id), checked in zip(submissions, suite_findings, strict=True):
        unreadable = {(f.sheet, f.row, f.column) for f in parsed.findings if f.severity == "error"}
        findings.append(
            cap_findings(
                _told_once(
                    list(parsed.findings)
                    + _declaration_findings(parsed, partner_id, campaign_id)
                    + [f for f in checked if (f.sheet, f.row, f.column) not in unreadable]
                )
            )
        )
    return findings


def _stacks(
    submissions: list[tuple[ParsedSubmission, str | None]], frames: list[dict[str, pd.DataFrame]]
) -> list[tuple[str, list[int]]]:
    """The submissions whose sheets of a kind are checked together: same columns and
    types, all empty or none, and a suite that judges each file alike stacked."""
    stacks: dict[tuple[str, object], list[int]] = {}
    for index, (parsed, _) in enumerate(submissions):
        for sheet_name in parsed.sheets:
            frame = frames[index][sheet_name]
            shape = (
                tuple((str(column), str(dtype)) for column, dtype in frame.dtypes.items()),
                frame.empty,
            )
            key = shape if _suite_is_stackable(sheet_name) else index
            stacks.setdefault((sheet_name, key), []).append(index)
    # Each file's findings in the contract's order of sheets, however stacked.
    order = [sheet.name for sheet in WORKBOOK_SHEETS]
    return sorted(
        ((sheet_name, stack) for (sheet_name, _), stack in stacks.items()),
        key=lambda stack: order.index(stack[0]),
    )


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
