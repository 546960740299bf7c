"""The storage rules: migrations match the tables, SQLite pragmas, append-only audit, Supabase roles."""
import pytest
from sqlalchemy import text

import db
from db import audit
from db.meta import metadata
import db.schema  # noqa: F401
from tests.conftest import NOW, PG_URL


def test_migrations_create_exactly_the_tables_the_code_defines(database):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    with db.engine().connect() as conn:
        opts = {"compare_type": False}
        if conn.dialect.name == "postgresql":
            import os
            opts["include_schemas"] = False
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    tables = [d for d in diff if d[0] in ("add_table", "remove_table")]
    assert tables == [] or all(d[1].name == "alembic_version" for d in tables if d[0] == "remove_table")


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(sqlite_db):
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_foreign_key_violation_is_refused(database):
    from db.clients import clients
    from sqlalchemy import insert, exc
    with pytest.raises(exc.IntegrityError):
        with db.write() as conn:
            conn.execute(insert(clients).values(practice_id=999, clinician_id=999, display_name="x", email="x@y.org",
                                                timezone="UTC", status="active", created_at=NOW, updated_at=NOW))


def test_audit_events_cannot_be_changed_or_deleted(database, people):
    with db.write() as conn:
        audit.record(conn, now=NOW, action="client.read", actor=people["clara"], client_id=people["client_clara"])
    for statement in ("UPDATE audit_events SET detail = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            with db.write() as conn:
                if conn.dialect.name == "postgresql":
                    import os
                    conn.execute(text(statement.replace("audit_events", f'"{os.environ["DATABASE_SCHEMA"]}".audit_events')))
                else:
                    conn.execute(text(statement))
    rows, _ = audit.list_events(people["ada"], now=NOW, action="client.read")
    assert rows and rows[0]["detail"] != "rewritten"


@pytest.mark.postgres
def test_supabase_roles_can_read_no_table(postgres_db, people):
    """Supabase's Data API runs as anon or authenticated. Even if someone grants them access,
    row level security with no policies shows them nothing; without grants they get an error."""
    schema = postgres_db
    eng = db.engine()
    with eng.connect() as conn:
        conn.execute(text("DO $$ BEGIN "
                          "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='anon') THEN CREATE ROLE anon NOLOGIN; END IF; "
                          "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF; "
                          "END $$"))
        conn.commit()
        tables = [r[0] for r in conn.execute(text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind = 'r'"), {"s": schema})]
        assert {"practices", "clinicians", "clients", "audit_events", "login_sessions"} <= set(tables)
        unprotected = [r[0] for r in conn.execute(text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind = 'r' AND NOT c.relrowsecurity"), {"s": schema})]
        assert unprotected == [], f"tables without row level security: {unprotected}"
        for role in ("anon", "authenticated"):
            for table in tables:
                # 1. As shipped: no privilege at all.
                conn.execute(text(f"SET ROLE {role}"))
                with pytest.raises(Exception, match="permission denied"):
                    conn.execute(text(f'SELECT * FROM "{schema}"."{table}"')).all()
                conn.rollback()
                # 2. Even with a careless grant, RLS without policies returns no rows.
                conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
                conn.execute(text(f'GRANT SELECT ON "{schema}"."{table}" TO {role}'))
                conn.execute(text(f"SET ROLE {role}"))
                assert conn.execute(text(f'SELECT * FROM "{schema}"."{table}"')).all() == []
                conn.rollback()
        with eng.connect() as owner:
            assert owner.execute(text(f'SELECT count(*) FROM "{schema}".clients')).scalar() == 3


def test_the_transaction_pooler_setting_turns_prepared_statements_off(postgres_db, monkeypatch):
    monkeypatch.setenv("DATABASE_POOLER", "transaction")
    with db.engine().connect() as conn:
        assert conn.connection.dbapi_connection.prepare_threshold is None
        assert conn.execute(text("select 1")).scalar() == 1
    monkeypatch.setenv("DATABASE_POOLER", "session")
    with db.engine().connect() as conn:
        assert conn.connection.dbapi_connection.prepare_threshold is not None
