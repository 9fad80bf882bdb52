from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from climate_contract import warehouse
from climate_contract.reference import ReferenceData


def load_reference(connection: Connection, reference: ReferenceData) -> None:
    """Replace the ``ref`` tables with ``reference``, in the caller's transaction.

    Emission factors and activities are kept per referential version, so that
    every past estimate still finds the factors it used.
    """
    referential = reference.emission_factors
    versioned = {
        warehouse.emission_factors: [
            {
                "referential_version": referential.version,
                "factor_code": factor.code,
                "label": factor.label,
                "unit": factor.unit,
                "kgco2e_per_unit": factor.kgco2e_per_unit,
                "source": factor.source,
                "source_ids": factor.source_ids,
                "source_year": factor.source_year,
            }
            for factor in referential.factors.values()
        ],
        warehouse.activities: [
            {
                "referential_version": referential.version,
                "activity_code": activity.code,
                "label_fr": activity.fr,
                "rule": activity.rule,
                "factor_code": activity.factor,
                "replacement_factor_code": activity.replacement,
                "activity_unit": referential.unit_of(activity),
                "kgco2e_saved_per_unit": referential.kgco2e_saved_per_unit(activity),
            }
            for activity in referential.activities.values()
        ],
    }
    rows = {
        warehouse.years: [{"year": year} for year in warehouse.YEARS],
        warehouse.partners: [
            {
                "partner_id": partner.id,
                "name": partner.name,
                "college": partner.college,
                "contact": partner.contact,
                "contract_signed_on": partner.contract_signed_on,
            }
            for partner in reference.partners
        ],
        warehouse.campaigns: [
            {"campaign_id": c.id, "opens_on": c.opens_on, "deadline": c.deadline}
            for c in reference.campaigns
        ],
        warehouse.expected_partners: [
            {"campaign_id": campaign_id, "partner_id": partner.id}
            for partner in reference.partners
            for campaign_id in partner.campaigns
        ],
        warehouse.plan_targets: [target.model_dump() for target in reference.plan_targets],
        warehouse.observed_inventory: [
            point.model_dump() for point in reference.observed_inventory
        ],
        warehouse.communes: [
            {
                "commune_code": commune.code,
                "name": commune.name,
                "epci_code": commune.epci_code,
                "epci_name": commune.epci_name,
            }
            for commune in reference.communes
        ],
        warehouse.code_values: [
            {
                "list_name": list_name,
                "code": value.code,
                "label_fr": value.fr,
                "label_en": value.en,
                "indicator_kind": value.kind,
                "dimension": value.dimension,
                "scale": value.scale,
                "vat_rate": value.vat_rate,
            }
            for list_name, values in reference.code_lists.items()
            for value in values
        ],
    }
    rows |= _roadmap_rows(reference)
    for table, table_rows in rows.items():
        connection.execute(table.delete())
        if table_rows:
            connection.execute(table.insert(), table_rows)
    for table, table_rows in versioned.items():
        connection.execute(table.delete().where(table.c.referential_version == referential.version))
        connection.execute(table.insert(), table_rows)


def _roadmap_rows(reference: ReferenceData) -> dict[sa.Table, list[dict[str, object]]]:
    """The roadmap's levers, lever mapping, indicators and milestones; none (and the
    marts show nothing of it) where the territory keeps no roadmap."""
    roadmap = reference.roadmap
    if roadmap is None:
        return {
            warehouse.roadmap_levers: [],
            warehouse.roadmap_lever_axes: [],
            warehouse.roadmap_indicators: [],
            warehouse.roadmap_milestones: [],
        }
    return {
        warehouse.roadmap_levers: [
            {
                "lever": lever.code,
                "label_fr": lever.fr,
                "label_en": lever.en,
                "objective_fr": lever.objective_fr,
                "objective_en": lever.objective_en,
                "horizon_year": roadmap.start_year + lever.horizon,
            }
            for lever in roadmap.levers
        ],
        warehouse.roadmap_lever_axes: [
            {"plan_axis": axis, "lever": lever.code}
            for lever in roadmap.levers
            for axis in lever.plan_axes
        ],
        warehouse.roadmap_indicators: [
            {
                "indicator": indicator.code,
                "lever": indicator.lever,
                "label_fr": indicator.fr,
                "label_en": indicator.en,
                "measure": indicator.measure,
                "unit_fr": indicator.unit_label.fr,
                "unit_en": indicator.unit_label.en,
                "start_year": roadmap.start_year,
                "baseline_value": indicator.baseline,
            }
            for indicator in roadmap.indicators
        ],
        warehouse.roadmap_milestones: [
            {
                "indicator": indicator.code,
                "years_after_start": offset,
                "milestone_year": roadmap.start_year + offset,
                "target_value": target,
            }
            for indicator in roadmap.indicators
            for offset, target in sorted(indicator.milestones.items())
        ],
    }
