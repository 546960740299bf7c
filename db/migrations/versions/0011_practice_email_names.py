"""Practice settings for email: a neutral sender name (NULL: "Anchorstep") used in the From line and the
subject, and whether the practice name appears inside the message (off: a subject naming a therapy
practice tells anyone who sees the inbox that the client is in therapy).

Revision ID: 0011_practice_email_names
Revises: 0010_checkins_by_time
"""
import sqlalchemy as sa
from alembic import op

from db.migrations.helpers import table_schema

revision = "0011_practice_email_names"
down_revision = "0010_checkins_by_time"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite adds a column with a constant default in place; no batch copy needed.
    op.add_column("practices", sa.Column("email_sender_name", sa.String(120), nullable=True), schema=table_schema())
    op.add_column("practices", sa.Column("email_shows_practice_name", sa.Boolean, nullable=False,
                                         server_default=sa.false()), schema=table_schema())


def downgrade() -> None:
    with op.batch_alter_table("practices", schema=table_schema()) as batch:
        batch.drop_column("email_shows_practice_name")
        batch.drop_column("email_sender_name")
