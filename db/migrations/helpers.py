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


def _refuse(table: str, verbs: tuple[str, ...], message: str, function: str, trigger: str) -> None:
    """A trigger that aborts `verbs` on `table` with `message` (the same SQL the migrations always ran)."""
    if is_postgres():
        s = schema()
        op.execute(f'''
            CREATE OR REPLACE FUNCTION "{s}".{function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% {message}', TG_TABLE_NAME; END $$''')
        op.execute(f'CREATE TRIGGER {table}_{trigger} BEFORE {" OR ".join(verbs)} ON "{s}"."{table}" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{s}".{function}()')
    else:
        for verb in verbs:
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} {message}'); END")


def append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on a table (audit history cannot be rewritten through the app)."""
    _refuse(table, ("UPDATE", "DELETE"), "is append-only", "refuse_change", "append_only")


def refuse_update(table: str) -> None:
    """Refuse UPDATE only (rows are immutable once written; DELETE stays possible for erasure)."""
    _refuse(table, ("UPDATE",), "is immutable once submitted", "refuse_update", "no_update")
