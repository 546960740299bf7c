"""AppTest: the clinician's Check-ins page (the client's check-in page is tests/client/test_checkin_pages.py)."""
from datetime import datetime, timedelta, timezone

from core import templates as core_templates
from db import checkins, links, measures, plans, safety
from tests.app.helpers import signed_in, texts
from tests.conftest import make_reachable, open_flags

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
T = core_templates.by_key(core_templates.BUILT_IN)


def now():
    return datetime.now(timezone.utc)


def setup(people, purpose="checkin"):
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    return links.issue_for(people["clara"], cid, purpose, now=now() - timedelta(minutes=1), ttl_days=TTL)


def first_step(people):
    return plans.get(people["clara"], plans.list_for_client(people["clara"], people["client_clara"], now=now())[0]["id"],
                     now=now())["steps"][0]["step_id"]


def test_a_high_distress_check_in_marks_the_caseload(sqlite_db, people):
    raw = setup(people)
    checkins.submit(raw, {"steps": {first_step(people): {"status": "done"}}, "mood": 1, "distress": 10,
                          "idempotency_key": "k" * 24}, now=now())
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}
    clin = signed_in("clara").run()
    assert clin.dataframe[0].value["Safety"].tolist()[0].startswith("⚑")


def test_the_clinician_sees_check_ins_as_text_and_reviews_a_flag_with_a_note(sqlite_db, people):
    raw = setup(people)
    step = first_step(people)
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
    assert at.code and "/c/?t=" in at.code[0].value
    assert measures.overview(people["clara"], people["client_clara"], now=now())["assigned"][0]["measure"] == "gad7"


def test_colleagues_do_not_see_the_clients_check_ins(sqlite_db, people):
    setup(people)
    at = signed_in("colin").run().switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    assert at.selectbox(key="ci_client").options == ["Client of Colin"]


def test_a_missed_questionnaire_nudge_expired_shows_on_the_caseload_and_the_check_ins_page(sqlite_db, people):
    """Assigned five days ago, never answered: the worker marks it missed; the clinician sees why."""
    from core import settings as settings_mod
    from db import measure_followups
    setup(people)
    cid = people["client_clara"]
    assert measures.assign(people["clara"], cid, "gad7", "weekly", now=now() - timedelta(days=5)) == {}
    assert measure_followups.expire(now(), settings_mod.load()) == 1
    at = signed_in("clara").run()
    assert not at.exception
    assert "Questionnaire missed (not answered within 4 days" in at.dataframe[0].value["Needs attention"].iloc[0]
    at.switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    assert "Questionnaire missed: not answered in time" in texts(at)
