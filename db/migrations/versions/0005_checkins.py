"""Check-ins: check-ins and their step answers, questionnaires (assignments, responses, item answers),
safety flags. Check-ins and questionnaire answers refuse UPDATE (a correction is a new row).

Revision ID: 0005_checkins
Revises: 0004_plans
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import refuse_update, secure

revision = "0005_checkins"
down_revision = "0004_plans"
branch_labels = None
depends_on = None

IMMUTABLE = ("checkins", "checkin_steps", "measure_responses", "measure_answers")


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("mood", sa.Integer, nullable=False),
        sa.Column("distress", sa.Integer, nullable=False),
        sa.Column("thought", sa.Text, nullable=False, server_default=""),
        sa.Column("context_where", sa.String(100), nullable=False, server_default=""),
        sa.Column("context_with", sa.String(100), nullable=False, server_default=""),
        sa.Column("corrects_id", sa.Integer, sa.ForeignKey("checkins.id", ondelete="CASCADE"), nullable=True),
        sa.UniqueConstraint("client_id", "idempotency_key"),
        sa.CheckConstraint("mood between 0 and 10", name="mood"),
        sa.CheckConstraint("distress between 0 and 10", name="distress"),
    )
    op.create_table(
        "checkin_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("checkin_id", sa.Integer, sa.ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_id", sa.Integer, sa.ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=True),
        sa.Column("label", sa.String(32), nullable=True),
        sa.CheckConstraint("status in ('done', 'partly', 'not_today')", name="status"),
    )
    op.create_index("ix_checkin_steps_checkin_id", "checkin_steps", ["checkin_id"])
    op.create_index("ix_checkin_steps_step_id", "checkin_steps", ["step_id"])
    op.create_table(
        "measure_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("measure", sa.String(8), nullable=False),
        sa.Column("cadence", sa.String(8), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.CheckConstraint("measure in ('phq9', 'gad7')", name="measure"),
        sa.CheckConstraint("cadence in ('weekly', 'once')", name="cadence"),
    )
    op.create_index("ix_measure_assignments_client_id", "measure_assignments", ["client_id"])
    op.create_table(
        "measure_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("assignment_id", sa.Integer, sa.ForeignKey("measure_assignments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("measure", sa.String(8), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("band", sa.String(24), nullable=False),
        sa.UniqueConstraint("client_id", "idempotency_key"),
    )
    op.create_index("ix_measure_responses_assignment_id", "measure_responses", ["assignment_id"])
    op.create_table(
        "measure_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("response_id", sa.Integer, sa.ForeignKey("measure_responses.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("item", sa.Integer, nullable=False),
        sa.Column("answer", sa.Integer, nullable=False),
        sa.UniqueConstraint("response_id", "item"),
        sa.CheckConstraint("answer between 0 and 3", name="answer"),
    )
    op.create_table(
        "safety_flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("reviewed_at", UTCDateTime, nullable=True),
        sa.Column("reviewed_by", sa.Integer, nullable=True),
        sa.Column("review_note", sa.Text, nullable=True),
        sa.CheckConstraint("source in ('checkin', 'measure')", name="source"),
    )
    op.create_index("ix_safety_flags_client_id", "safety_flags", ["client_id"])
    for table in IMMUTABLE:
        refuse_update(table)
    secure("checkins", "checkin_steps", "measure_assignments", "measure_responses", "measure_answers", "safety_flags")


def downgrade() -> None:
    for table in ("safety_flags", "measure_answers", "measure_responses", "measure_assignments", "checkin_steps",
                  "checkins"):
        op.drop_table(table)
