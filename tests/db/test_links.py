"""Client links: hashed at rest, expiring to the second, revocable, one purpose, opening changes nothing."""
from datetime import timedelta

from sqlalchemy import select

import db
from db import links
from db.audit import audit_events
from tests.conftest import NOW, make_reachable

TTL = {"consent": 14, "checkin": 7, "card": 7, "preferences": 7}


def new_link(people, purpose="checkin", who="clara"):
    make_reachable(people[f"client_{who}"])  # links other than consent need active consent
    return links.issue_for(people[who], people[f"client_{who}"], purpose, now=NOW, ttl_days=TTL)


def test_the_database_holds_no_raw_token(database, people):
    raw = new_link(people)
    with db.read() as conn:
        dump = [tuple(map(str, r)) for t in ("client_links", "audit_events")
                for r in conn.execute(select(links.client_links if t == "client_links" else audit_events)).all()]
    assert not any(raw in cell for row in dump for cell in row)


def test_a_link_expires_at_the_exact_second(database, people):
    raw = new_link(people)
    end = NOW + timedelta(days=7)
    with db.read() as conn:
        assert links.resolve_in(conn, raw, end - timedelta(seconds=1)).ok
        assert links.resolve_in(conn, raw, end).status == "invalid"
        assert links.resolve_in(conn, raw, end + timedelta(seconds=1)).status == "invalid"


def test_consent_links_last_fourteen_days(database, people):
    raw = new_link(people, "consent")
    with db.read() as conn:
        assert links.resolve_in(conn, raw, NOW + timedelta(days=14) - timedelta(seconds=1)).ok
        assert not links.resolve_in(conn, raw, NOW + timedelta(days=14)).ok


def test_a_revoked_link_does_nothing(database, people):
    raw = new_link(people)
    assert links.revoke_for(people["clara"], people["client_clara"], now=NOW) == 1
    with db.read() as conn:
        assert links.resolve_in(conn, raw, NOW).status == "invalid"


def test_a_card_token_cannot_be_used_for_a_check_in(database, people):
    raw = new_link(people, "card")
    with db.read() as conn:
        assert links.resolve_in(conn, raw, NOW, purpose="card").ok
        assert links.resolve_in(conn, raw, NOW, purpose="checkin").status == "invalid"


def test_opening_a_link_changes_nothing_but_the_audit_log(database, people):
    raw = new_link(people)
    with db.read() as conn:
        before = conn.execute(select(links.client_links)).all()
    for _ in range(3):
        assert links.open_link(raw, NOW).ok
    with db.read() as conn:
        assert conn.execute(select(links.client_links)).all() == before
        opened = conn.execute(select(audit_events).where(audit_events.c.action == "link.open")).all()
    assert len(opened) == 3 and all(raw not in r.detail for r in opened)


def test_every_failed_attempt_is_audited(database, people):
    for bad in ["", "x", "y" * 43]:
        assert links.open_link(bad, NOW).status == "invalid"
    with db.read() as conn:
        assert len(conn.execute(select(audit_events).where(audit_events.c.action == "link.refused")).all()) == 3


def test_a_discharged_clients_links_stop_working(database, people):
    from db import clients
    raw = new_link(people)
    c = clients.get(people["clara"], people["client_clara"], now=NOW)
    clients.update_client(people["clara"], c["id"], {**c, "status": "discharged"}, now=NOW)
    assert links.open_link(raw, NOW).status == "invalid"


def test_only_the_clients_clinician_can_make_a_link(database, people):
    import pytest
    with pytest.raises(db.NotFound):
        links.issue_for(people["colin"], people["client_clara"], "checkin", now=NOW, ttl_days=TTL)
    with pytest.raises(db.NotFound):
        links.issue_for(people["otto"], people["client_clara"], "checkin", now=NOW, ttl_days=TTL)


def test_a_link_is_the_client_pages_address_with_the_token():
    # Links made before the client pages moved were BASE/?t=TOKEN; those still open (tests/client/test_client_links.py).
    assert links.url("https://portal.example.org/", "abc_-123") == "https://portal.example.org/c/?t=abc_-123"
    assert links.url("http://localhost:8501", "x") == "http://localhost:8501/c/?t=x"
