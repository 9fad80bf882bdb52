"""Confidential figures are pooled and withheld by a disclosure plan, not by a
partner threshold the models apply; quantities are stored in double precision;
each submission records the fingerprint of the rows it loaded into core; a tax
basis says the VAT rate its amounts include; the territory's observed inventory
is reference data; the confidential pools each build published are kept.

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
        sa.Column("gross_rule", sa.Text(), nullable=True),
        sa.Column("deduplicated_rule", sa.Text(), nullable=True),
        schema="core",
    )
    for (schema, table), columns in QUANTITIES.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Double(), schema=schema)
    op.add_column(
        "submissions", sa.Column("core_sha256", sa.Text(), nullable=True), schema="landing"
    )
    op.add_column("code_values", sa.Column("vat_rate", sa.Double(), nullable=True), schema="ref")
    op.create_table(
        "published_pools",
        sa.Column("pool_signature", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "pool_signature", "submission_id", "source_sheet", "source_row", "measure"
        ),
        schema="core",
    )
    op.create_table(
        "observed_inventory",
        sa.Column("plan_axis", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("value", sa.Numeric(20, 6), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("plan_axis", "indicator", "year"),
        schema="ref",
    )


def downgrade() -> None:
    op.drop_table("published_pools", schema="core")
    op.drop_table("observed_inventory", schema="ref")
    op.drop_column("code_values", "vat_rate", schema="ref")
    op.drop_column("submissions", "core_sha256", schema="landing")
    for (schema, table), columns in QUANTITIES.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Float(), schema=schema)
    op.drop_table("withheld_cells", schema="core")
    op.create_table(
        "publication_rules",
        sa.Column("confidentiality_min_partners", sa.Integer(), nullable=False),
        schema="ref",
    )
