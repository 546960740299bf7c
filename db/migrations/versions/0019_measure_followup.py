"""Questionnaire follow-up: per assignment and due period, when the client's reminder mentioned it
(once) and when it was marked missed (db/measure_followups.py).

Revision ID: 0019_measure_followup
Revises: 0018_measure_baselines
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0019_measure_followup"
down_revision = "0018_measure_baselines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_followups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("assignment_id", sa.Integer, sa.ForeignKey("measure_assignments.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("period_start", UTCDateTime, nullable=False),
        sa.Column("nudged_at", UTCDateTime, nullable=True),
        sa.Column("nudge_outbox_id", sa.Integer, nullable=True),
        sa.Column("missed_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("assignment_id", "period_start"),
    )
    secure("measure_followups")


def downgrade() -> None:
    op.drop_table("measure_followups")
