from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from climate_contract.findings import Finding
from climate_contract.parse import ParsedSheet
from climate_contract.reference import ReferenceData
from climate_contract.wording import Wording, number_wording

DECLARED_CARBON_INDICATOR = "ges_evites"
ESTIMATE_COLUMNS = pa.schema(
    [
        ("source_row", pa.int64()),
        ("action_ref", pa.string()),
        ("indicator", pa.string()),
        ("activity_quantity", pa.float64()),
        ("activity_unit", pa.string()),
        ("rule", pa.string()),
        ("factor_code", pa.string()),
        ("replacement_factor_code", pa.string()),
        ("kgco2e_saved_per_unit", pa.float64()),
        ("tco2e_avoided_per_year", pa.float64()),
        ("referential_version", pa.string()),
    ]
)


def _in_base_unit(value: float, unit: str, reference: ReferenceData) -> float | None:
    unit_value = reference.code_value("unit", unit)
    if unit_value is None or unit_value.scale is None:
        return None
    return value * unit_value.scale


def declared_carbon(
    impacts: pa.Table, reference: ReferenceData
) -> Iterator[tuple[str | None, float, int]]:
    """Each impact row declaring tCO2e avoided a year, in tCO2e (its unit's scale, as
    ``sql/models/staging/stg_impacts.sql``): its action, tonnes and source row."""
    for row in impacts.to_pylist():
        if row["indicator"] != DECLARED_CARBON_INDICATOR or row["value"] is None:
            continue
        tonnes = _in_base_unit(row["value"], row["unit"], reference)
        if tonnes is not None:
            yield row["action_ref"], tonnes, row["source_row"]


def estimated_by_action(estimates: pa.Table) -> dict[str | None, float]:
    """The tCO2e a year ``estimate_emissions`` found, added up by action."""
    totals: dict[str | None, float] = defaultdict(float)
    for row in estimates.select(["action_ref", "tco2e_avoided_per_year"]).to_pylist():
        totals[row["action_ref"]] += row["tco2e_avoided_per_year"]
    return dict(totals)


def estimate_emissions(impacts: pa.Table, reference: ReferenceData) -> pa.Table:
    """One row per impact row that is activity data: the tCO2e it avoids each year.

    Rows whose unit does not measure the activity are left out: validation
    rejects them.
    """
    referential = reference.emission_factors
    rows: list[dict[str, Any]] = []
    for impact in impacts.to_pylist():
        activity = referential.activities.get(impact["indicator"])
        if activity is None or impact["value"] is None:
            continue
        indicator = reference.code_value("indicator", activity.code)
        unit = reference.code_value("unit", impact["unit"])
        if indicator is None or unit is None or unit.dimension != indicator.dimension:
            continue
        quantity = _in_base_unit(impact["value"], impact["unit"], reference)
        saved_per_unit = referential.kgco2e_saved_per_unit(activity)
        rows.append(
            {
                "source_row": impact["source_row"],
                "action_ref": impact["action_ref"],
                "indicator": activity.code,
                "activity_quantity": quantity,
                "activity_unit": referential.unit_of(activity),
                "rule": activity.rule,
                "factor_code": activity.factor,
                "replacement_factor_code": activity.replacement,
                "kgco2e_saved_per_unit": saved_per_unit,
                "tco2e_avoided_per_year": quantity * saved_per_unit / 1000,
                "referential_version": referential.version,
            }
        )
    return pa.Table.from_pylist(rows, schema=ESTIMATE_COLUMNS)


def compare_with_declared(
    impacts: ParsedSheet, estimates: pa.Table, reference: ReferenceData, tolerance: float
) -> list[Finding]:
    """A warning on each action whose declared tCO2e departs from its estimate by more
    than ``tolerance`` (relative to the estimate)."""
    estimated = estimated_by_action(estimates)
    declared: dict[str | None, float] = defaultdict(float)
    first_row: dict[str | None, int] = {}
    for action_ref, tonnes, source_row in declared_carbon(impacts.table, reference):
        declared[action_ref] += tonnes
        first_row.setdefault(action_ref, source_row)
    findings = []
    for action_ref, declared_tonnes in declared.items():
        if action_ref not in estimated:
            continue
        estimate = estimated[action_ref]
        if abs(declared_tonnes - estimate) <= tolerance * abs(estimate):
            continue
        declared_text = number_wording(declared_tonnes, 1)
        estimated_text = number_wording(estimate, 1)
        findings.append(
            Finding(
                "warning",
                "estimation_divergente",
                Wording(
                    f"Vous déclarez {declared_text.fr} tCO2e/an évitées pour l'action "
                    f"« {action_ref} » ; vos données d'activité donnent une estimation de "
                    f"{estimated_text.fr} tCO2e/an (facteurs ADEME Base Carbone). Vérifiez "
                    "l'une ou l'autre valeur, ou expliquez l'écart dans la description.",
                    f"You declare {declared_text.en} tCO2e/year avoided for action "
                    f'"{action_ref}"; your activity data give an estimate of '
                    f"{estimated_text.en} tCO2e/year (ADEME Base Carbone factors). Check "
                    "either value, or explain the difference in the description.",
                ),
                sheet=impacts.title,
                row=first_row[action_ref],
                column=impacts.column_letters.get("value"),
                header=impacts.sheet.column("value").header,
                value=f"{declared_tonnes:g}",
            )
        )
    return findings
