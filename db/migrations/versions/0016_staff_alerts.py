"""Staff emails: safety alerts to the client's clinician, escalations to the admins, the weekly digest.
A separate outbox (`staff_outbox`, the reminder outbox's states and at-most-once rules, a unique dedupe
key per alert, escalation and digest week); per flag the alert that told its clinician and when it was
escalated; per clinician an alert address and the digest opt-in; per practice the escalation hours;
per worker the last alert and digest passes.

Revision ID: 0016_staff_alerts
Revises: 0015_two_factor
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure, table_schema

revision = "0016_staff_alerts"
down_revision = "0015_two_factor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = table_schema()
    op.add_column("practices", sa.Column("safety_escalate_hours", sa.Integer, nullable=True), schema=s)
    op.add_column("clinicians", sa.Column("alert_email", sa.String(254), nullable=True), schema=s)
    op.add_column("clinicians", sa.Column("weekly_digest", sa.Boolean, nullable=False, server_default=sa.false()),
                  schema=s)
    op.add_column("safety_flags", sa.Column("alert_id", sa.Integer, nullable=True), schema=s)
    op.add_column("safety_flags", sa.Column("alerted_at", UTCDateTime, nullable=True), schema=s)
    op.add_column("safety_flags", sa.Column("escalated_at", UTCDateTime, nullable=True), schema=s)
    op.add_column("worker_heartbeats", sa.Column("last_alert_pass_at", UTCDateTime, nullable=True), schema=s)
    op.add_column("worker_heartbeats", sa.Column("last_digest_pass_at", UTCDateTime, nullable=True), schema=s)
    op.create_table(
        "staff_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(32), nullable=False, unique=True),
        sa.Column("dedupe_key", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("flag_id", sa.Integer, nullable=True),
        sa.Column("flag_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hours", sa.Integer, nullable=True),
        sa.Column("due_at", UTCDateTime, nullable=False),
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
        sa.CheckConstraint("kind in ('safety_alert', 'escalation', 'digest')", name="kind"),
        sa.CheckConstraint("status in ('due', 'claimed', 'sending', 'sent', 'failed', 'cancelled')", name="status"),
        sa.Index("ix_staff_outbox_status_next", "status", "next_attempt_at"),
    )
    secure("staff_outbox")


def downgrade() -> None:
    op.drop_table("staff_outbox")
    s = table_schema()
    for table, cols in (("worker_heartbeats", ("last_digest_pass_at", "last_alert_pass_at")),
                        ("safety_flags", ("escalated_at", "alerted_at", "alert_id")),
                        ("clinicians", ("weekly_digest", "alert_email")),
                        ("practices", ("safety_escalate_hours",))):
        with op.batch_alter_table(table, schema=s) as batch:
            for c in cols:
                batch.drop_column(c)
