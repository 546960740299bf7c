"""AppTest: the consent pages through app.py, for the clinician and for the client's link."""
from datetime import datetime, timedelta, timezone

import pytest

from core import consent as consent_rules
from core.ratelimit import LINK_LOOKUPS
from db import consent, links, practices
from tests.app.helpers import errors, fresh_app, signed_in, texts
from tests.db.test_consent import FORM, KEYS, TTL, snapshot


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LINK_LOOKUPS.reset()
    yield
    LINK_LOOKUPS.reset()


def now():
    return datetime.now(timezone.utc)


def consent_link(people, when=None):
    made, errs = consent.issue_link(people["clara"], people["client_clara"], FORM, now=when or now(), ttl_days=TTL,
                                    via="copy")
    return made["raw"]


def client_opens(raw):
    at = fresh_app()
    at.query_params["t"] = raw
    return at.run()


def clinician_on_consent_page(username="clara"):
    at = signed_in(username).run()
    return at.switch_page("pages/clinician/consent.py").run()


def state(people):
    return consent.overview(people["clara"], people["client_clara"], now=now(), notice_days=14)["status"]


def test_the_clinician_ticks_every_item_and_makes_a_link(sqlite_db, people):
    at = clinician_on_consent_page()
    assert not at.exception
    for key in KEYS:
        at.checkbox(key=f"consent_discussed_{key}").check()
    at.checkbox(key="consent_tech_ok").check()
    at.button(key="FormSubmitter:consent_discussion-Make a link to copy").click().run()
    assert not at.exception
    assert at.code and "?t=" in at.code[0].value
    assert state(people).label == "awaiting client"
    at.switch_page("pages/clinician/caseload.py").run()
    assert at.dataframe[0].value["Consent"].tolist() == ["awaiting client"]


def test_a_missing_tick_gets_a_calm_message_and_keeps_the_other_ticks(sqlite_db, people):
    at = clinician_on_consent_page()
    for key in KEYS[:3]:
        at.checkbox(key=f"consent_discussed_{key}").check()
    at.text_area(key="consent_tech_note").input("Tried it on her phone")
    at.button(key="FormSubmitter:consent_discussion-Email the consent link").click().run()
    assert any("still to discuss" in e for e in errors(at)) and any("open a link" in e for e in errors(at))
    assert all(at.checkbox(key=f"consent_discussed_{k}").value for k in KEYS[:3])
    assert at.text_area(key="consent_tech_note").value == "Tried it on her phone"
    assert state(people).state == "none"


def test_the_clinician_can_record_a_withdrawal(sqlite_db, people):
    from tests.conftest import make_reachable
    make_reachable(people["client_clara"], now())
    at = clinician_on_consent_page()
    assert "active" in [m.value for m in at.metric]
    at.button(key="consent_withdraw").click().run()
    assert state(people).state == "withdrawn"
    assert "withdrawn" in [m.value for m in at.metric]


def test_opening_the_consent_link_changes_no_consent_row(sqlite_db, people):
    raw = consent_link(people)
    before = snapshot()
    at = client_opens(raw)
    assert not at.exception and "Before you start" in texts(at)
    assert len(at.checkbox) == len(KEYS)
    at.run()
    assert snapshot() == before


def test_the_client_confirms_and_a_mistake_loses_nothing(sqlite_db, people):
    at = client_opens(consent_link(people))
    for key in KEYS[:-1]:
        at.checkbox(key=f"consent_item_{key}").check()
    at.text_input(key="consent_name").input("Robin")
    at.button(key="FormSubmitter:client_consent-I agree").click().run()
    assert any("tick its box" in e for e in errors(at))
    assert at.text_input(key="consent_name").value == "Robin"
    assert all(at.checkbox(key=f"consent_item_{k}").value for k in KEYS[:-1])
    at.checkbox(key=f"consent_item_{KEYS[-1]}").check()
    at.button(key="FormSubmitter:client_consent-I agree").click().run()
    assert "Thank you" in texts(at)
    assert state(people).state == "active"


def test_the_same_form_in_two_tabs_confirms_once(sqlite_db, people):
    raw = consent_link(people)
    tabs = [client_opens(raw), client_opens(raw)]
    for at in tabs:
        for key in KEYS:
            at.checkbox(key=f"consent_item_{key}").check()
        at.text_input(key="consent_name").input("Robin")
    for at in tabs:
        at.button(key="FormSubmitter:client_consent-I agree").click().run()
        assert not at.exception and "Thank you" in texts(at)
    assert [r["confirmed_at"] is not None for r in consent.overview(
        people["clara"], people["client_clara"], now=now(), notice_days=14)["rounds"]] == [True]


def test_a_submit_after_the_link_was_replaced_does_nothing(sqlite_db, people):
    at = client_opens(consent_link(people))
    consent_link(people)  # the clinician sends a new one meanwhile
    for key in KEYS:
        at.checkbox(key=f"consent_item_{key}").check()
    at.text_input(key="consent_name").input("Robin")
    at.button(key="FormSubmitter:client_consent-I agree").click().run()
    assert "This link isn't working" in texts(at)
    assert state(people).state == "awaiting_client"


def test_expired_by_one_second_revoked_and_wrong_purpose_links_show_the_calm_page(sqlite_db, people):
    from tests.conftest import make_reachable
    expired = consent_link(people, now() - timedelta(days=14, seconds=1))
    make_reachable(people["client_clara"], now())
    card = links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)
    revoked = links.issue_for(people["clara"], people["client_clara"], "consent", now=now(), ttl_days=TTL)
    links.revoke_for(people["clara"], people["client_clara"], now=now())
    for raw in (expired, revoked):
        at = client_opens(raw)
        assert not at.exception and "This link isn't working" in texts(at), raw
    assert consent.confirm(card, KEYS, "Robin", now=now(), renewal_days=90, grace_days=14)[0] == "invalid"


def test_the_client_stops_taking_part_and_every_old_link_shows_the_withdrawn_page(sqlite_db, people):
    raw = consent_link(people)
    at = client_opens(raw)
    at.button(key="client_stop_confirm").click().run()
    assert not at.exception and "You have stopped taking part" in texts(at)
    assert "Samaritans" in texts(at)
    assert state(people).state == "withdrawn"
    again = client_opens(raw)
    assert "You have stopped taking part" in texts(again) and not again.checkbox and not again.button


def test_text_typed_by_people_is_shown_as_text(sqlite_db, people):
    hostile = "[click](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)> $\\href{x}{y}$"
    practices.update_settings(people["ada"], name="Practice A", timezone="Europe/London",
                              crisis_resources="Call 999. " + hostile, now=now())
    at = client_opens(consent_link(people))
    limits = [m.value for m in at.markdown if "Call 999" in m.value]
    assert limits and all("\\<script\\>" in v and "\\[click\\]\\(javascript" in v for v in limits)
    assert all("<script>" not in m.value for m in at.markdown)


def test_a_page_left_open_after_stopping_elsewhere_shows_the_withdrawn_page(sqlite_db, people):
    raw = consent_link(people)
    at = client_opens(raw)
    consent.withdraw_for(people["clara"], people["client_clara"], now=now())
    at.checkbox(key=f"consent_item_{KEYS[0]}").check()
    at.button(key="FormSubmitter:client_consent-I agree").click().run()
    assert not at.exception and "You have stopped taking part" in texts(at)
    assert state(people).state == "withdrawn"
