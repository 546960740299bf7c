"""Consent on both databases: the flow, the gate on links, withdrawal in one transaction, and scoping."""
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

import db
from core import consent as consent_rules
from db import audit, caseload, consent, consent_templates, links, outbox
from db.audit import audit_events
from tests.conftest import NOW, make_reachable

TTL = {"consent": 14, "checkin": 7, "card": 7, "preferences": 7}
KEYS = [it["key"] for it in consent_rules.DEFAULT_ITEMS]
FORM = {"discussed": KEYS, "tech_ok": True, "tech_note": "Opened a test link on her phone in session."}


def handed_over(made):
    """A backend that took the email (the real sending is jobs.invites: tests/db/test_consent_email.py)."""


def send(people, who="clara", client=None, now=NOW, via="copy"):
    made, errors = consent.issue_link(people[who], people[client or f"client_{who}"], FORM, now=now, ttl_days=TTL,
                                      via=via, deliver=handed_over if via == "email" else None)
    assert errors == {}
    return made["raw"]


def state(people, who="clara", now=NOW):
    return consent.overview(people[who], people[f"client_{who}"], now=now, notice_days=14)["status"]


def confirm(raw, now=NOW, items=KEYS, name="Robin"):
    return consent.confirm(raw, items, name, now=now, renewal_days=90, grace_days=14)


def snapshot():
    with db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=lambda r: r[0])
                for t in (consent.consents, consent.consent_events, links.client_links)}


def test_it_walks_from_draft_to_awaiting_client_to_active(database, people):
    rid, errors = consent.record_discussion(people["clara"], people["client_clara"], FORM, now=NOW)
    assert errors == {} and state(people).state == "draft"
    made, errors = consent.issue_link(people["clara"], people["client_clara"], None, now=NOW, ttl_days=TTL,
                                      deliver=handed_over)
    assert errors == {} and state(people).label == "awaiting client"
    page = consent.for_link(made["raw"], NOW + timedelta(minutes=5))
    assert page["state"] == "open" and [it["key"] for it in page["items"]] == KEYS
    assert "Samaritans" in next(it["text"] for it in page["items"] if it["key"] == "limits")
    assert confirm(made["raw"], NOW + timedelta(hours=1)) == ("confirmed", {})
    st = state(people, now=NOW + timedelta(hours=2))
    assert (st.state, st.label, st.version) == ("active", "active", 1)
    assert st.renews_at == NOW + timedelta(hours=1, days=90)
    with db.read() as conn:
        assert consent.is_active(conn, people["client_clara"], NOW + timedelta(hours=2))
        events = [r.event for r in conn.execute(select(consent.consent_events).order_by(consent.consent_events.c.id))]
    assert events == ["discussed", "sent", "confirmed"]


def test_the_clinician_must_tick_every_item_and_the_technology_check(database, people):
    rid, errors = consent.record_discussion(people["clara"], people["client_clara"],
                                            {"discussed": KEYS[:-2], "tech_ok": False}, now=NOW)
    assert rid is None and set(errors) == {"discussed", "tech_ok"} and "2 still" in errors["discussed"]
    assert state(people).state == "none"


def test_the_client_must_confirm_every_item_and_type_a_name(database, people):
    raw = send(people)
    status, errors = confirm(raw, items=KEYS[:3], name="  ")
    assert status == "open" and set(errors) == {"items", "name"}
    status, errors = confirm(raw, name="Rob\u202ein")
    assert status == "open" and "name" in errors
    assert state(people).state == "awaiting_client"


def test_a_double_submit_confirms_once(database, people):
    raw = send(people)
    assert confirm(raw)[0] == "confirmed"
    assert confirm(raw)[0] == "already"
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(consent.consent_events)
                            .where(consent.consent_events.c.event == "confirmed")).scalar() == 1


def test_opening_the_consent_link_changes_no_consent_row(database, people):
    raw = send(people)
    before = snapshot()
    for _ in range(3):
        assert links.open_link(raw, NOW).ok
        assert consent.for_link(raw, NOW)["state"] == "open"
    assert snapshot() == before


def test_a_new_link_replaces_the_old_one(database, people):
    old = send(people)
    new = send(people, now=NOW + timedelta(minutes=1))
    assert confirm(old)[0] == "invalid"
    assert confirm(new)[0] == "confirmed"


def test_no_link_but_consent_works_without_active_consent(database, people):
    cid = people["client_clara"]
    checkin = links.issue_for(people["clara"], cid, "checkin", now=NOW, ttl_days=TTL)
    consent_raw = send(people)
    with db.read() as conn:
        assert links.resolve_in(conn, checkin, NOW).status == "invalid"
        assert links.resolve_in(conn, consent_raw, NOW).ok
    make_reachable(cid)
    with db.read() as conn:
        assert links.resolve_in(conn, checkin, NOW).ok
        # expired consent: the gate closes again (90 days + 14 days of grace)
        assert not consent.is_active(conn, cid, NOW + timedelta(days=104))
        assert consent.is_active(conn, cid, NOW + timedelta(days=104) - timedelta(seconds=1))


