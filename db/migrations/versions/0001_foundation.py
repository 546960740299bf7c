"""Foundation: practices, clinicians, clients, login sessions, audit events.

Revision ID: 0001_foundation
Revises:
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import append_only, secure

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("crisis_resources", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "clinicians",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime, nullable=True),
        sa.Column("password_changed_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("role in ('admin', 'clinician')", name="role"),
        sa.UniqueConstraint("username"),
    )
    op.create_index("ix_clinicians_practice_id", "clinicians", ["practice_id"])
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("status in ('active', 'paused', 'discharged')", name="status"),
    )
    op.create_index("ix_clients_practice_id", "clients", ["practice_id"])
    op.create_index("ix_clients_clinician_id", "clients", ["clinician_id"])
    op.create_table(
        "login_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("cookie_exp", sa.Float, nullable=True),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_login_sessions_clinician_id", "login_sessions", ["clinician_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("actor_label", sa.String(120), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("client_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_events_practice_at", "audit_events", ["practice_id", "at"])
    op.create_index("ix_audit_events_client_id", "audit_events", ["client_id"])
    append_only("audit_events")
    secure("practices", "clinicians", "clients", "login_sessions", "audit_events", "alembic_version")


def downgrade() -> None:
    for t in ("audit_events", "login_sessions", "clients", "clinicians", "practices"):
        op.drop_table(t)
