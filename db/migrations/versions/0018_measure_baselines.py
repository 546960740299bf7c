"""Reliable change: the baseline a clinician picks for a questionnaire's episode (one per assignment; none:
the episode's first answer), and each practice's choice of rule (NULL: the RELIABLE_CHANGE_RULE setting).

Revision ID: 0018_measure_baselines
Revises: 0017_personal_items
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure, table_schema

revision = "0018_measure_baselines"
down_revision = "0017_personal_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = table_schema()
    op.add_column("practices", sa.Column("reliable_change_rule", sa.String(16), nullable=True), schema=s)
    op.create_table(
        "measure_baselines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assignment_id", sa.Integer, sa.ForeignKey("measure_assignments.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("response_id", sa.Integer, sa.ForeignKey("measure_responses.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("chosen_by", sa.Integer, nullable=False),
        sa.Column("chosen_at", UTCDateTime, nullable=False),
    )
    secure("measure_baselines")


def downgrade() -> None:
    op.drop_table("measure_baselines")
    with op.batch_alter_table("practices", schema=table_schema()) as batch:
        batch.drop_column("reliable_change_rule")
