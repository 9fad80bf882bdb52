"""Runs converge: a submission's delivery is recorded, inbox notices are kept for
the steward, the marts remember what they were built from, and reminders are
recorded before they are sent.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "submissions", sa.Column("delivered_at", sa.DateTime(), nullable=True), schema="landing"
    )
    # Submissions recorded before this revision were delivered in the same run.
    op.execute("UPDATE landing.submissions SET delivered_at = processed_at")
    op.create_table(
        "inbox_notices",
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("path", "kind"),
        schema="landing",
    )
    op.create_table(
        "reminders",
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "partner_id", "state", "checked_on"),
        schema="landing",
    )
    op.create_table(
        "marts_state",
        sa.Column("source_mark", sa.Text(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        schema="landing",
    )


def downgrade() -> None:
    op.drop_table("marts_state", schema="landing")
    op.drop_table("reminders", schema="landing")
    op.drop_table("inbox_notices", schema="landing")
    op.drop_column("submissions", "delivered_at", schema="landing")
