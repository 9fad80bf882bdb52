"""Partners' own layouts keep what they say: a sub-action's parent, the partner's
own axis and priority, and each amount's funder.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "actions": ("parent_action_ref", "partner_axis", "priority"),
    "investments": ("funder",),
}


def upgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Text(), nullable=True), schema="core")


def downgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for column in reversed(columns):
            op.drop_column(table, column, schema="core")
