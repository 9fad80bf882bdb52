"""Frames for the suites: each sheet's rows plus columns drawn from the other
sheets, so that cross-sheet rules are plain expectations in ``expectations/``."""

from __future__ import annotations

from collections import Counter
from statistics import median

import pandas as pd
import pyarrow as pa

from climate_contract.parse import ParsedSubmission

PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
MIN_AMOUNTS_FOR_MEDIAN = 3


def _column(table: pa.Table | None, name: str) -> list | None:
    if table is None or name not in table.column_names:
        return None
    return table[name].to_pylist()


def declared_action_refs(parsed: ParsedSubmission) -> set[str]:
    """The action references the file declares. Without a readable Actions sheet
    (missing, hidden, over the limits) the other sheets' references cannot be
    judged: that sheet's one finding says it, not one "undeclared action" per row
    of the others, so every reference of the file counts as declared."""
    actions = parsed.sheets.get("actions")
    sources = [actions] if actions is not None else list(parsed.sheets.values())
    return {
        action_ref
        for source in sources
        if "action_ref" in source.table.column_names
        for action_ref in source.table["action_ref"].drop_null().to_pylist()
    }


def sheet_frames(parsed: ParsedSubmission, file_index: int = 0) -> dict[str, pd.DataFrame]:
    """One frame per parsed sheet, with ``table_row``, the row's position in the parsed
    table (which locates the partner's cell), ``file_index``, which tells files
    checked together apart, and context columns where their sources exist:

    - actions: ``investment_rows`` and ``impact_rows`` declared for the action;
    - investments and impacts: ``action_declared``, whether the file declares the
      row's action;
    - investments: ``action_start_year`` and ``action_end_year`` of the action, and
      ``amount_to_partner_median``, the amount over the median of the file's
      amounts (when it has at least three).
    """
    tables = {name: sheet.table for name, sheet in parsed.sheets.items()}
    frames = {
        name: table.to_pandas(types_mapper=PANDAS_TYPES.get) for name, table in tables.items()
    }
    for frame in frames.values():
        frame["table_row"] = range(len(frame))
        frame["file_index"] = file_index
        # Rules the template's layout requires and a foreign one may not.
        frame["template_layout"] = parsed.profile is None
    declared = declared_action_refs(parsed)
    for sheet_name in ("investments", "impacts"):
        refs = _column(tables.get(sheet_name), "action_ref")
        if refs is not None:
            frames[sheet_name]["action_declared"] = pd.array(
                [None if ref is None else ref in declared for ref in refs], dtype="boolean"
            )
    action_refs = _column(tables.get("actions"), "action_ref")
    if action_refs is not None:
        for sheet_name, counted in (("investments", "investment_rows"), ("impacts", "impact_rows")):
            refs = _column(tables.get(sheet_name), "action_ref")
            if refs is not None:
                per_action = Counter(refs)
                frames["actions"][counted] = [per_action[ref] for ref in action_refs]
    investment_refs = _column(tables.get("investments"), "action_ref")
    if action_refs is not None and investment_refs is not None:
        for bound in ("start_year", "end_year"):
            years = _column(tables["actions"], bound)
            if years is not None:
                by_action = dict(zip(action_refs, years, strict=True))
                frames["investments"][f"action_{bound}"] = pd.array(
                    [by_action.get(ref) for ref in investment_refs], dtype="Int64"
                )
    investments = parsed.sheets.get("investments")
    amounts = (
        list(investments.compared_amounts)
        if investments is not None and investments.compared_amounts is not None
        else _column(tables.get("investments"), "amount_eur")
    )
    known = [amount for amount in amounts or [] if amount]
    if amounts is not None and len(known) >= MIN_AMOUNTS_FOR_MEDIAN:
        typical = median(known)
        frames["investments"]["amount_to_partner_median"] = [
            None if amount is None else amount / typical for amount in amounts
        ]
    return frames
