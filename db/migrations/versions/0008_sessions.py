"""Sessions: the dates a clinician met a client (and the next one planned). Dates only, no notes.

Revision ID: 0008_sessions
Revises: 0007_practice_renewal
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0008_sessions"
down_revision = "0007_practice_renewal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("client_id", "on_date", name="uq_sessions_client_date"),
    )
    secure("sessions")


def downgrade() -> None:
    op.drop_table("sessions")
