"""Issue 20: the link-lookup rate limit lives in the database, so it holds across app replicas. Each
test runs on SQLite and PostgreSQL; the replica test starts real processes on the same database."""
import os
import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import select

import db
from core.ratelimit import LINK_LOOKUPS
from db import ratelimit
from tests.conftest import NOW, ROOT

GUESSER = "ip:203.0.113.9"


def hits() -> list[dict]:
    t = ratelimit.rate_limit_hits
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.at, t.c.id)).mappings()]


def test_rate_limit_link_lookups_the_21st_in_ten_minutes_is_refused(database):
    for _ in range(50):  # looking is free: it records nothing
        assert not ratelimit.over([GUESSER], NOW)
    for i in range(LINK_LOOKUPS.limit):
        assert ratelimit.record([GUESSER, "session:tab-1"], NOW + timedelta(seconds=i)) == []
    assert ratelimit.over([GUESSER], NOW + timedelta(minutes=5))
    assert ratelimit.record([GUESSER, "session:tab-1"], NOW + timedelta(minutes=5)) == ["ip", "session"]
    assert ratelimit.record(["ip:203.0.113.10", "session:tab-1"], NOW + timedelta(minutes=5)) == ["session"]
    assert not ratelimit.over(["ip:203.0.113.10"], NOW + timedelta(minutes=5))  # another address is not held back
    assert ratelimit.over(["ip:203.0.113.10", GUESSER], NOW + timedelta(minutes=5))
    assert not ratelimit.over([], NOW) and ratelimit.record([], NOW) == []  # no source, nothing counted
    # Refused lookups are not recorded; the stored rows name no address and no session.
    rows = hits()
    assert len(rows) == 2 * LINK_LOOKUPS.limit + 1
    assert {r["kind"] for r in rows} == {"ip", "session"}
    assert all(len(r["key_hash"]) == 64 for r in rows)
    assert not any("203.0.113" in str(v) or "tab-1" in str(v) for r in rows for v in r.values())


def test_rate_limit_window_slides_and_old_rows_are_pruned(database):
    for i in range(LINK_LOOKUPS.limit):
        assert ratelimit.record([GUESSER], NOW + timedelta(seconds=i)) == []
    assert ratelimit.record([GUESSER], NOW + timedelta(minutes=10) - timedelta(seconds=1)) == ["ip"]
    # Ten minutes after the first lookup, that one no longer counts: one more, and not two.
    assert ratelimit.record([GUESSER], NOW + timedelta(minutes=10)) == []
    assert ratelimit.record([GUESSER], NOW + timedelta(minutes=10, milliseconds=500)) == ["ip"]
    assert ratelimit.record([GUESSER], NOW + timedelta(minutes=10, seconds=1)) == []
    # Each recorded lookup deleted the expired ones: the table holds the window's rows only.
    assert [r["at"] for r in hits()] == ([NOW + timedelta(seconds=i) for i in range(2, LINK_LOOKUPS.limit)]
                                         + [NOW + timedelta(minutes=10), NOW + timedelta(minutes=10, seconds=1)])
    # An hour later, another address's five lookups clear all twenty old rows (four each).
    later = NOW + timedelta(hours=1)
    for i in range(5):
        assert ratelimit.record(["ip:198.51.100.1"], later + timedelta(seconds=i)) == []
    assert [r["at"] for r in hits()] == [later + timedelta(seconds=i) for i in range(5)]
    assert not ratelimit.over([GUESSER], later)


def test_rate_limit_concurrent_lookups_from_many_threads_allow_exactly_20(database):
    threads, each = 8, 6
    start = threading.Barrier(threads)
    allowed, errors = [], []

    def guess(n):
        try:
            start.wait()
            for i in range(each):
                if not ratelimit.record([GUESSER], NOW + timedelta(milliseconds=n * each + i)):
                    allowed.append(n)
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    workers = [threading.Thread(target=guess, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert len(allowed) == LINK_LOOKUPS.limit
    assert len(hits()) == LINK_LOOKUPS.limit


CHILD = """
import sys
from datetime import datetime, timedelta
import db
from db import ratelimit
now, n = datetime.fromisoformat(sys.argv[1]), int(sys.argv[2])
with db.read():
    pass  # connected before the start, so both processes guess at once
print("ready", flush=True)
sys.stdin.readline()
print("".join("-" if ratelimit.record([sys.argv[3]], now + timedelta(milliseconds=i)) else "+" for i in range(n)))
"""


def test_rate_limit_is_shared_across_processes_like_replicas(database):
    ratelimit.over([GUESSER], NOW)  # the cookie key the hashes are keyed with exists before the replicas start
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    replicas = [subprocess.Popen([sys.executable, "-c", CHILD, NOW.isoformat(), "15", GUESSER], cwd=ROOT, env=env,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for p in replicas:
            assert p.stdout.readline().strip() == "ready"
        for p in replicas:
            p.stdin.write("go\n")
            p.stdin.flush()
        outcomes = [p.communicate(timeout=60)[0].strip() for p in replicas]
    finally:
        for p in replicas:
            p.kill()
    assert [p.returncode for p in replicas] == [0, 0]
    # 30 lookups, 15 from each process: 20 allowed between them, and once refused, refused for both.
    assert sum(o.count("+") for o in outcomes) == LINK_LOOKUPS.limit
    assert all(o == "+" * o.count("+") + "-" * o.count("-") and len(o) == 15 for o in outcomes)
    assert ratelimit.record([GUESSER], NOW + timedelta(seconds=1)) == ["ip"]  # and for this one too
    assert len(hits()) == LINK_LOOKUPS.limit
