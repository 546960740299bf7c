"""Client links: hashed tokens with purpose, expiry and revocation.

Revision ID: 0002_client_links
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure

revision = "0002_client_links"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
        sa.CheckConstraint("purpose in ('consent', 'checkin', 'card', 'preferences')", name="purpose"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_client_links_client_id", "client_links", ["client_id"])
    secure("client_links")


def downgrade() -> None:
    op.drop_table("client_links")
