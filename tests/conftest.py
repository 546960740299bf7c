"""Shared fixtures: a fixed clock, a fresh database per test on SQLite and on PostgreSQL, three
personas (clinician, colleague, outsider) plus an admin, and services that must fail in CI when
they are missing instead of skipping."""
from __future__ import annotations

import os
import shutil
import socket
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct horse battery"


def need(condition: bool, what: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be there."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{what} is required in CI (CI=true) but is not available")
        pytest.skip(f"{what} is not available")


def postgres_up() -> bool:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clear_caches():
    import db
    db.dispose_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (faster than migrating every time)."""
    import db.migrate
    path = tmp_path_factory.mktemp("template") / "template.db"
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.migrate.upgrade()
    _clear_caches()  # closing the last connection checkpoints the WAL into the file
    mp.undo()
    return path


@pytest.fixture(scope="session")
def pg_schema():
    """A migrated private schema on the local PostgreSQL, emptied between tests, dropped at the end."""
    need(postgres_up(), f"PostgreSQL at {PG_URL}")
    import db.migrate
    schema = f"t_{uuid.uuid4().hex[:10]}"
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", PG_URL)
    mp.setenv("DATABASE_SCHEMA", schema)
    db.migrate.upgrade()
    mp.undo()
    yield schema
    eng = create_engine(PG_URL)
    with eng.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    eng.dispose()
    _clear_caches()


def _truncate_pg(schema: str) -> None:
    import db
    from db.meta import metadata
    import db.schema  # noqa: F401
    names = ", ".join(f'"{schema}"."{t.name}"' for t in metadata.sorted_tables)
    with db.engine(PG_URL, schema).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path, monkeypatch, sqlite_template):
    """A fresh, migrated, empty database; the test runs once on each kind. Yields its kind."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    if request.param == "sqlite":
        path = tmp_path / "anchorstep.db"
        shutil.copy(sqlite_template, path)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    else:
        schema = request.getfixturevalue("pg_schema")
        monkeypatch.setenv("DATABASE_URL", PG_URL)
        monkeypatch.setenv("DATABASE_SCHEMA", schema)
        _truncate_pg(schema)
    yield request.param
    _clear_caches()


@pytest.fixture
def sqlite_db(tmp_path, monkeypatch, sqlite_template):
    """SQLite only (for app tests, which run in this process)."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "anchorstep.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    yield path
    _clear_caches()


@pytest.fixture
def postgres_db(tmp_path, monkeypatch, pg_schema):
    """PostgreSQL only, for what only PostgreSQL has (roles, row level security)."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("DATABASE_SCHEMA", pg_schema)
    _truncate_pg(pg_schema)
    yield pg_schema
    _clear_caches()


@pytest.fixture(scope="session")
def password_hash():
    from core import passwords
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def people(request, password_hash):
    """Practice A: admin Ada, clinician Clara (the owner), colleague Colin. Practice B: outsider Otto
    (a clinician) and Bea (B's admin). One client each for Clara, Colin and Otto."""
    import db
    from db import clients as clients_mod, clinicians, practices
    from db.actors import Actor
    from sqlalchemy import insert

    out = {}
    with db.write() as conn:
        a = practices.create(conn, name="Practice A", timezone="Europe/London", now=NOW)
        b = practices.create(conn, name="Practice B", timezone="America/New_York", now=NOW)
        for username, name, role, practice in [("ada", "Ada Admin", "admin", a), ("clara", "Clara Owner", "clinician", a),
                                               ("colin", "Colin Colleague", "clinician", a),
                                               ("otto", "Otto Outsider", "clinician", b), ("bea", "Bea Admin", "admin", b)]:
            cid = clinicians.insert_row(conn, practice_id=practice, username=username, display_name=name,
                                        email=f"{username}@example.org", role=role, password=PASSWORD, now=NOW,
                                        password_hash=password_hash)
            out[username] = Actor(cid, practice, role, username, name)
        for owner, cname, zone in [("clara", "Client of Clara", "Europe/London"),
                                   ("colin", "Client of Colin", "Europe/Berlin"),
                                   ("otto", "Client of Otto", "America/New_York")]:
            out[f"client_{owner}"] = conn.execute(insert(clients_mod.clients).values(
                practice_id=out[owner].practice_id, clinician_id=out[owner].clinician_id, display_name=cname,
                email=f"{owner}.client@example.org", timezone=zone, status="active", created_at=NOW,
                updated_at=NOW)).inserted_primary_key[0]
    return out


def make_reachable(client_id: int, now: datetime = NOW) -> None:
    """Put a client where their links work and their data is accepted: active consent.
    Tests of other features call it instead of walking through the consent flow."""
    import db
    from demo import builders
    with db.write() as conn:
        builders.record_confirmed_in(conn, client_id, at=now, by="test")


def open_flags(actor, now: datetime = NOW) -> dict[int, int]:
    """Client id -> open safety flags, as the caseload shows them to `actor` (clients without one are
    left out)."""
    from db import caseload
    return {r.id: r.open_flags for r in caseload.rows(actor, now=now) if r.open_flags}
