"""Findings are also said in English, for partners who read English.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("findings", sa.Column("message_en", sa.Text(), nullable=True), schema="landing")


def downgrade() -> None:
    op.drop_column("findings", "message_en", schema="landing")
