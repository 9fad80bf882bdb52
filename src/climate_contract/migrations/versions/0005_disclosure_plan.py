"""Confidential figures are pooled and withheld by a disclosure plan, not by a
partner threshold the models apply; quantities are stored in double precision.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

QUANTITIES = {
    ("ref", "code_values"): ("scale",),
    ("ref", "emission_factors"): ("kgco2e_per_unit",),
    ("ref", "activities"): ("kgco2e_saved_per_unit",),
    ("core", "estimated_emissions"): (
        "activity_quantity",
        "kgco2e_saved_per_unit",
        "tco2e_avoided_per_year",
    ),
}


def upgrade() -> None:
    op.drop_table("publication_rules", schema="ref")
    op.create_table(
        "withheld_cells",
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("gross_reason", sa.Text(), nullable=True),
        sa.Column("deduplicated_reason", sa.Text(), nullable=True),
        schema="core",
    )
    for (schema, table), columns in QUANTITIES.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Double(), schema=schema)


def downgrade() -> None:
    for (schema, table), columns in QUANTITIES.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Float(), schema=schema)
    op.drop_table("withheld_cells", schema="core")
    op.create_table(
        "publication_rules",
        sa.Column("confidentiality_min_partners", sa.Integer(), nullable=False),
        schema="ref",
    )
