from __future__ import annotations

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
    for table, table_rows in rows.items():
        connection.execute(table.delete())
        if table_rows:
            connection.execute(table.insert(), table_rows)
    for table, table_rows in versioned.items():
        connection.execute(table.delete().where(table.c.referential_version == referential.version))
        connection.execute(table.insert(), table_rows)
