"""The contract's optional roadmap part: the territory's levers, indicators and their
milestones, the values the steward enters, and the day each partner signed its
engagement contract.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("partners", sa.Column("contract_signed_on", sa.Date()), schema="ref")
    op.create_table(
        "roadmap_levers",
        sa.Column("lever", sa.Text(), primary_key=True),
        sa.Column("label_fr", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("objective_fr", sa.Text(), nullable=False),
        sa.Column("objective_en", sa.Text(), nullable=False),
        sa.Column("horizon_year", sa.Integer(), nullable=False),
        schema="ref",
    )
    op.create_table(
        "roadmap_lever_axes",
        sa.Column("plan_axis", sa.Text(), primary_key=True),
        sa.Column("lever", sa.Text(), nullable=False),
        schema="ref",
    )
    op.create_table(
        "roadmap_indicators",
        sa.Column("indicator", sa.Text(), primary_key=True),
        sa.Column("lever", sa.Text()),
        sa.Column("label_fr", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("unit_fr", sa.Text(), nullable=False),
        sa.Column("unit_en", sa.Text(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Numeric(20, 6), nullable=False),
        schema="ref",
    )
    op.create_table(
        "roadmap_milestones",
        sa.Column("indicator", sa.Text(), primary_key=True),
        sa.Column("years_after_start", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("milestone_year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Numeric(20, 6), nullable=False),
        schema="ref",
    )
    op.create_table(
        "roadmap_values",
        sa.Column("indicator", sa.Text(), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.Numeric(20, 6), nullable=False),
        sa.Column("source", sa.Text()),
        schema="ref",
    )


def downgrade() -> None:
    for table in (
        "roadmap_values",
        "roadmap_milestones",
        "roadmap_indicators",
        "roadmap_lever_axes",
        "roadmap_levers",
    ):
        op.drop_table(table, schema="ref")
    op.drop_column("partners", "contract_signed_on", schema="ref")
