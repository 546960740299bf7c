"""AppTest: the client's check-in page through a real link, and the clinician's Check-ins page."""
from datetime import datetime, timedelta, timezone

import pytest

from core import templates as core_templates
from core.ratelimit import LINK_LOOKUPS
from db import checkins, links, measures, plans, safety
from tests.app.helpers import fresh_app, signed_in, texts
from tests.conftest import make_reachable, open_flags

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
T = core_templates.by_key(core_templates.BUILT_IN)


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LINK_LOOKUPS.reset()
    yield
    LINK_LOOKUPS.reset()


def now():
    return datetime.now(timezone.utc)


def setup(people, purpose="checkin"):
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    return links.issue_for(people["clara"], cid, purpose, now=now() - timedelta(minutes=1), ttl_days=TTL)


def client_opens(raw):
    at = fresh_app()
    at.query_params["t"] = raw
    return at.run()


def status_control(at):
    return next(b for b in at.button_group if str(b.key).startswith("ci_status_"))


def test_the_minimal_path_saves_and_shows_warm_words_and_the_crisis_resources(sqlite_db, people):
    at = client_opens(setup(people))
    assert not at.exception and "Check in" in texts(at)
    status_control(at).set_value("done").run()
    at.button_group(key="ci_mood").set_value(6).run()
    at.button_group(key="ci_distress").set_value(2).run()
    at.button(key="ci_submit").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Thank you" in shown and "not monitored in real time" in shown and "116 123" in shown
    assert "Next practice" in shown
    assert len(checkins.recent_for(people["clara"], people["client_clara"], now=now())) == 1


def test_a_missing_mood_gets_a_message_and_keeps_the_rest(sqlite_db, people):
    at = client_opens(setup(people))
    status_control(at).set_value("partly").run()
    at.button_group(key="ci_distress").set_value(4).run()
    assert not [t for t in at.text_area if t.key == "ci_thought"]  # optional fields: drawn once asked for
    at.button(key="ci_more_open").click().run()
    at.text_area(key="ci_thought").input("<script>alert(1)</script>").run()
    at.button(key="ci_submit").click().run()
    assert not at.exception
    assert any("mood" in str(e.value) for e in at.error)
    assert at.text_area(key="ci_thought").value == "<script>alert(1)</script>"
    assert at.button_group(key="ci_distress").value == 4 and status_control(at).value == "partly"
    assert checkins.recent_for(people["clara"], people["client_clara"], now=now()) == []


def test_not_today_asks_why_with_one_tap(sqlite_db, people):
    at = client_opens(setup(people))
    status_control(at).set_value("not_today").run()
    reason = next(b for b in at.button_group if str(b.key).startswith("ci_reason_"))
    reason.set_value("no_time").run()
    at.button_group(key="ci_mood").set_value(5).run()
    at.button_group(key="ci_distress").set_value(5).run()
    at.button(key="ci_submit").click().run()
    assert "Noticing you skipped is useful information" in texts(at)
    row = checkins.recent_for(people["clara"], people["client_clara"], now=now())[0]
    assert row["steps"][0]["reason"] == "no_time"


def test_high_distress_shows_crisis_resources_first_and_flags_the_caseload(sqlite_db, people):
    at = client_opens(setup(people))
    at.button_group(key="ci_mood").set_value(1).run()
    at.button_group(key="ci_distress").set_value(10).run()
    at.button(key="ci_submit").click().run()
    assert "If you need help now" in at.markdown[0].value
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}
    clin = signed_in("clara").run()
    assert clin.dataframe[0].value["Safety"].tolist()[0].startswith("⚑")


def test_a_card_link_does_not_open_the_check_in(sqlite_db, people):
    at = client_opens(setup(people, "card"))
    assert "Your coping card" in texts(at) and "Check in" not in [t.value for t in at.title]


