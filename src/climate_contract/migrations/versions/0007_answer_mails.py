"""Each file's answer is also mailed to the partner's contact: recorded before it is
sent, so that a retried task never mails it twice.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_mails",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id"),
        schema="landing",
    )


def downgrade() -> None:
    op.drop_table("answer_mails", schema="landing")
