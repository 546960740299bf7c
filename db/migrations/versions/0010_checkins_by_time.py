"""Check-ins by client and time: the caseload's "last check-in" is the newest submitted_at per client,
one index probe each with this index (it was two queries: the newest day, then that day's rows).

Revision ID: 0010_checkins_by_time
Revises: 0009_checkins_by_day
"""
from alembic import op

revision = "0010_checkins_by_time"
down_revision = "0009_checkins_by_day"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_checkins_client_id_submitted_at", "checkins", ["client_id", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_checkins_client_id_submitted_at", "checkins")
