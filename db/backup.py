"""Consistent backups: SQLite through VACUUM INTO (a snapshot of one read transaction, safe while
the app and the worker write), PostgreSQL through pg_dump of our schema."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

import db
from core import settings as settings_mod


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    return Path(make_url(db._sqlite_url(url)).database)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def backup(target: str | Path) -> Path:
    cfg = settings_mod.load()
    target = Path(target).resolve()
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name (backups are never overwritten).")
    target.parent.mkdir(parents=True, exist_ok=True)
    if cfg.is_postgres:
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
        url = make_url(cfg["DATABASE_URL"]).set(drivername="postgresql")
        cmd = ["pg_dump", "--format=custom", f"--schema={cfg['DATABASE_SCHEMA']}", "--no-owner",
               f"--file={target}", url.render_as_string(hide_password=False)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError("pg_dump failed: " + done.stderr.strip().splitlines()[-1] if done.stderr else "pg_dump failed")
        return target
    # Outside SQLAlchemy: VACUUM cannot run inside the transaction it would open for us.
    conn = sqlite3.connect(_sqlite_path(cfg["DATABASE_URL"]), isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()
    result = integrity(target)
    if result != "ok":
        raise BackupError(f"the backup failed its integrity check: {result}")
    return target


def restore_sqlite(source: str | Path) -> Path:
    """Replace the SQLite database with a backup. Stop the app and the worker first."""
    cfg = settings_mod.load()
    if cfg.is_postgres:
        raise BackupError("For PostgreSQL use pg_restore (see docs/deploy.md, Backups).")
    source = Path(source).resolve()
    if integrity(source) != "ok":
        raise BackupError(f"{source} fails its integrity check; not restored.")
    live = _sqlite_path(cfg["DATABASE_URL"])
    db.dispose_all()
    for suffix in ("-wal", "-shm"):
        Path(str(live) + suffix).unlink(missing_ok=True)
    if live.exists():
        live.rename(live.with_suffix(live.suffix + ".before-restore"))
    shutil.copy2(source, live)
    return live
