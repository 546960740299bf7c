"""The caseload's per-client figures (db/caseload_figures.py): adherence and mood/distress means kept as
computed for each client's local day, so a caseload of 400 reruns without recomputing every client.

Revision ID: 0022_caseload_figures
Revises: 0021_rate_limits
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0022_caseload_figures"
down_revision = "0021_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caseload_figures",
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("computed_for", sa.String(200), nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("computed_at", UTCDateTime, nullable=False),
    )
    secure("caseload_figures")


def downgrade() -> None:
    op.drop_table("caseload_figures")
