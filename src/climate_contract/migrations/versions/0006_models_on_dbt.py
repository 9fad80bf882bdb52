"""The SQL models are a dbt project built into their own schemas (staging,
intermediate, marts, checks, each with a build_ twin for write-audit-publish):
the intermediate models built into ``core`` until now, and the disclosure plan
there, leave it. ``core`` holds only what partners' files say.

A published pool's contributions are told apart by ``line`` too: a row of a
partner's own layout may hold several amounts of one measure.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FORMER_CORE_MODELS = (
    "action_facts",
    "action_figures",
    "carbon_lines",
    "impact_cells",
    "impact_lines",
    "investment_lines",
    "labels",
    "latest_observations",
    "money_cells",
    "pooled_investment_lines",
    "target_trajectories",
    "trajectory_years",
)
"""Tables the models wrote into ``core`` (not migrated: no migration made them)."""


POOL_COLUMNS = (
    "pool_signature, submission_id, source_sheet, source_row, measure, "
    "partner_id, action_ref, year, value"
)


def _published_pools(name: str, key: tuple[str, ...], *line: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("pool_signature", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        *line,
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(*key),
        schema="core",
    )


def _rebuild_published_pools(key: tuple[str, ...], *line: sa.Column) -> None:
    """DuckDB changes no primary key in place: the table is made again."""
    _published_pools("published_pools_rebuilt", key, *line)
    op.execute(
        f"INSERT INTO core.published_pools_rebuilt ({POOL_COLUMNS}) "
        f"SELECT {POOL_COLUMNS} FROM core.published_pools"
    )
    op.drop_table("published_pools", schema="core")
    # Alembic's rename qualifies the new name too, which DuckDB refuses.
    op.execute("ALTER TABLE core.published_pools_rebuilt RENAME TO published_pools")


KEY = ("pool_signature", "submission_id", "source_sheet", "source_row", "measure")


def upgrade() -> None:
    op.drop_table("withheld_cells", schema="core")
    for name in FORMER_CORE_MODELS:
        op.execute(f"DROP TABLE IF EXISTS core.{name}")
    # Pools recorded before lines were told apart held one contribution per row.
    line = sa.Column("line", sa.Integer(), autoincrement=False, nullable=False, server_default="0")
    _rebuild_published_pools((*KEY, "line"), line)


def downgrade() -> None:
    _rebuild_published_pools(KEY)
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