def test_the_database_holds_no_raw_consent_token(database, people):
    raw = send(people)
    confirm(raw)
    consent.withdraw_by_link(raw, NOW)
    dump = snapshot()
    with db.read() as conn:
        dump["audit"] = conn.execute(select(audit_events)).all()
    assert raw not in repr(dump)


def test_withdrawal_revokes_every_link_and_old_links_show_withdrawn(database, people):
    cid = people["client_clara"]
    raw = send(people)
    confirm(raw)
    others = [links.issue_for(people["clara"], cid, p, now=NOW, ttl_days=TTL) for p in ("checkin", "card", "preferences")]
    colin_link = links.issue_for(people["colin"], people["client_colin"], "consent", now=NOW, ttl_days=TTL)
    assert consent.withdraw_by_link(others[0], NOW + timedelta(days=1)) == "withdrawn"
    later = NOW + timedelta(days=1, seconds=1)
    with db.read() as conn:
        assert not consent.is_active(conn, cid, later)
        assert {links.resolve_in(conn, r, later).status for r in [raw, *others]} == {"withdrawn"}
        reasons = set(conn.execute(select(links.client_links.c.revoked_reason)
                                   .where(links.client_links.c.client_id == cid)).scalars())
        assert reasons == {"withdrawn"}
        assert links.resolve_in(conn, colin_link, later).ok  # nobody else's links
    assert state(people, now=later).state == "withdrawn"
    assert consent.withdraw_by_link(raw, later) == "already"
    assert confirm(raw, later)[0] == "invalid"  # a submit after withdrawal does nothing


def test_withdrawal_is_all_or_nothing(database, people, monkeypatch):
    cid = people["client_clara"]
    raw = send(people)
    confirm(raw)
    checkin = links.issue_for(people["clara"], cid, "checkin", now=NOW, ttl_days=TTL)
    ran = []

    def cancel_reminders(conn, client_id, now, reason):  # cancelling reminders writes, then fails
        audit.record(conn, now=now, action="consent.withdraw", actor_kind="system", client_id=client_id)
        ran.append(client_id)
        raise RuntimeError("outbox unavailable")

    before = snapshot()
    with db.read() as conn:
        audits_before = conn.execute(select(func.count()).select_from(audit_events)).scalar()
    monkeypatch.setattr(outbox, "cancel_client", cancel_reminders)
    with pytest.raises(RuntimeError):
        consent.withdraw_by_link(checkin, NOW + timedelta(hours=1))
    with pytest.raises(RuntimeError):
        consent.withdraw_for(people["clara"], cid, now=NOW + timedelta(hours=1))
    assert ran == [cid, cid]
    assert snapshot() == before
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(audit_events)).scalar() == audits_before
        assert consent.is_active(conn, cid, NOW + timedelta(hours=1))
        assert links.resolve_in(conn, checkin, NOW + timedelta(hours=1)).ok


def test_withdrawal_cancels_reminders_inside_the_same_transaction(database, people, monkeypatch):
    # (was test_withdrawal_hooks_run_inside_the_same_transaction: withdrawal now calls the cancel by name)
    cid = people["client_clara"]
    make_reachable(cid)
    seen = []
    cancel = outbox.cancel_client
    monkeypatch.setattr(outbox, "cancel_client", lambda conn, client_id, now, reason: seen.append(
        (client_id, consent.is_active(conn, client_id, now), reason)) or cancel(conn, client_id, now, reason))
    consent.withdraw_for(people["clara"], cid, now=NOW + timedelta(hours=1))
    assert seen == [(cid, False, "consent withdrawn")]  # the cancel already sees the withdrawal it is part of


def test_a_new_checklist_version_asks_for_consent_again(database, people):
    make_reachable(people["client_clara"])
    assert state(people).state == "active"
    items = [*consent_rules.DEFAULT_ITEMS, {"key": "video", "title": "Short videos", "text": "Some steps include a video."}]
    assert consent_templates.publish(people["ada"], items, now=NOW) == 2
    st = state(people, now=NOW + timedelta(days=1))
    assert st.state == "renewal_due" and "new checklist version" in st.label
    with db.read() as conn:
        assert consent.is_active(conn, people["client_clara"], NOW + timedelta(days=1))  # still counts meanwhile
    rid, errors = consent.record_discussion(people["clara"], people["client_clara"], FORM, now=NOW)
    assert "discussed" in errors  # the new item must be discussed too
    made, errors = consent.issue_link(people["clara"], people["client_clara"],
                                      {**FORM, "discussed": [*KEYS, "video"]}, now=NOW + timedelta(days=1),
                                      ttl_days=TTL, deliver=handed_over)
    assert confirm(made["raw"], NOW + timedelta(days=1), items=[*KEYS, "video"])[0] == "confirmed"
    st = state(people, now=NOW + timedelta(days=2))
    assert (st.state, st.version) == ("active", 2)


