"""Helpers every migration uses for the rules that must hold on both databases."""
from alembic import context, op


def schema() -> str:
    return context.config.attributes["schema"]


def table_schema() -> str | None:
    """For ALTER operations: alembic renders them without the schema_translate_map, so name the
    schema explicitly on PostgreSQL (create_table is translated and needs nothing)."""
    return schema() if is_postgres() else None


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def secure(*tables: str) -> None:
    """PostgreSQL: row level security on (no policies, so Supabase's anon and authenticated roles
    read nothing even if granted), and nothing granted to PUBLIC. Call for every new table."""
    if not is_postgres():
        return
    s = schema()
    op.execute(f'REVOKE ALL ON SCHEMA "{s}" FROM PUBLIC')
    for t in tables:
        op.execute(f'ALTER TABLE "{s}"."{t}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'REVOKE ALL ON TABLE "{s}"."{t}" FROM PUBLIC')


def append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on a table (audit history cannot be rewritten through the app)."""
    if is_postgres():
        s = schema()
        op.execute(f'''
            CREATE OR REPLACE FUNCTION "{s}".refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$''')
        op.execute(f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{s}"."{table}" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{s}".refuse_change()')
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def refuse_update(table: str) -> None:
    """Refuse UPDATE only (rows are immutable once written; DELETE stays possible for erasure)."""
    if is_postgres():
        s = schema()
        op.execute(f'''
            CREATE OR REPLACE FUNCTION "{s}".refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is immutable once submitted', TG_TABLE_NAME; END $$''')
        op.execute(f'CREATE TRIGGER {table}_no_update BEFORE UPDATE ON "{s}"."{table}" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{s}".refuse_update()')
    else:
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is immutable once submitted'); END")
