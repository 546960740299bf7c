"""Alembic environment: batch mode for SQLite, a private schema on PostgreSQL."""
from alembic import context

import db.schema  # noqa: F401  (imports every table module so metadata is complete)
from db.meta import metadata

config = context.config
connection = config.attributes["connection"]
schema = config.attributes["schema"]
is_pg = connection.dialect.name == "postgresql"

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    version_table_schema=schema if is_pg else None,
    include_schemas=False,
)
with context.begin_transaction():
    context.run_migrations()