def test_only_an_admin_publishes_a_checklist(database, people):
    with pytest.raises(db.Forbidden):
        consent_templates.publish(people["clara"], consent_rules.DEFAULT_ITEMS, now=NOW)


@pytest.mark.parametrize("who,client,allowed", [
    ("clara", "client_clara", True), ("colin", "client_clara", False), ("otto", "client_clara", False),
    ("ada", "client_clara", True), ("bea", "client_clara", False), ("clara", "client_otto", False),
])
def test_every_consent_function_is_scoped_by_the_acting_user(database, people, who, client, allowed):
    actor, cid = people[who], people[client]
    calls = [
        lambda: consent.overview(actor, cid, now=NOW, notice_days=14),
        lambda: consent.record_discussion(actor, cid, FORM, now=NOW),
        lambda: consent.issue_link(actor, cid, FORM, now=NOW, ttl_days=TTL, deliver=handed_over),
        lambda: consent.withdraw_for(actor, cid, now=NOW),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(db.NotFound):
                call()
    assert (cid in {r.id: r.consent for r in caseload.rows(actor, now=NOW)}) == allowed
    if not allowed:
        with db.read() as conn:
            assert conn.execute(select(func.count()).select_from(consent.consents)).scalar() == 0
            assert conn.execute(select(func.count()).select_from(links.client_links)).scalar() == 0


def test_the_clinician_sees_who_did_what(database, people):
    raw = send(people, via="email")
    confirm(raw, NOW + timedelta(hours=1))
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW + timedelta(days=3))
    view = consent.overview(people["clara"], people["client_clara"], now=NOW + timedelta(days=3), notice_days=14)
    assert [(e["event"], e["actor_label"]) for e in view["events"]] == [
        ("withdrawn", "clara"), ("confirmed", "client"), ("sent", "clara"), ("discussed", "clara")]
    assert view["status"].state == "withdrawn" and view["rounds"][0]["confirmed_name"] == "Robin"


def test_consent_history_cannot_be_rewritten(database, people):
    make_reachable(people["client_clara"])
    with pytest.raises(Exception, match="append-only"):
        with db.write() as conn:
            conn.execute(consent.consent_events.delete())


HOSTILE_TOKENS = ["", None, "a", "x" * 10_000, "%00", "' OR '1'='1", "а" * 43, "%2541" * 9, 12345]


@pytest.mark.parametrize("raw", HOSTILE_TOKENS, ids=range(len(HOSTILE_TOKENS)))
def test_hostile_tokens_do_nothing_in_any_consent_function(database, people, raw):
    real = send(people)
    before = snapshot()
    assert consent.for_link(raw, NOW) == {"state": "invalid"}
    assert confirm(raw) == ("invalid", {})
    assert consent.withdraw_by_link(raw, NOW) == "invalid"
    for variant in (real + " ", real + "\x00", real.swapcase(), real[:-1], real + real):
        assert confirm(variant) == ("invalid", {})
        assert consent.withdraw_by_link(variant, NOW) == "invalid"
    assert snapshot() == before


def test_a_consent_link_expired_by_one_second_does_nothing(database, people):
    raw = send(people)
    end = NOW + timedelta(days=14)
    assert consent.for_link(raw, end - timedelta(seconds=1))["state"] == "open"
    assert confirm(raw, end) == ("invalid", {})
    assert consent.withdraw_by_link(raw, end) == "invalid"
    assert state(people, now=end).state == "awaiting_client"


HOSTILE_NAMES = ["x" * 1_000_000, "Rob\x00in", "Rob\ud800in", "Robin\u202egnp.exe", "R\u200bobin",
                 "R" + "\u0301" * 50, "Robin\r\nBcc: x@example.org"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_get_a_message_and_store_nothing(database, people, name):
    raw = send(people)
    before = snapshot()
    status, errors = confirm(raw, name=name)
    assert status == "open" and "name" in errors
    assert snapshot() == before


def test_markup_in_a_name_is_kept_as_plain_text(database, people):
    raw = send(people)
    assert confirm(raw, name="<script>alert(1)</script>")[0] == "confirmed"
    view = consent.overview(people["clara"], people["client_clara"], now=NOW, notice_days=14)
    assert view["rounds"][0]["confirmed_name"] == "<script>alert(1)</script>"


def test_the_practice_sets_its_own_renewal_period(database, people):
    """A practice setting (Practice settings page) wins over the deployment default of 90 days."""
    from db import practices
    practices.update_settings(people["ada"], name="Practice A", timezone="Europe/London",
                              crisis_resources="Call 999 in an emergency.", consent_renewal_days=30, now=NOW)
    raw = send(people)
    assert confirm(raw, NOW + timedelta(hours=1)) == ("confirmed", {})
    assert state(people, now=NOW + timedelta(hours=2)).renews_at == NOW + timedelta(hours=1, days=30)
    with pytest.raises(ValueError):
        practices.update_settings(people["ada"], name="Practice A", timezone="Europe/London",
                                  crisis_resources="Call 999 in an emergency.", consent_renewal_days=1, now=NOW)
