"""500 check-in POSTs at once, through real HTTP, to a real `streamlit run app.py` serving the client's
pages (issue 14: "500 concurrent check-in POSTs through real HTTP (many clients, a few repeated keys) →
exactly the expected rows, on both databases"; RELIABILITY.md: concurrent submissions lose nothing and
duplicate nothing).

100 clients, each with their own link and link session (a cookie jar of their own, as a phone's browser).
Each client's browser draws the check-in form in one tab and again in a second tab (the first form of a
link and day: both carry the same idempotency key), and twice more through "Check in again" (a new key
each). Then all 500 POSTs are sent at once from a pool of threads: the first tab double-taps Submit (2),
the second tab submits too (1), and each "again" form is submitted once (2). Expected: per client three
check-ins (one for the shared key, one per "again" form), each with its step answer, its audit row and
the fresh card link a saved check-in hands out; no answer other than 200, and the shared key's three
answers are one "saved" and two "already saved"."""
from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests import crowd
from tests.conftest import PG_URL, need, postgres_up
from tests.e2e.conftest import Server

CLIENTS = 100
ALREADY = "This check-in was already saved"
COUNTS = """
import json
from sqlalchemy import func, select
import db
from db.tables import audit_events, checkin_steps, checkins, client_links, clients
with db.read() as c:
    ids = select(clients.c.id).where(clients.c.display_name.like("Crowd %")).scalar_subquery()
    ours = checkins.c.client_id.in_(ids)
    n = lambda q: c.execute(q).scalar_one()
    print(json.dumps({
        "checkins": n(select(func.count()).where(ours)),
        "keys": n(select(func.count()).select_from(
            select(checkins.c.client_id, checkins.c.idempotency_key).where(ours).distinct().subquery())),
        "checkin_steps": n(select(func.count()).select_from(checkin_steps.join(checkins)).where(ours)),
        "audit": n(select(func.count()).where(audit_events.c.action == "checkin.submit",
                                              audit_events.c.client_id.in_(ids))),
        "card_links": n(select(func.count()).where(client_links.c.purpose == "card", client_links.c.client_id.in_(ids))),
        "per_client": sorted(set(c.execute(select(func.count()).where(ours).group_by(checkins.c.client_id)).scalars())),
    }))
"""


@pytest.fixture(params=["sqlite", "postgres"])
def crowd_server(request, tmp_path):
    """A real `streamlit run app.py` on a fresh demo database of the given kind."""
    extra, schema = {}, None
    if request.param == "postgres":
        need(postgres_up(), f"PostgreSQL at {PG_URL}")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        extra = {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": schema}
    srv = Server(tmp_path, seed=request.param == "sqlite", extra_env=extra)
    if schema:  # the demo seed runs on SQLite only: the practice and Maya, made the way the tests make people
        srv.run_python(crowd.practice_code())
    yield srv
    srv.stop()
    if schema:
        eng = create_engine(PG_URL)
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


def _browser_of(server, raw: str) -> tuple[httpx.Client, list[dict]]:
    """One client's browser: open the link (its token goes into the link session's cookie), draw the form
    in a first and a second tab, and two "Check in again" forms. Returns the browser and the five POSTs."""
    b = httpx.Client(base_url=server.url, timeout=120, limits=httpx.Limits(max_connections=5))
    opened = b.get(f"/c/?t={raw}")
    assert opened.status_code == 303 and opened.headers["location"] == "/c/checkin", opened.text[:300]
    assert "as_link_checkin" in b.cookies
    first, second = crowd.form(b.get("/c/checkin").text), crowd.form(b.get("/c/checkin").text)
    again = [crowd.form(b.get("/c/checkin?again=1").text) for _ in range(2)]
    assert first["idempotency_key"] == second["idempotency_key"], "a second tab draws the same first form"
    assert len({first["idempotency_key"], *(a["idempotency_key"] for a in again)}) == 3
    return b, [first, first, second, *again]


def test_500_concurrent_check_in_posts_over_http_save_exactly_the_expected_rows_and_no_5xx(crowd_server):
    raws = crowd.tokens(crowd_server.run_python, CLIENTS)
    browsers = [_browser_of(crowd_server, raw) for raw in raws]
    posts = [(n, b, body) for n, (b, bodies) in enumerate(browsers) for body in bodies]
    assert len(posts) == 500

    def send(item):
        n, b, body = item
        r = b.post("/c/checkin", data=body)
        return n, body["idempotency_key"], r.status_code, ("saved" if "Thank you" in r.text and ALREADY not in r.text
                                                           else "already" if ALREADY in r.text else r.text[:200])

    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(send, posts))
    for b, _ in browsers:
        b.close()

    assert [a for a in answers if a[2] != 200] == [], "every POST is answered 200 (no 5xx, no refusal)"
    outcome: dict[tuple[int, str], list[str]] = {}
    for n, key, _status, said in answers:
        outcome.setdefault((n, key), []).append(said)
    shared = [sorted(v) for (n, key), v in outcome.items() if key.startswith("link")]
    assert len(shared) == CLIENTS and all(v == ["already", "already", "saved"] for v in shared), shared[:5]
    assert all(v == ["saved"] for (n, key), v in outcome.items() if not key.startswith("link"))

    got = json.loads(crowd_server.run_python(COUNTS).strip().splitlines()[-1])
    expected = 3 * CLIENTS
    assert got == {"checkins": expected, "keys": expected, "checkin_steps": expected, "audit": expected,
                   "card_links": expected, "per_client": [3]}
    assert "Traceback" not in Path(crowd_server.log.name).read_text()
