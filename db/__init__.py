"""Storage: one engine per database URL, read and write transactions, and the shared errors.

`engine()` is the one way to connect. SQLite gets WAL, a busy timeout, foreign keys and
`BEGIN IMMEDIATE` for writes (so two writers queue instead of failing half-way); PostgreSQL keeps
every table in a private schema through `schema_translate_map`, which also works behind
Supabase's transaction pooler (a `SET search_path` would not survive there).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import ARRAY, Connection, Engine, Table, any_, bindparam, cast, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from core import settings as settings_mod
from db.meta import metadata  # noqa: F401  (re-exported)


class NotFound(LookupError):
    """The record does not exist, or the acting user may not see it (we never say which)."""


class Forbidden(PermissionError):
    """The acting user's role may not do this."""


_engines: dict[tuple, Engine] = {}
_lock = threading.Lock()


def _sqlite_url(url: str) -> str:
    parsed = make_url(url)
    db_path = parsed.database or ""
    if db_path and db_path != ":memory:" and not Path(db_path).is_absolute():
        db_path = str(settings_mod.ROOT / db_path)
        parsed = parsed.set(database=db_path)
    if db_path and db_path != ":memory:":
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return parsed.render_as_string(hide_password=False)


def _build(url: str, schema: str, pooler: str = "session", pool: tuple[int, int] = (5, 10)) -> Engine:
    if url.startswith("sqlite"):
        # hide_parameters: an error's message (which reaches a log) never carries what a person typed.
        eng = create_engine(_sqlite_url(url), connect_args={"check_same_thread": False, "timeout": 30},
                            hide_parameters=True)

        @event.listens_for(eng, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(eng, "begin")
        def _on_begin(conn: Connection):
            immediate = conn.get_execution_options().get("anchorstep_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return eng
    # A transaction pooler hands each transaction to any server connection: no prepared statements.
    connect_args = {"prepare_threshold": None} if pooler == "transaction" else {}
    # Per process: DATABASE_POOL_SIZE kept open, DATABASE_MAX_OVERFLOW more at a busy moment (docs/deploy.md,
    # "Running several replicas": every replica and worker is a process).
    eng = create_engine(url, pool_pre_ping=True, pool_size=pool[0], max_overflow=pool[1], connect_args=connect_args,
                        hide_parameters=True)  # an error's message never carries what a person typed
    return eng.execution_options(schema_translate_map={None: schema})


def engine(url: str | None = None, schema: str | None = None) -> Engine:
    """The engine for the configured database (cached per URL and schema)."""
    cfg = settings_mod.load()
    url = url or cfg["DATABASE_URL"]
    schema = schema or cfg["DATABASE_SCHEMA"]
    pool = (cfg["DATABASE_POOL_SIZE"], cfg["DATABASE_MAX_OVERFLOW"])
    key = (url, schema, cfg["DATABASE_POOLER"], pool)
    with _lock:
        if key not in _engines:
            _engines[key] = _build(url, schema, cfg["DATABASE_POOLER"], pool)
        return _engines[key]


def dispose_all() -> None:
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


def is_postgres(conn_or_engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def xact_lock(conn, *key: int, wait: bool = True) -> bool:
    """One writer at a time across processes: on PostgreSQL a transaction-level advisory lock (released at
    COMMIT or ROLLBACK, so a process that dies frees it, and a transaction pooler keeps it, since it pins
    the transaction to one server connection). `key` is one bigint or two ints (PostgreSQL keeps the two
    forms apart). `wait=False` tries once and says whether it was taken. On SQLite there is nothing to
    take: its write transaction (BEGIN IMMEDIATE) already serialises every writer."""
    if not is_postgres(conn):
        return True
    if wait:
        conn.execute(select(func.pg_advisory_xact_lock(*key)))
        return True
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(*key))).scalar())


def one_of(conn, column, values):
    """SQL: `column` is one of `values`. On PostgreSQL `column = ANY(:array)`, one parameter: the
    statement's text is the same whatever the count, so psycopg converts it once and PostgreSQL can
    keep it prepared (an IN-list of another length is a new statement each time). Elsewhere IN (...)."""
    if is_postgres(conn):
        return column == any_(cast(bindparam(None, list(values), type_=ARRAY(column.type)), ARRAY(column.type)))
    return column.in_(list(values))


def one_of_param(column, name: str, postgres: bool):
    """`one_of` with a named parameter, for a statement built once and executed many times (building
    and keying a statement costs more than running a short one): `= ANY(:name)` on PostgreSQL, an
    expanding IN elsewhere."""
    if postgres:
        return column == any_(cast(bindparam(name, type_=ARRAY(column.type)), ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def array_param(name: str, type_):
    """A typed array parameter (PostgreSQL only), for `= ANY(...)` and `unnest(...)`."""
    return cast(bindparam(name, type_=ARRAY(type_)), ARRAY(type_))


@contextmanager
def read() -> Iterator[Connection]:
    with engine().connect() as conn:
        with conn.begin():
            yield conn


@contextmanager
def write() -> Iterator[Connection]:
    """One transaction that writes; on SQLite it takes the write lock up front (BEGIN IMMEDIATE)."""
    with engine().connect() as conn:
        conn.execution_options(anchorstep_write=True)
        with conn.begin():
            yield conn


def insert_once(conn, table: Table, values: dict, keys: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new id, or None when a row with these keys
    exists (a concurrent transaction with the same key waits for the first and then inserts nothing).
    `rowcount` is not used: with implicit RETURNING it is not reliable on PostgreSQL."""
    dialect = postgresql if is_postgres(conn) else sqlite
    return conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
                        .returning(table.c.id)).scalar()
