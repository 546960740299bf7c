"""Plans: plans, steps with immutable versions, level changes, practice templates.

Revision ID: 0004_plans
Revises: 0003_consent
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0004_plans"
down_revision = "0003_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("goal", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("finding_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("status in ('active', 'archived')", name="status"),
    )
    op.create_index("ix_plans_client_id", "plans", ["client_id"])
    op.create_table(
        "plan_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_plan_steps_plan_id", "plan_steps", ["plan_id"])
    op.create_table(
        "step_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("step_id", sa.Integer, sa.ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("anchor", sa.String(200), nullable=False),
        sa.Column("behaviour", sa.String(200), nullable=False),
        sa.Column("duration_min", sa.Integer, nullable=True),
        sa.Column("days", sa.String(20), nullable=False),
        sa.Column("window_start", sa.String(5), nullable=False),
        sa.Column("window_end", sa.String(5), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("levels", sa.Text, nullable=False),
        sa.Column("barrier", sa.String(200), nullable=False),
        sa.Column("if_then", sa.String(200), nullable=False),
        sa.Column("no_barrier", sa.Boolean, nullable=False),
        sa.Column("mastery_k", sa.Integer, nullable=False),
        sa.Column("mastery_n", sa.Integer, nullable=False),
        sa.Column("distress_tolerance", sa.Boolean, nullable=False),
        sa.Column("template_key", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
    )
    op.create_index("ix_step_versions_step_valid_from", "step_versions", ["step_id", "valid_from"])
    op.create_table(
        "level_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("step_id", sa.Integer, sa.ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("from_level", sa.Integer, nullable=False),
        sa.Column("to_level", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("clinician_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_level_changes_step_id", "level_changes", ["step_id"])
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("goal", sa.String(300), nullable=False),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("practice_id", "key"),
    )
    secure("plans", "plan_steps", "step_versions", "level_changes", "plan_templates")


def downgrade() -> None:
    for table in ("plan_templates", "level_changes", "step_versions", "plan_steps", "plans"):
        op.drop_table(table)
