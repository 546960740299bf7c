"""Reminders: the outbox, reminder preferences (pause, client quiet hours), worker heartbeats.

Revision ID: 0006_reminders
Revises: 0005_checkins
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0006_reminders"
down_revision = "0005_checkins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_id", sa.Integer, sa.ForeignKey("plan_steps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("slot", sa.String(5), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("window_end", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="due"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("provider_id", sa.String(200), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("client_id", "step_id", "local_date", "slot", name="uq_reminder_outbox_key"),
        sa.CheckConstraint("status in ('due', 'claimed', 'sending', 'sent', 'failed', 'expired', 'cancelled')",
                           name="status"),
    )
    op.create_index("ix_reminder_outbox_client_id", "reminder_outbox", ["client_id"])
    op.create_index("ix_reminder_outbox_status_next", "reminder_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "reminder_prefs",
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("paused_at", UTCDateTime, nullable=True),
        sa.Column("paused_by", sa.String(16), nullable=True),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker", sa.String(64), primary_key=True),
        sa.Column("last_pass_at", UTCDateTime, nullable=True),
        sa.Column("last_error_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    secure("reminder_outbox", "reminder_prefs", "worker_heartbeats")


def downgrade() -> None:
    for table in ("worker_heartbeats", "reminder_prefs", "reminder_outbox"):
        op.drop_table(table)
