"""Consent: versioned checklist templates, consent rounds, and their append-only history.

Revision ID: 0003_consent
Revises: 0002_client_links
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import append_only, secure

revision = "0003_consent"
down_revision = "0002_client_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("practice_id", sa.Integer, sa.ForeignKey("practices.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("checklist", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.UniqueConstraint("practice_id", "version"),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_id", sa.Integer, sa.ForeignKey("consent_templates.id", ondelete="RESTRICT"),
                  nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("discussed", sa.Text, nullable=False, server_default="[]"),
        sa.Column("tech_ok", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("tech_note", sa.Text, nullable=False, server_default=""),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("confirmed_at", UTCDateTime, nullable=True),
        sa.Column("confirmed_name", sa.String(80), nullable=True),
        sa.Column("confirmed_items", sa.Text, nullable=True),
        sa.Column("renews_at", UTCDateTime, nullable=True),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("superseded_at", UTCDateTime, nullable=True),
        sa.Column("withdrawn_at", UTCDateTime, nullable=True),
        sa.Column("withdrawn_by", sa.String(120), nullable=True),
    )
    op.create_index("ix_consents_client_id", "consents", ["client_id"])
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("consent_id", sa.Integer, nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_label", sa.String(120), nullable=False),
    )
    op.create_index("ix_consent_events_client_id", "consent_events", ["client_id"])
    append_only("consent_events")
    secure("consent_templates", "consents", "consent_events")


def downgrade() -> None:
    for t in ("consent_events", "consents", "consent_templates"):
        op.drop_table(t)
