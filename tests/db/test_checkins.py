"""Check-ins in storage: through a checkin link only, with active consent, validated on the server
(hostile inputs of RELIABILITY.md), idempotent, immutable, scoped and audited on the clinician side."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update

import db
from core import templates as core_templates
from db import audit, checkins, consent, links, plans
from tests.conftest import NOW, make_reachable, open_flags

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
T = core_templates.by_key(core_templates.BUILT_IN)
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def setup_client(people, who="clara", *, consent_on=True):
    """A client with an every-day breathing step and a thought record at level 2 (labelling)."""
    cid = people[f"client_{who}"]
    thought = {**T["thought_record"]["step"], "days": EVERY_DAY, "level": 2}
    plan_id, errors = plans.create_plan(people[who], cid, goal="Calmer days", now=NOW - timedelta(days=10),
                                        steps=[{**T["breathing"]["step"], "days": EVERY_DAY}, thought])
    assert errors == {}
    steps = plans.get(people[who], plan_id, now=NOW)["steps"]
    if consent_on:
        make_reachable(cid, NOW - timedelta(days=10))
    raw = links.issue_for(people[who], cid, "checkin", now=NOW, ttl_days=TTL)
    return raw, [s["step_id"] for s in steps]


def form(step_id, key="k" * 24, **kw):
    base = {"local_date": "2026-11-28", "steps": {step_id: {"status": "done"}}, "mood": 6, "distress": 3,
            "idempotency_key": key}
    base.update(kw)
    return base


def count(table="checkins"):
    with db.read() as conn:
        return conn.execute(text(f"select count(*) from {table}") if not db.is_postgres(conn) else
                            select(func.count()).select_from(db.metadata.tables[table])).scalar_one()


def test_the_form_shows_todays_steps_and_the_crisis_resources(database, people):
    raw, (breathing, thought) = setup_client(people)
    page = checkins.form_by_link(raw, now=NOW)
    assert page["today"] == date(2026, 11, 28) and page["yesterday"] == date(2026, 11, 27)
    planned = {s["step_id"]: s for s in page["planned"][page["today"]]}
    assert set(planned) == {breathing, thought}
    assert planned[thought]["asks_label"] and not planned[breathing]["asks_label"]
    assert "116 123" in page["crisis_resources"]


def test_a_minimal_check_in_is_saved_once_and_audited_without_health_data(database, people):
    raw, (breathing, _) = setup_client(people)
    result = checkins.submit(raw, form(breathing), now=NOW)
    assert result.status == "saved" and result.statuses == ["done"] and not result.flagged
    with db.read() as conn:
        assert links.resolve_in(conn, result.card_token, NOW, purpose="card").ok
    rows = checkins.recent_for(people["clara"], people["client_clara"], now=NOW)
    assert [(r["mood"], r["distress"], r["steps"][0]["status"]) for r in rows] == [(6, 3, "done")]
    events, _ = audit.list_events(people["ada"], now=NOW, action="checkin.submit")
    assert len(events) == 1 and events[0]["actor_kind"] == "client" and "6" not in events[0]["detail"].split()


def test_the_same_form_twice_makes_one_row(database, people):
    raw, (breathing, _) = setup_client(people)
    first = checkins.submit(raw, form(breathing), now=NOW)
    again = checkins.submit(raw, form(breathing), now=NOW + timedelta(seconds=1))
    assert (first.status, again.status) == ("saved", "already") and first.checkin_id == again.checkin_id
    assert count() == 1


def test_a_not_today_with_its_reason_and_a_label_where_the_level_asks(database, people):
    raw, (breathing, thought) = setup_client(people)
    result = checkins.submit(raw, form(breathing, steps={
        breathing: {"status": "not_today", "reason": "too_distressed"},
        thought: {"status": "partly", "label": "catastrophising"}}, thought="They'll all laugh at me",
        context_where="work", context_with="alone"), now=NOW)
    assert result.status == "saved" and sorted(result.statuses) == ["not_today", "partly"]
    row = checkins.recent_for(people["clara"], people["client_clara"], now=NOW)[0]
    assert {s["status"]: (s["reason"], s["label"]) for s in row["steps"]} == {
        "not_today": ("too_distressed", None), "partly": (None, "catastrophising")}
    assert (row["thought"], row["context_where"], row["context_with"]) == ("They'll all laugh at me", "work", "alone")


HOSTILE_TEXT = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
                "[click](javascript:alert(1))", "![x](https://evil.example/x.png)", r"$\href{javascript:alert(1)}{x}$",
                "\u202egnp.exe", "a\u200bb", "e" + "\u0301" * 200, "Name\r\nBcc: x@evil.example"]


@pytest.mark.parametrize("thought", HOSTILE_TEXT)
def test_hostile_text_is_stored_exactly_as_typed(database, people, thought):
    raw, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing, thought=thought), now=NOW).status == "saved"
    assert checkins.recent_for(people["clara"], people["client_clara"], now=NOW)[0]["thought"] == thought


@pytest.mark.parametrize("field,value,message", [
    ("mood", -1, "0 to 10"), ("mood", 11, "0 to 10"), ("mood", 3.5, "whole number"), ("mood", float("nan"), "0 to 10"),
    ("mood", "1e309", "0 to 10"), ("mood", "", "0 to 10"), ("mood", None, "0 to 10"), ("distress", "NaN", "0 to 10"),
    ("distress", True, "0 to 10"), ("local_date", "2026-02-30", "today or yesterday"),
    ("local_date", "9999-01-01", "today or yesterday"), ("local_date", "2026-11-26", "today or yesterday"),
    ("thought", "x" * 501, "500 characters"), ("thought", "x" * 1_000_000, "500 characters"),
    ("thought", "a\x00b", "can't be saved"), ("thought", "\ud800", "can't be saved"),
    ("context_where", "w" * 101, "100 characters"), ("idempotency_key", "", "reload"),
    ("idempotency_key", "k" * 10_000, "reload"), ("idempotency_key", "'; drop table checkins; --", "reload"),
])
def test_each_hostile_value_gets_a_message_next_to_its_field_and_nothing_is_saved(database, people, field, value,
                                                                                 message):
    raw, (breathing, _) = setup_client(people)
    key = "form" if field == "idempotency_key" else field
    result = checkins.submit(raw, form(breathing, **{field: value}), now=NOW)
    assert result.status == "errors" and message in result.errors[key]
    assert count() == 0


@pytest.mark.parametrize("answer,key", [
    ({"status": "yes"}, "step:{s}"), ({"status": "not_today", "reason": "lazy"}, "step:{s}:reason"),
    ({"status": "done", "label": "catastrophising"}, "step:{s}:label"),  # breathing does not ask for a label
])
def test_bad_step_answers_are_refused_with_a_message(database, people, answer, key):
    raw, (breathing, _) = setup_client(people)
    result = checkins.submit(raw, form(breathing, steps={breathing: answer}), now=NOW)
    assert result.status == "errors" and key.format(s=breathing) in result.errors


def test_another_clients_step_cannot_be_reported(database, people):
    raw, _ = setup_client(people)
    _, (colins_step, _) = setup_client(people, "colin")
    result = checkins.submit(raw, form(colins_step), now=NOW)
    assert result.status == "errors" and "steps" in result.errors


def test_yesterday_is_dated_in_the_clients_zone(database, people):
    raw, (breathing, _) = setup_client(people, "otto")  # America/New_York: 04:30 local on the 28th
    assert checkins.submit(raw, form(breathing, local_date="2026-11-27"), now=NOW).status == "saved"
    result = checkins.submit(raw, form(breathing, key="y" * 24, local_date="2026-11-26"), now=NOW)
    assert result.status == "errors" and "local_date" in result.errors


def test_withdrawn_consent_refuses_the_submit(database, people):
    raw, (breathing, _) = setup_client(people)
    consent.withdraw_for(people["clara"], people["client_clara"], now=NOW)
    assert checkins.submit(raw, form(breathing), now=NOW).status == "invalid"
    assert checkins.form_by_link(raw, now=NOW) is None
    assert count() == 0


def test_without_consent_nothing_is_accepted(database, people):
    raw, (breathing, _) = setup_client(people, consent_on=False)
    assert checkins.submit(raw, form(breathing), now=NOW).status == "invalid"


@pytest.mark.parametrize("purpose", ["card", "consent", "preferences"])
def test_a_link_of_another_purpose_cannot_check_in(database, people, purpose):
    _, (breathing, _) = setup_client(people)
    other = links.issue_for(people["clara"], people["client_clara"], purpose, now=NOW, ttl_days=TTL)
    assert checkins.submit(other, form(breathing), now=NOW).status == "invalid"
    assert checkins.form_by_link(other, now=NOW) is None


@pytest.mark.parametrize("raw", ["", None, "x", "a" * 10_000, "' or 1=1 --"])
def test_bad_tokens_cannot_check_in(database, people, raw):
    _, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing), now=NOW).status == "invalid"


def test_a_revoked_or_expired_link_cannot_check_in(database, people):
    raw, (breathing, _) = setup_client(people)
    assert checkins.submit(raw, form(breathing), now=NOW + timedelta(days=7, seconds=1)).status == "invalid"
    links.revoke_for(people["clara"], people["client_clara"], now=NOW)
    assert checkins.submit(raw, form(breathing), now=NOW).status == "invalid"


def test_a_correction_is_a_new_row_pointing_at_the_old_one(database, people):
    raw, (breathing, _) = setup_client(people)
    first = checkins.submit(raw, form(breathing, mood=2), now=NOW)
    fix = checkins.submit(raw, form(breathing, key="c" * 24, mood=7, corrects=first.checkin_id), now=NOW)
    assert fix.status == "saved"
    rows = checkins.recent_for(people["clara"], people["client_clara"], now=NOW)
    assert [(r["mood"], r["corrects_id"], r["corrected"]) for r in rows] == [
        (7, first.checkin_id, False), (2, None, True)]
    bad = checkins.submit(raw, form(breathing, key="d" * 24, corrects=99999), now=NOW)
    assert bad.status == "errors" and "corrects" in bad.errors


def test_a_submitted_check_in_cannot_be_updated(database, people):
    raw, (breathing, _) = setup_client(people)
    checkins.submit(raw, form(breathing), now=NOW)
    with pytest.raises(Exception, match="immutable"):
        with db.write() as conn:
            conn.execute(update(checkins.checkins).values(mood=0))


def test_the_plans_page_outcomes_come_from_check_ins(database, people):
    raw, (breathing, _) = setup_client(people)
    checkins.submit(raw, form(breathing, local_date="2026-11-27", steps={breathing: {"status": "partly"}}), now=NOW)
    checkins.submit(raw, form(breathing, key="t" * 24), now=NOW)
    out = dict(checkins.outcomes(people["clara"], breathing, now=NOW))
    assert out[date(2026, 11, 28)] == "done" and out[date(2026, 11, 27)] == "partly"
    assert out[date(2026, 11, 20)] == "not"


@pytest.mark.parametrize("who", ["colin", "otto", "bea"])
def test_others_cannot_read_the_check_ins(database, people, who):
    raw, (breathing, _) = setup_client(people)
    checkins.submit(raw, form(breathing), now=NOW)
    with pytest.raises(db.NotFound):
        checkins.recent_for(people[who], people["client_clara"], now=NOW)
    assert checkins.recent_for(people["ada"], people["client_clara"], now=NOW)


def test_the_demo_seed_shows_check_ins_questionnaires_and_one_open_flag(sqlite_db):
    from demo import seed
    from db.actors import Actor
    seed.run(now=NOW, password="demo-password-for-tests")
    with db.read() as conn:
        maya = conn.execute(text("select id, practice_id from clinicians where username='maya'")).one()
        per_client = dict(conn.execute(text("select client_id, count(*) from checkins group by client_id")).all())
        reasons = set(conn.execute(text("select distinct reason from checkin_steps where reason is not null")).scalars())
        series = set(conn.execute(text("select distinct measure from measure_responses")).scalars())
    assert max(per_client.values()) >= 30 and len(per_client) >= 3
    assert len(reasons) >= 3 and series == {"phq9", "gad7", "who5", "pcl5"}  # WHO-5 and PCL-5 since issue 17
    actor = Actor(maya.id, maya.practice_id, "clinician", "maya")
    assert sum(open_flags(actor).values()) == 1
    jordan = [r for r in checkins.recent_for(actor, next(iter(open_flags(actor))), now=NOW)]
    recent = sum(r["distress"] for r in jordan[:5]) / 5
    older = sum(r["distress"] for r in jordan[-10:]) / 10
    assert recent > older  # distress rose lately
