"""The contract's optional jobs part: jobs created and consolidated, and whether an
activity was created, on each action; the INSEE code of the commune each action
names, and the communes of the reference.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "jobs_created": sa.Numeric(20, 6),
    "jobs_consolidated": sa.Numeric(20, 6),
    "activity_created": sa.Boolean(),
    # Actions loaded before keep no code: reprocessing their files gives them one.
    "commune_code": sa.Text(),
}


def upgrade() -> None:
    for column, kind in NEW_COLUMNS.items():
        op.add_column("actions", sa.Column(column, kind, nullable=True), schema="core")
    op.create_table(
        "communes",
        sa.Column("commune_code", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("epci_code", sa.Text(), nullable=False),
        sa.Column("epci_name", sa.Text(), nullable=False),
        schema="ref",
    )


def downgrade() -> None:
    op.drop_table("communes", schema="ref")
    for column in reversed(NEW_COLUMNS):
        op.drop_column("actions", column, schema="core")
