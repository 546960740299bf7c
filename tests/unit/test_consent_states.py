"""Consent states with a fixed clock: each boundary to the second."""
from datetime import timedelta

import pytest

from core import consent as consent_rules
from tests.conftest import NOW

S = timedelta(seconds=1)
D = timedelta(days=1)
MIDNIGHT = timedelta(hours=NOW.hour, minutes=NOW.minute)  # from NOW back to the start of its (UTC) day


def confirmed(at=NOW, version=1, **extra):
    renews, expires = consent_rules.dates_after_confirm(at, renewal_days=90, grace_days=14)
    return {"version": version, "sent_at": at, "confirmed_at": at, "renews_at": renews, "expires_at": expires,
            "withdrawn_at": None, "superseded_at": None, **extra}


def open_round(sent=True, version=1):
    return {"version": version, "sent_at": NOW if sent else None, "confirmed_at": None, "withdrawn_at": None,
            "superseded_at": None}


def status(rounds, now, version=1):
    return consent_rules.status(rounds, now, current_version=version, notice_days=14, zone="UTC")


def test_no_rounds_means_no_consent():
    assert status([], NOW).state == "none"


def test_draft_then_awaiting_client():
    assert status([open_round(sent=False)], NOW).label == "draft"
    assert status([open_round()], NOW).label == "awaiting client"
    assert not status([open_round()], NOW).counts


@pytest.mark.parametrize("offset,state,label", [
    (timedelta(0), "active", "active"),
    # Days are calendar days (core.days): the notice opens at the midnight 14 days before renewal.
    (76 * D - MIDNIGHT - S, "active", "active"),
    (76 * D - MIDNIGHT, "active", "renewal due in 14 days"),
    (89 * D, "active", "renewal due in 1 day"),
    (90 * D - MIDNIGHT - S, "active", "renewal due in 1 day"),
    (90 * D - S, "active", "renewal due today"),
    (90 * D, "renewal_due", "renewal due: expires in 14 days"),
    (104 * D - S, "renewal_due", "renewal due: expires today"),
    (104 * D, "expired", "expired"),
    (400 * D, "expired", "expired"),
])
def test_renewal_falls_due_at_exactly_90_days_and_expires_14_days_later(offset, state, label):
    st = status([confirmed()], NOW + offset)
    assert (st.state, st.label) == (state, label)
    assert st.counts == (state in ("active", "renewal_due"))


def test_withdrawn_wins_over_everything():
    st = status([confirmed(withdrawn_at=NOW + D)], NOW + 2 * D)
    assert st.state == "withdrawn" and not st.counts


def test_a_renewal_in_progress_keeps_the_old_consent_counting():
    st = status([open_round(), confirmed(at=NOW - 85 * D)], NOW)
    assert st.state == "active" and st.pending and st.label == "renewal due in 5 days (new link sent)"


def test_after_expiry_an_open_round_reads_awaiting_client():
    st = status([open_round(), confirmed(at=NOW - 200 * D)], NOW)
    assert st.state == "awaiting_client" and not st.counts


def test_a_newer_checklist_version_makes_renewal_due_at_once():
    st = status([confirmed(version=1)], NOW + D, version=2)
    assert st.state == "renewal_due" and st.label == "renewal due: new checklist version" and st.counts


def test_checks_on_the_clinicians_record():
    keys = [it["key"] for it in consent_rules.DEFAULT_ITEMS]
    assert consent_rules.check_discussion(keys, keys, True, "ok") == {}
    assert set(consent_rules.check_discussion(keys, [], False, "x" * 501)) == {"discussed", "tech_ok", "tech_note"}
    assert "tech_note" in consent_rules.check_discussion(keys, keys, True, "bad\x00note")


def test_the_default_checklist_covers_every_required_point():
    text = " ".join(it["title"] + " " + it["text"] for it in consent_rules.DEFAULT_ITEMS).lower()
    for phrase in ("how it works", "help", "email is not fully private", "could open a link", "real time",
                   "emergency", "{crisis}", "who sees it", "how long", "voluntary", "stop at any time",
                   "technology", "checked"):
        assert phrase in text, phrase
