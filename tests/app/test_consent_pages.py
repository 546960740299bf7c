"""AppTest: the clinician's consent page (the client's consent page is tests/client/test_consent_pages.py)."""
from datetime import datetime, timezone

from db import consent
from tests.app.helpers import errors, signed_in
from tests.db.test_consent import KEYS


def now():
    return datetime.now(timezone.utc)


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
    assert at.code and "/c/?t=" in at.code[0].value
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