"""Client languages: each practice has a language (default English) and each client may have their own
(NULL: the practice's). The client's pages, emails and calendar file follow it (core/i18n.py).

A consent checklist version may exist in several languages: one row per (practice, version, language), so a
Spanish checklist is a stored version of its own (the default one is stored on first use), and every
language of a version shares its number (a newer version asks every client again, whatever their language).

Revision ID: 0014_client_language
Revises: 0013_consent_checkups
"""
import sqlalchemy as sa
from alembic import op

from db.migrations.helpers import table_schema

revision = "0014_client_language"
down_revision = "0013_consent_checkups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite adds a column with a constant default in place; no batch copy needed.
    op.add_column("practices", sa.Column("language", sa.String(16), nullable=False, server_default="en"),
                  schema=table_schema())
    op.add_column("clients", sa.Column("language", sa.String(16), nullable=True), schema=table_schema())
    with op.batch_alter_table("consent_templates", schema=table_schema()) as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=False, server_default="en"))
        batch.drop_constraint("uq_consent_templates_practice_id", type_="unique")
        batch.create_unique_constraint("uq_consent_templates_version_language", ["practice_id", "version", "language"])


def downgrade() -> None:
    with op.batch_alter_table("consent_templates", schema=table_schema()) as batch:
        batch.drop_constraint("uq_consent_templates_version_language", type_="unique")
        batch.create_unique_constraint("uq_consent_templates_practice_id", ["practice_id", "version"])
        batch.drop_column("language")
    for table in ("clients", "practices"):
        with op.batch_alter_table(table, schema=table_schema()) as batch:
            batch.drop_column("language")
