"""Check-ins by client and day: the caseload and the client view read a client's check-ins in a date
range; without this index a client's whole history was scanned for every figure (bench: issue 8).

Revision ID: 0009_checkins_by_day
Revises: 0008_sessions
"""
from alembic import op

revision = "0009_checkins_by_day"
down_revision = "0008_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_checkins_client_id_local_date", "checkins", ["client_id", "local_date"])


def downgrade() -> None:
    op.drop_index("ix_checkins_client_id_local_date", "checkins")