def test_a_due_phq9_is_answered_on_the_check_in_page_and_item_9_shows_crisis_resources(sqlite_db, people):
    raw = setup(people)
    measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=now())
    at = client_opens(raw)
    at.button(key=next(b.key for b in at.button if str(b.key).startswith("ci_open_measure_"))).click().run()
    assert "Questionnaire" in texts(at)
    for r in at.radio:
        r.set_value(1)
    at.button(key="ci_measure_submit").click().run()
    assert not at.exception
    assert "If you need help now" in texts(at) and "Your answers are saved" in texts(at)
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}


def test_the_clinician_sees_check_ins_as_text_and_reviews_a_flag_with_a_note(sqlite_db, people):
    raw = setup(people)
    step = plans.get(people["clara"], plans.list_for_client(people["clara"], people["client_clara"], now=now())[0]["id"],
                     now=now())["steps"][0]["step_id"]
    checkins.submit(raw, {"steps": {step: {"status": "done"}}, "mood": 3, "distress": 9,
                          "thought": "[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
                          "idempotency_key": "k" * 24}, now=now())
    at = signed_in("clara").run().switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    assert at.dataframe[0].value["Thought"].tolist() == ["[x](javascript:alert(1)) <img src=x onerror=alert(1)>"]
    assert any("javascript:small[]\\:" in m.value for m in at.markdown)  # escaped and split, so never a link
    flag_id = safety.list_for(people["clara"], now=now())[0]["id"]
    at.button(key=f"ci_flag_review_{flag_id}").click().run()
    assert any("note" in str(e.value) for e in at.error)
    at.text_area(key=f"ci_flag_note_{flag_id}").input("Phoned; agreed safety plan.").run()
    at.button(key=f"ci_flag_review_{flag_id}").click().run()
    assert "Flag reviewed" in texts(at) and open_flags(people["clara"]) == {}


def test_the_clinician_assigns_a_questionnaire_and_makes_a_check_in_link(sqlite_db, people):
    setup(people)
    at = signed_in("clara").run().switch_page("pages/clinician/checkins.py").run()
    at.selectbox(key="ci_measure_code").set_value("gad7").run()
    at.button(key="ci_assign").click().run()
    assert "Assigned" in texts(at)
    at.button(key="ci_link").click().run()
    assert at.code and "?t=" in at.code[0].value
    assert measures.overview(people["clara"], people["client_clara"], now=now())["assigned"][0]["measure"] == "gad7"


def test_colleagues_do_not_see_the_clients_check_ins(sqlite_db, people):
    setup(people)
    at = signed_in("colin").run().switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    assert at.selectbox(key="ci_client").options == ["Client of Colin"]


def minimal(at, mood=6):
    status_control(at).set_value("done").run()
    at.button_group(key="ci_mood").set_value(mood).run()
    at.button_group(key="ci_distress").set_value(2).run()
    return at.button(key="ci_submit").click().run()


def test_the_same_link_in_a_second_tab_saves_once_and_says_so(sqlite_db, people):
    raw = setup(people)
    first, second = client_opens(raw), client_opens(raw)
    minimal(first)
    minimal(second, mood=3)
    assert "already saved" in texts(second) and "already saved" not in texts(first)
    rows = checkins.recent_for(people["clara"], people["client_clara"], now=now())
    assert [r["mood"] for r in rows] == [6]
    second.button(key="ci_again").click().run()
    minimal(second, mood=3)  # "Check in again" is a new form
    assert [r["mood"] for r in checkins.recent_for(people["clara"], people["client_clara"], now=now())] == [3, 6]


def test_a_double_click_on_submit_saves_once(sqlite_db, people):
    at = client_opens(setup(people))
    minimal(at)
    assert "Thank you" in texts(at)
    assert len(checkins.recent_for(people["clara"], people["client_clara"], now=now())) == 1


def test_a_correction_is_a_new_check_in_pointing_at_the_first(sqlite_db, people):
    at = client_opens(setup(people))
    minimal(at, mood=8)
    at.button(key="ci_correct").click().run()
    assert "correcting" in texts(at)
    minimal(at, mood=4)
    rows = checkins.recent_for(people["clara"], people["client_clara"], now=now())
    assert [(r["mood"], r["corrected"]) for r in rows] == [(4, False), (8, True)]
    assert rows[0]["corrects_id"] == rows[1]["id"]
