"""The command lines: `python -m db` (migrate, create-clinician, reset-password) and `python -m demo seed`."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, PASSWORD


def cli(*args, stdin="", module="db"):
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          input=stdin, capture_output=True, text=True, timeout=120)


def demo_cli(*args):
    """`python -m demo …`: the demo practice has its own command, outside the database's."""
    return cli(*args, module="demo")


def test_create_clinician_makes_the_first_practice_and_an_admin(database):
    out = cli("create-clinician", "--username", "Head", "--name", "Hana Head", "--email", "hana@example.org",
              "--role", "admin", "--practice", "Riverside", "--password-stdin", stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    from db import clinicians, practices
    assert practices.count() == 1
    creds = clinicians.login_credentials(__import__("tests.conftest", fromlist=["NOW"]).NOW, rounds=12)
    assert creds["usernames"]["head"]["roles"] == ["admin"]


def test_create_clinician_refuses_a_weak_password_and_a_taken_username(database):
    weak = cli("create-clinician", "--username", "x1", "--name", "X", "--email", "x@example.org", "--password-stdin",
               stdin="short\n")
    assert weak.returncode == 1 and "12 characters" in weak.stderr
    ok = cli("create-clinician", "--username", "x1", "--name", "X", "--email", "x@example.org", "--password-stdin",
             stdin=PASSWORD + "\n")
    assert ok.returncode == 0
    again = cli("create-clinician", "--username", "x1", "--name", "X", "--email", "x@example.org", "--password-stdin",
                stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "taken" in again.stderr


def test_reset_password_clears_a_lockout(database, people):
    from datetime import timedelta
    from db import signins
    from tests.conftest import NOW
    for i in range(10):
        signins.record_failure("clara", NOW + timedelta(seconds=i), threshold=10, minutes=15)
    out = cli("reset-password", "--username", "clara", "--password-stdin", stdin="a brand new passphrase\n")
    assert out.returncode == 0, out.stderr
    assert not signins.is_locked("clara", NOW + timedelta(minutes=1))


def test_the_demo_seed_never_touches_postgresql(postgres_db):
    out = demo_cli("seed")
    assert out.returncode == 1 and "never" in out.stdout
    from db import practices
    assert practices.count() == 0


def test_the_demo_seed_runs_once_on_an_empty_sqlite_database(sqlite_db):
    first = demo_cli("seed", "--if-empty")
    assert first.returncode == 0 and "username: maya" in first.stdout
    from core import settings
    creds = (settings.load().data_dir / "demo-credentials.txt")
    assert creds.exists() and oct(creds.stat().st_mode & 0o777) == "0o600"
    password = creds.read_text().split("password: ")[1].split()[0]
    assert len(password) >= 12
    second = demo_cli("seed", "--if-empty")
    assert second.returncode == 0 and "Seeded" not in second.stdout and password in second.stdout
    assert demo_cli("seed").returncode == 1


def test_the_demo_is_deterministic_apart_from_the_password(tmp_path, monkeypatch, sqlite_template):
    import shutil
    import db
    from db import clients
    from db.actors import Actor
    from tests.conftest import NOW
    names = []
    for i in range(2):
        path = tmp_path / f"d{i}.db"
        shutil.copy(sqlite_template, path)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
        monkeypatch.setenv("DATA_DIR", str(tmp_path / f"data{i}"))
        db.dispose_all()
        from demo import seed
        seed.run(NOW, password="same password for both")
        names.append([(r["display_name"], r["timezone"], r["status"]) for r in
                      clients.list_for(Actor(3, 1, "admin", "admin"), now=NOW)])
    db.dispose_all()
    assert names[0] == names[1] and len(names[0]) == 8


def test_migrate_applies_on_both_databases(database):
    out = cli("migrate")
    assert out.returncode == 0, out.stderr
    from db import migrate
    from db.migrate import HERE
    heads = {p.stem.split("_")[0] for p in (HERE / "migrations" / "versions").glob("0*.py")}
    assert len(migrate.current_heads()) == 1


def test_a_bad_setting_stops_the_command_with_its_name(monkeypatch):
    monkeypatch.setenv("IDLE_TIMEOUT_MINUTES", "forever")
    out = cli("migrate")
    assert out.returncode == 2 and "IDLE_TIMEOUT_MINUTES" in out.stderr
