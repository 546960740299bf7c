"""Practice setting: days until consent renewal is due (NULL uses the CONSENT_RENEWAL_DAYS setting).

Revision ID: 0007_practice_renewal
Revises: 0006_reminders
"""
import sqlalchemy as sa
from alembic import op

from db.migrations.helpers import table_schema

revision = "0007_practice_renewal"
down_revision = "0006_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite adds a nullable column in place; no batch copy needed.
    op.add_column("practices", sa.Column("consent_renewal_days", sa.Integer, nullable=True), schema=table_schema())


def downgrade() -> None:
    with op.batch_alter_table("practices", schema=table_schema()) as batch:
        batch.drop_column("consent_renewal_days")
