"""AppTest: consent check-ups in the portal: the caseload's reason links to the Consent page, which
shows the latest check-up, its history and the talking points, and the client's note as text."""
from datetime import datetime, timedelta, timezone

from db import checkups
from tests.app.helpers import shown, signed_in, texts
from tests.conftest import make_reachable
from tests.db.test_checkups import HOSTILE, RIGHT, TTL


def now():
    return datetime.now(timezone.utc)


def answered(people, **changes):
    make_reachable(people["client_clara"], now() - timedelta(days=40))
    raw = checkups.request(people["clara"], people["client_clara"], now=now(), ttl_days=TTL, deliver=None)["raw"]
    assert checkups.submit(raw, {**RIGHT, **changes}, now=now()).status == "saved"


def test_misconception_reason_on_the_caseload_opens_the_consent_page_with_the_history(sqlite_db, people):
    answered(people, s_realtime="true", comfort="2", note=HOSTILE)
    at = signed_in("clara").run()
    assert not at.exception
    needs = at.dataframe[0].value["Needs attention"].iloc[0]
    assert "Client thought entries are watched in real time; corrected on" in needs
    labels = [b.label for b in at.button]
    assert "Open consent" in labels
    at.selectbox(key="caseload_flag").select("checkup").run()
    assert list(at.dataframe[0].value["Client"]) == ["Client of Clara"]
    next(b for b in at.button if b.label == "Open consent").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Consent"
    page = texts(at)
    assert "Suggested talking points for the next session" in page and "suggestions only" in page
    assert "misconception caught and corrected" in page
    assert "Usefulness 4 of 5 · comfort 2 of 5" in page
    history = at.dataframe[-1].value if at.dataframe else None
    checkup_table = next(d.value for d in at.dataframe if "Misconceptions corrected" in d.value.columns)
    assert checkup_table["Comfort (1–5)"].tolist() == [2]
    assert "My clinician sees what I enter" in checkup_table["Misconceptions corrected"].iloc[0]
    # The client's note is exactly the typed characters, escaped (no markup, link or colour from it).
    notes = [m.value for m in at.markdown if "script" in shown(m.value)]
    assert notes and all("<script>" not in m for m in notes) and shown(notes[0]).strip() == HOSTILE.strip()
    assert history is not None


def test_checkup_link_to_copy_from_the_consent_page(sqlite_db, people):
    make_reachable(people["client_clara"], now() - timedelta(days=3))
    at = signed_in("clara").run()
    at = at.switch_page("pages/clinician/consent.py").run()
    assert "No check-up answered yet." in texts(at)
    at.button(key="consent_checkup_copy").click().run()
    assert not at.exception
    assert any("/c/?t=" in c.value for c in at.code)
