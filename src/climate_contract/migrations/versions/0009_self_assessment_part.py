"""The contract's optional self-assessment part: each partner's maturity level, on
the scale of the reference's code lists, for each theme it assesses.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_assessment",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("maturity_level", sa.Text(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        # The scale's ends when the file was read: what the disclosure audit grants.
        sa.Column("scale_lowest", sa.Integer(), nullable=True),
        sa.Column("scale_highest", sa.Integer(), nullable=True),
        schema="core",
    )


def downgrade() -> None:
    op.drop_table("self_assessment", schema="core")
