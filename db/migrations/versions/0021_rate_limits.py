"""Rate limits in the database: one row per hit the link-lookup limit allowed (db/ratelimit.py), so every
app replica counts the same hits. Sources are stored as keyed hashes, never addresses or session ids.

Revision ID: 0021_rate_limits
Revises: 0020_more_measures
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0021_rate_limits"
down_revision = "0020_more_measures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index("ix_rate_limit_hits_key_hash_at", "key_hash", "at"),
        sa.Index("ix_rate_limit_hits_at", "at"),
    )
    secure("rate_limit_hits")


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
