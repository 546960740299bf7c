"""Consent check-up rules (core/checkups.py): which statements, when one is due, what the caseload says."""
from datetime import datetime, timedelta, timezone

import pytest

from core import checkups as rules
from core import consent as consent_rules

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
POOL = rules.statements_for(consent_rules.DEFAULT_ITEMS)


def test_checkup_realtime_statement_is_always_first_whatever_the_rotation():
    for seq in range(12):
        for wrong in (set(), {"email"}, {"realtime", "who"}):
            asked = rules.select(POOL, previously_wrong=wrong, seq=seq)
            assert asked[0]["key"] == rules.REALTIME and len(asked) == rules.STATEMENTS_ASKED
            assert len({s["key"] for s in asked}) == len(asked)


def test_checkup_rotation_asks_every_statement_within_a_few_checkups():
    seen = {s["key"] for seq in range(3) for s in rules.select(POOL, previously_wrong=set(), seq=seq)}
    assert seen == {s["key"] for s in POOL}


def test_misconception_from_the_last_checkup_is_asked_again_next():
    asked = rules.select(POOL, previously_wrong={"who"}, seq=0)
    assert [s["key"] for s in asked[:2]] == [rules.REALTIME, "who"]


def test_checkup_statements_come_from_the_checklist_version():
    only_two = [it for it in consent_rules.DEFAULT_ITEMS if it["key"] in ("voluntary", "data")]
    assert [s["key"] for s in rules.statements_for(only_two)] == [rules.REALTIME, "stop", "who"]
    own = [{"key": "purpose", "title": "t", "text": "x", "statements": [
        {"key": "mine", "text": "A version's own statement.", "answer": "true", "correction": "It is."}]}]
    assert [s["key"] for s in rules.statements_for(own)] == [rules.REALTIME, "mine"]  # real time is never missing


def test_checkup_answers_true_false_and_not_sure_corrections():
    realtime = POOL[0]
    assert rules.is_wrong(realtime, "true") and rules.is_wrong(realtime, "unsure") and not rules.is_wrong(realtime, "false")
    shown = rules.with_corrections([{"key": rules.REALTIME, "text": realtime["text"], "answer": "true",
                                     "correct": False}], {s["key"]: s for s in POOL})
    assert shown[0]["correction"].startswith("Your clinician does not see entries in real time")


@pytest.mark.parametrize("form, field", [({}, "s_realtime"), ({"usefulness": "6"}, "usefulness"),
                                         ({"comfort": "0"}, "comfort"), ({"change": "delete"}, "change"),
                                         ({"note": "x" * 501}, "note"), ({"note": "a\x00b"}, "note")])
def test_checkup_form_refusals_name_the_field(form, field):
    base = {"s_realtime": "false", "usefulness": "3", "comfort": "3", "idempotency_key": "k"}
    _, errors = rules.validate({**base, **form} if field != "s_realtime" else {**base, "s_realtime": None},
                               [POOL[0]])
    assert field in errors


CONFIRMATIONS = {0: 1, 95: 2, 190: 2, 280: 2}  # day -> checklist version confirmed (v2 published on day 90)


def _simulate_year(weeks=5):
    """A year of one client's check-ups, day by day: consent confirmed on the days of CONFIRMATIONS (renewal
    90 days after each), each check-up answered two days after it falls due."""
    confirmed = renews = None
    version, last, events = 1, None, []
    for day in range(365):
        now = T0 + timedelta(days=day)
        if day in CONFIRMATIONS:
            confirmed, renews, version = now, now + timedelta(days=90), CONFIRMATIONS[day]
        due = rules.next_due(confirmed_at=confirmed, renews_at=renews, last_at=last, requested_at=None, weeks=weeks)
        if rules.is_due(due, now - timedelta(days=2)):
            last = now
            events.append((day, due.reason, version))
    return events


