"""The warehouse as it was when migrations began: ref, landing and core tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("plan_axis", sa.Text(), nullable=True),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("municipality", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("shared_project_key", sa.Text(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=True),
        schema="core",
    )
    op.create_table(
        "estimated_emissions",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("activity_quantity", sa.Float(), nullable=False),
        sa.Column("activity_unit", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("factor_code", sa.Text(), nullable=False),
        sa.Column("replacement_factor_code", sa.Text(), nullable=True),
        sa.Column("kgco2e_saved_per_unit", sa.Float(), nullable=False),
        sa.Column("tco2e_avoided_per_year", sa.Float(), nullable=False),
        sa.Column("referential_version", sa.Text(), nullable=False),
        schema="core",
    )
    op.create_table(
        "impacts",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=True),
        sa.Column("indicator", sa.Text(), nullable=True),
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("first_full_year", sa.Integer(), nullable=True),
        schema="core",
    )
    op.create_table(
        "investments",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("source_sheet", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("action_ref", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("amount_eur", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("tax_basis", sa.Text(), nullable=True),
        sa.Column("nature", sa.Text(), nullable=True),
        sa.Column("funding_source", sa.Text(), nullable=True),
        schema="core",
    )
    op.create_table(
        "campaign_follow_up",
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("partner_name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("latest_status", sa.Text(), nullable=True),
        sa.Column("latest_file_name", sa.Text(), nullable=True),
        sa.Column("latest_error_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "checked_on", "partner_id"),
        schema="landing",
    )
    op.create_table(
        "findings",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("finding_index", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("column_letter", sa.Text(), nullable=True),
        sa.Column("header", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("message_fr", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "finding_index"),
        schema="landing",
    )
    op.create_table(
        "submissions",
        sa.Column("submission_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("action_rows", sa.Integer(), nullable=False),
        sa.Column("investment_rows", sa.Integer(), nullable=False),
        sa.Column("impact_rows", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id"),
        schema="landing",
    )
    op.create_table(
        "activities",
        sa.Column("referential_version", sa.Text(), nullable=False),
        sa.Column("activity_code", sa.Text(), nullable=False),
        sa.Column("label_fr", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("factor_code", sa.Text(), nullable=False),
        sa.Column("replacement_factor_code", sa.Text(), nullable=True),
        sa.Column("activity_unit", sa.Text(), nullable=False),
        sa.Column("kgco2e_saved_per_unit", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("referential_version", "activity_code"),
        schema="ref",
    )
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id"),
        schema="ref",
    )
    op.create_table(
        "code_values",
        sa.Column("list_name", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("label_fr", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("indicator_kind", sa.Text(), nullable=True),
        sa.Column("dimension", sa.Text(), nullable=True),
        sa.Column("scale", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("list_name", "code"),
        schema="ref",
    )
    op.create_table(
        "emission_factors",
        sa.Column("referential_version", sa.Text(), nullable=False),
        sa.Column("factor_code", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("kgco2e_per_unit", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_ids", sa.Text(), nullable=False),
        sa.Column("source_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("referential_version", "factor_code"),
        schema="ref",
    )
    op.create_table(
        "expected_partners",
        sa.Column("campaign_id", sa.Text(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "partner_id"),
        schema="ref",
    )
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("college", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id"),
        schema="ref",
    )
    op.create_table(
        "plan_targets",
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("plan_axis", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("milestone_year", sa.Integer(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("milestone_value", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("plan", "plan_axis", "indicator", "milestone_year"),
        schema="ref",
    )
    op.create_table(
        "publication_rules",
        sa.Column("confidentiality_min_partners", sa.Integer(), nullable=False),
        schema="ref",
    )
    op.create_table(
        "reference_state",
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        schema="ref",
    )
    op.create_table(
        "years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("year"),
        schema="ref",
    )


def downgrade() -> None:
    op.drop_table("years", schema="ref")
    op.drop_table("reference_state", schema="ref")
    op.drop_table("publication_rules", schema="ref")
    op.drop_table("plan_targets", schema="ref")
    op.drop_table("partners", schema="ref")
    op.drop_table("expected_partners", schema="ref")
    op.drop_table("emission_factors", schema="ref")
    op.drop_table("code_values", schema="ref")
    op.drop_table("campaigns", schema="ref")
    op.drop_table("activities", schema="ref")
    op.drop_table("submissions", schema="landing")
    op.drop_table("findings", schema="landing")
    op.drop_table("campaign_follow_up", schema="landing")
    op.drop_table("investments", schema="core")
    op.drop_table("impacts", schema="core")
    op.drop_table("estimated_emissions", schema="core")
    op.drop_table("actions", schema="core")
