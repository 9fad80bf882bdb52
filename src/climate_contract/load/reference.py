from __future__ import annotations

from sqlalchemy.engine import Engine

from climate_contract import warehouse
from climate_contract.reference import ReferenceData


def load_reference(engine: Engine, reference: ReferenceData) -> None:
    """Replace the ``ref`` tables with ``reference``, all in one transaction."""
    rows = {
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
        warehouse.code_values: [
            {
                "list_name": list_name,
                "code": value.code,
                "label_fr": value.fr,
                "label_en": value.en,
                "indicator_kind": value.kind,
                "unit": value.unit,
            }
            for list_name, values in reference.code_lists.items()
            for value in values
        ],
    }
    with engine.begin() as connection:
        for table, table_rows in rows.items():
            connection.execute(table.delete())
            if table_rows:
                connection.execute(table.insert(), table_rows)
