"""A backup taken under write load restores and passes integrity_check."""
import subprocess
import threading
import time

import pytest
from sqlalchemy import func, select, text

import db
from db import audit, backup
from db.audit import audit_events
from tests.conftest import NOW, PG_URL


def count():
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(audit_events)).scalar_one()


def test_a_sqlite_backup_under_write_load_restores_cleanly(sqlite_db, people, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        while not stop.is_set():
            with db.write() as conn:
                audit.record(conn, now=NOW, action="client.read", actor=people["clara"], client_id=people["client_clara"])
            written.append(1)

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.3)
    before = count()
    target = backup.backup(tmp_path / "snap.db")
    time.sleep(0.2)
    stop.set()
    t.join()
    assert len(written) > 20
    assert backup.integrity(target) == "ok"
    after_all = count()
    backup.restore_sqlite(target)
    restored = count()
    assert before <= restored < after_all  # a snapshot from the middle of the load, complete and consistent
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_a_backup_never_overwrites_a_file(sqlite_db, tmp_path):
    (tmp_path / "exists.db").write_text("keep me")
    with pytest.raises(backup.BackupError):
        backup.backup(tmp_path / "exists.db")
    assert (tmp_path / "exists.db").read_text() == "keep me"


def test_a_damaged_file_is_not_restored(sqlite_db, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(Exception):
        backup.restore_sqlite(bad)


def test_a_postgres_backup_is_a_restorable_dump_of_our_schema(postgres_db, people, tmp_path):
    import shutil
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed for the PostgreSQL backup")
    target = backup.backup(tmp_path / "pg.dump")
    listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True).stdout
    assert f"TABLE DATA {postgres_db} clients" in listing and "TABLE DATA public" not in listing
