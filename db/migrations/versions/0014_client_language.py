"""Client languages: each practice has a language (default English) and each client may have their own
(NULL: the practice's). The client's pages, emails and calendar file follow it (core/i18n.py).

Revision ID: 0014_client_language
Revises: 0011_practice_email_names
"""
import sqlalchemy as sa
from alembic import op

from db.migrations.helpers import table_schema

revision = "0014_client_language"
down_revision = "0011_practice_email_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite adds a column with a constant default in place; no batch copy needed.
    op.add_column("practices", sa.Column("language", sa.String(16), nullable=False, server_default="en"),
                  schema=table_schema())
    op.add_column("clients", sa.Column("language", sa.String(16), nullable=True), schema=table_schema())


def downgrade() -> None:
    for table in ("clients", "practices"):
        with op.batch_alter_table(table, schema=table_schema()) as batch:
            batch.drop_column("language")
