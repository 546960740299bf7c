"""Consent check-ups on both databases: scoping for the three personas, idempotent submits, nothing
saved after withdrawal, append-only history, the caseload's reason and the worker's emails."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import db
from db import audit, caseload, checkups, consent, links
from db.tables import audit_events, consent_checkup_answers, consent_checkup_requests, consent_checkups
from tests.conftest import NOW, make_reachable

TTL = {"consent": 14, "checkin": 7, "card": 7, "preferences": 7, "checkup": 7}
RIGHT = {"s_realtime": "false", "s_emergency": "false", "s_stop": "true", "usefulness": "4", "comfort": "4"}
HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) :red[hi] $x^2$ www.evil.example \u202e"


def link(people, who="clara", at=NOW):
    make_reachable(people[f"client_{who}"], at - timedelta(days=40))
    return checkups.request(people[who], people[f"client_{who}"], now=at, ttl_days=TTL, deliver=None)["raw"]


def count(table=consent_checkups):
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


@pytest.mark.parametrize("who,client,allowed", [
    ("clara", "client_clara", True), ("ada", "client_clara", True), ("colin", "client_clara", False),
    ("otto", "client_clara", False), ("bea", "client_clara", False),
])
def test_checkup_history_and_requests_are_scoped_to_the_three_personas(database, people, who, client, allowed):
    raw = link(people)
    assert checkups.submit(raw, RIGHT, now=NOW).status == "saved"
    actor, cid = people[who], people[client]
    if allowed:
        assert len(checkups.history(actor, cid, now=NOW, default_weeks=4)["checkups"]) == 1
        assert checkups.request(actor, cid, now=NOW, ttl_days=TTL, deliver=None)["raw"]
    else:
        with pytest.raises(db.NotFound):
            checkups.history(actor, cid, now=NOW, default_weeks=4)
        with pytest.raises(db.NotFound):
            checkups.request(actor, cid, now=NOW, ttl_days=TTL, deliver=None)
        assert count(consent_checkup_requests) == 1  # only Clara's first request
        assert not any(r.id == cid for r in caseload.rows(actor, now=NOW))


def test_checkup_submit_is_idempotent_double_tap_and_second_tab(database, people):
    raw = link(people)
    first = checkups.submit(raw, RIGHT, now=NOW)
    again = checkups.submit(raw, RIGHT, now=NOW + timedelta(seconds=1))
    other_tab = checkups.submit(raw, {**RIGHT, "comfort": "1"}, now=NOW + timedelta(seconds=2))
    assert (first.status, again.status, other_tab.status) == ("saved", "already", "already")
    assert count() == 1 and count(consent_checkup_answers) == 3
    assert other_tab.checkup["comfort"] == 4


def test_checkup_submitted_after_withdrawal_saves_nothing(database, people):
    raw = link(people)
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW)
    assert checkups.submit(raw, RIGHT, now=NOW + timedelta(seconds=1)).status == "invalid"
    assert count() == 0 and count(consent_checkup_answers) == 0
    assert checkups.for_link(raw, NOW)["state"] == "withdrawn"
    with pytest.raises(ValueError, match="consent that counts"):
        checkups.request(people["clara"], people["client_clara"], now=NOW, ttl_days=TTL, deliver=None)


def test_checkup_link_stops_working_when_consent_expires(database, people):
    make_reachable(people["client_clara"], NOW - timedelta(days=200))  # renewal 90 + grace 14: expired
    with db.write() as conn:
        raw = links.issue(conn, client_id=people["client_clara"], purpose="checkup", now=NOW, ttl_days=TTL)
    assert checkups.submit(raw, RIGHT, now=NOW).status == "invalid" and count() == 0


def test_checkup_history_is_append_only(database, people):
    raw = link(people)
    checkups.submit(raw, RIGHT, now=NOW)
    for table, values in ((consent_checkups, {"comfort": 1}), (consent_checkup_answers, {"correct": True}),
                          (consent_checkup_requests, {"reason": "schedule"})):
        with pytest.raises(Exception, match="immutable"):
            with db.write() as conn:
                conn.execute(update(table).values(**values))
    assert checkups.history(people["clara"], people["client_clara"], now=NOW, default_weeks=4)["checkups"][0][
        "comfort"] == 4


def test_checkup_audit_rows_hold_no_answers_or_note(database, people):
    raw = link(people)
    checkups.submit(raw, {**RIGHT, "note": "CANARY-NOTE", "s_realtime": "true"}, now=NOW)
    checkups.history(people["clara"], people["client_clara"], now=NOW, default_weeks=4)
    with db.read() as conn:
        rows = conn.execute(select(audit_events.c.action, audit_events.c.detail)
                            .where(audit_events.c.action.like("checkup.%"))).all()
    assert [a for a, _ in rows] == ["checkup.request", "checkup.submit", "checkup.read"]
    assert not any("CANARY" in d or "true" in d or "real time" in d for _, d in rows)
    assert all(a in audit.ACTIONS for a, _ in rows)


def test_misconception_puts_a_checkup_reason_with_a_talking_point_on_the_caseload(database, people):
    raw = link(people)
    checkups.submit(raw, {**RIGHT, "s_realtime": "true", "note": HOSTILE}, now=NOW)
    (row,) = [r for r in caseload.rows(people["clara"], now=NOW + timedelta(days=1)) if r.id == people["client_clara"]]
    (flag,) = [f for f in row.flags if f.kind == "checkup"]
    assert "Suggested talking point: Client thought entries are watched in real time; corrected on 28 Nov." in flag.words
    assert "script" not in flag.words  # the client's note is never part of our words
    ups = checkups.history(people["clara"], people["client_clara"], now=NOW, default_weeks=4)
    assert ups["checkups"][0]["note"] == HOSTILE.strip()  # kept exactly, shown as text by the page


def test_low_comfort_is_a_suggestion_and_changes_nothing(database, people):
    raw = link(people)
    checkups.submit(raw, {**RIGHT, "comfort": "1", "usefulness": "2"}, now=NOW)
    (row,) = [r for r in caseload.rows(people["clara"], now=NOW) if r.id == people["client_clara"]]
    words = next(f.words for f in row.flags if f.kind == "checkup")
    assert "Comfort with what you see was 1 of 5" in words and "Usefulness was 2 of 5" in words
    with db.read() as conn:
        assert consent.is_active(conn, people["client_clara"], NOW)  # nothing paused or withdrawn by itself
    assert checkups.history(people["clara"], people["client_clara"], now=NOW, default_weeks=4)["checkups"][0][
        "change"] is None


def test_checkup_overdue_reason_on_the_caseload_counts_from_the_request(database, people):
    make_reachable(people["client_clara"], NOW - timedelta(weeks=6))
    (row,) = [r for r in caseload.rows(people["clara"], now=NOW) if r.id == people["client_clara"]]
    assert not any(f.kind == "checkup" for f in row.flags)  # due by the schedule, but nobody was asked yet
    checkups.request(people["clara"], people["client_clara"], now=NOW, ttl_days=TTL, deliver=None)
    (row,) = [r for r in caseload.rows(people["clara"], now=NOW + timedelta(days=8)) if r.id == people["client_clara"]]
    assert any(f.kind == "checkup" and "asked for on 28 Nov and not answered yet" in f.words for f in row.flags)


def test_the_worker_emails_a_due_checkup_once_whatever_the_number_of_passes(database, people):
    from core import settings as settings_mod
    from jobs import checkups as checkup_jobs
    make_reachable(people["client_clara"], NOW - timedelta(weeks=5))
    make_reachable(people["client_colin"], NOW - timedelta(weeks=1))
    sent = []
    cfg = settings_mod.load()
    assert checkup_jobs.send_due(NOW, cfg, deliver=sent.append) == 1
    assert checkup_jobs.send_due(NOW + timedelta(minutes=1), cfg, deliver=sent.append) == 0
    assert [m["email"] for m in sent] == ["clara.client@example.org"]
    assert checkups.for_link(sent[0]["raw"], NOW)["state"] == "open"
    assert set(sent[0]) >= {"raw", "email", "sender_name"} and "realtime" not in str(sent[0])


def test_checkup_statements_follow_the_confirmed_checklist_version(database, people):
    from core import consent as consent_rules
    from db import consent_templates
    items = [{**it, "statements": [{"key": "v2only", "text": "Version two's own statement.", "answer": "true",
                                    "correction": "It is true."}]} if it["key"] == "purpose" else it
             for it in consent_rules.DEFAULT_ITEMS]
    raw = link(people)
    assert [s["key"] for s in checkups.for_link(raw, NOW)["asked"]][:1] == ["realtime"]
    consent_templates.publish(people["ada"], items, now=NOW)
    assert "v2only" not in {s["key"] for s in checkups.for_link(raw, NOW)["pool"].values()}  # v1 still counts
    make_reachable(people["client_clara"], NOW + timedelta(minutes=1))  # the client confirms version 2
    page = checkups.for_link(raw, NOW + timedelta(minutes=2))
    assert page["version"] == 2 and [s["key"] for s in page["asked"]] == ["realtime", "v2only"]
    with pytest.raises(consent_templates.ChecklistRefused, match="statements"):
        consent_templates.publish(people["ada"], [{**items[0], "statements": [{"key": "bad", "text": "x"}]},
                                                  *items[1:]], now=NOW)


def test_checkup_export_and_erasure_include_checkups(database, people):
    import io
    import json
    import zipfile
    from db import lifecycle
    raw = link(people)
    checkups.submit(raw, {**RIGHT, "note": "=HYPERLINK(\"x\")"}, now=NOW)
    z = zipfile.ZipFile(io.BytesIO(lifecycle.export_client(people["ada"], people["client_clara"], now=NOW)))
    tables = json.loads(z.read("everything.json"))["tables"]
    assert len(tables["consent_checkups"]) == 1 and len(tables["consent_checkup_answers"]) == 3
    assert len(tables["consent_checkup_requests"]) == 1
    assert "'=HYPERLINK" in z.read("consent_checkups.csv").decode()  # a formula is neutralised in the CSV
    counts = lifecycle.erase_client(people["ada"], people["client_clara"], "Client of Clara", now=NOW)
    assert counts["consent_checkups"] == 1 and counts["consent_checkup_answers"] == 3
    assert count() == 0 and count(consent_checkup_answers) == 0
