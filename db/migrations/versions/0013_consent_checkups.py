"""Consent check-ups: the client's answers (immutable rows, UPDATE refused), the requests for one (by
the clinician or the worker), a `checkup` link purpose, and the practice's check-up interval (NULL: the
CONSENT_CHECKUP_WEEKS setting).

Revision ID: 0013_consent_checkups
Revises: 0012_skill_uses
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import refuse_update, secure, table_schema

revision = "0013_consent_checkups"
down_revision = "0012_skill_uses"
branch_labels = None
depends_on = None

OLD_PURPOSES = "purpose in ('consent', 'checkin', 'card', 'preferences')"
NEW_PURPOSES = "purpose in ('consent', 'checkin', 'card', 'preferences', 'checkup')"


def _purposes(condition: str) -> None:
    with op.batch_alter_table("client_links", schema=table_schema()) as batch:
        batch.drop_constraint(op.f("ck_client_links_purpose"), type_="check")
        batch.create_check_constraint("purpose", condition)


def upgrade() -> None:
    op.add_column("practices", sa.Column("consent_checkup_weeks", sa.Integer, nullable=True), schema=table_schema())
    _purposes(NEW_PURPOSES)
    op.create_table(
        "consent_checkups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("consent_id", sa.Integer, sa.ForeignKey("consents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("scales_version", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
        sa.Column("usefulness", sa.Integer, nullable=False),
        sa.Column("comfort", sa.Integer, nullable=False),
        sa.Column("misconceptions", sa.Integer, nullable=False),
        sa.Column("change", sa.String(8), nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("client_id", "idempotency_key"),
        sa.CheckConstraint("usefulness between 1 and 5", name="usefulness"),
        sa.CheckConstraint("comfort between 1 and 5", name="comfort"),
        sa.CheckConstraint("change in ('times', 'pause', 'stop')", name="change"),
    )
    op.create_index("ix_consent_checkups_client_id_submitted_at", "consent_checkups", ["client_id", "submitted_at"])
    op.create_table(
        "consent_checkup_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("checkup_id", sa.Integer, sa.ForeignKey("consent_checkups.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("statement_key", sa.String(32), nullable=False),
        sa.Column("statement_text", sa.String(300), nullable=False),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.UniqueConstraint("checkup_id", "position"),
        sa.CheckConstraint("answer in ('true', 'false', 'unsure')", name="answer"),
    )
    op.create_table(
        "consent_checkup_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("due_key", sa.String(64), nullable=False),
        sa.UniqueConstraint("client_id", "due_key"),
        sa.CheckConstraint("reason in ('schedule', 'renewal', 'clinician')", name="reason"),
    )
    for table in ("consent_checkups", "consent_checkup_answers", "consent_checkup_requests"):
        refuse_update(table)
    secure("consent_checkups", "consent_checkup_answers", "consent_checkup_requests")


def downgrade() -> None:
    for table in ("consent_checkup_requests", "consent_checkup_answers", "consent_checkups"):
        op.drop_table(table)
    _purposes(OLD_PURPOSES)
    with op.batch_alter_table("practices", schema=table_schema()) as batch:
        batch.drop_column("consent_checkup_weeks")
