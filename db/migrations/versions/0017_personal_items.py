"""Personal items: up to three of a client's own questions on the daily check-in (a 0–10 scale with
the clinician's two end words, or yes/no). An item keeps its place and kind; its wording lives in
versions (a change of wording ends the old version and starts a new series). Answers belong to one
check-in and one version and, like check-ins, refuse UPDATE.

Revision ID: 0017_personal_items
Revises: 0016_staff_alerts
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import refuse_update, secure

revision = "0017_personal_items"
down_revision = "0016_staff_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.CheckConstraint("kind in ('scale', 'yesno')", name="kind"),
        sa.CheckConstraint("position between 1 and 3", name="position"),
    )
    op.create_index("ix_personal_items_client_id", "personal_items", ["client_id"])
    # At most three active items per client, held by the database: one active item per place, three places.
    op.create_index("uq_personal_items_active_position", "personal_items", ["client_id", "position"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"))
    op.create_table(
        "personal_item_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("personal_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("wording", sa.String(120), nullable=False),
        sa.Column("low_word", sa.String(40), nullable=True),
        sa.Column("high_word", sa.String(40), nullable=True),
        sa.Column("valid_from", UTCDateTime, nullable=False),
        sa.Column("valid_to", UTCDateTime, nullable=True),
        sa.Column("created_by", sa.Integer, nullable=False),
    )
    op.create_index("ix_personal_item_versions_item_id", "personal_item_versions", ["item_id"])
    op.create_index("ix_personal_item_versions_client_id", "personal_item_versions", ["client_id"])
    op.create_table(
        "personal_item_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("checkin_id", sa.Integer, sa.ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("personal_item_versions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.UniqueConstraint("checkin_id", "version_id"),
        sa.CheckConstraint("value between 0 and 10", name="value"),
    )
    op.create_index("ix_personal_item_answers_version_id", "personal_item_answers", ["version_id"])
    refuse_update("personal_item_answers")
    secure("personal_items", "personal_item_versions", "personal_item_answers")


def downgrade() -> None:
    for table in ("personal_item_answers", "personal_item_versions", "personal_items"):
        op.drop_table(table)