def test_checkup_due_dates_over_a_simulated_year_with_renewals_and_a_new_checklist_version():
    events = _simulate_year()
    assert events == [
        (37, "schedule", 1), (74, "schedule", 1),
        (92, "renewal", 1),    # renewal on day 90: due then, though five weeks had not passed
        (132, "schedule", 2),  # v2 confirmed on day 95: the count starts again from that confirmation
        (169, "schedule", 2),
        (187, "renewal", 2),   # the next renewal (day 185)
        (227, "schedule", 2), (264, "schedule", 2),
        (317, "schedule", 2),  # renewed on day 280, the day renewal fell due: 280 + 35 + 2
        (354, "schedule", 2),
    ]
    # The four-weekly default asks a little more often; a renewal answered a week before counts for it.
    assert [d for d, reason, _ in _simulate_year(weeks=4) if reason == "renewal"] == []


def test_checkup_due_rules_clinician_request_and_no_consent():
    assert rules.next_due(confirmed_at=None, renews_at=None, last_at=None, requested_at=None, weeks=4) is None
    asked = T0 + timedelta(days=3)
    due = rules.next_due(confirmed_at=T0, renews_at=T0 + timedelta(days=90), last_at=None, requested_at=asked, weeks=4)
    assert (due.at, due.reason) == (asked, "clinician")
    answered = asked + timedelta(hours=1)
    due = rules.next_due(confirmed_at=T0, renews_at=T0 + timedelta(days=90), last_at=answered, requested_at=asked,
                         weeks=4)
    assert (due.at, due.reason) == (answered + timedelta(weeks=4), "schedule")
    # A check-up answered within the week before renewal counts for the renewal too.
    late = T0 + timedelta(days=85)
    due = rules.next_due(confirmed_at=T0, renews_at=T0 + timedelta(days=90), last_at=late, requested_at=None, weeks=4)
    assert due.reason == "schedule"


def checkup(answers=(("realtime", "false", True),), comfort=4, usefulness=4, change=None, previous=None):
    return {"at": T0, "comfort": comfort, "usefulness": usefulness, "change": change, "previous_comfort": previous,
            "answers": [{"key": k, "text": f"Statement {k}.", "answer": a, "correct": c} for k, a, c in answers]}


def test_misconception_attention_carries_a_suggested_talking_point():
    flag = rules.attention(checkup(answers=(("realtime", "true", False),)), T0)
    assert flag.kind == "checkup"
    assert "Suggested talking point: Client thought entries are watched in real time; corrected on 5 Jan." in flag.words


@pytest.mark.parametrize("kwargs, words", [
    ({"comfort": 2, "previous": 4}, "Comfort with what you see was 2 of 5 (was 4)"),
    ({"usefulness": 1}, "Usefulness was 1 of 5"),
    ({"change": "times"}, "asked for different reminder times"),
    ({"answers": (("who", "unsure", False),)}, "was not sure"),
])
def test_checkup_attention_rules(kwargs, words):
    assert words in rules.attention(checkup(**kwargs), T0).words


def test_checkup_without_concerns_and_not_asked_for_needs_no_attention():
    assert rules.attention(checkup(comfort=3, usefulness=3), T0 + timedelta(days=30)) is None
    assert rules.attention(None, T0 + timedelta(days=300)) is None  # overdue counts from a request only


def test_checkup_overdue_attention_a_week_after_it_was_asked_for_and_not_answered():
    asked = T0 + timedelta(days=1)
    assert rules.attention(None, asked + timedelta(days=rules.OVERDUE_DAYS - 1), asked_at=asked) is None
    flag = rules.attention(None, asked + timedelta(days=rules.OVERDUE_DAYS), asked_at=asked)
    assert flag and "asked for on 6 Jan and not answered yet" in flag.words
    answered_since = checkup(comfort=4)
    answered_since["at"] = asked + timedelta(days=2)
    assert rules.attention(answered_since, asked + timedelta(days=30), asked_at=asked) is None
