"""AppTest: the plan editor builds a plan from a template with the homework check live, the caseload
marks plans with findings, and the clinician makes a coping-card link (the card itself is
tests/client/test_card_pages.py)."""
import re

from core import templates as core_templates
import db
from db import links, plans
from tests.app.helpers import errors, signed_in, texts
from tests.conftest import NOW, make_reachable

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
BY_KEY = core_templates.by_key(core_templates.BUILT_IN)


def warnings(at):
    return "\n".join(w.value for w in at.warning)


def test_the_editor_creates_a_plan_from_a_template_and_the_check_updates_live(sqlite_db, people):
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/plans.py").run()
    assert not at.exception
    at.selectbox(key="plans_template").select("thought_record").run()
    assert at.text_input(key="step_anchor").value == "finish dinner"
    assert "No findings" in "\n".join(s.value for s in at.success)
    at.text_input(key="step_behaviour").input("try to think positive").run()
    assert "Abstract wording" in warnings(at) and "No observable action" in warnings(at)
    at.text_input(key="step_behaviour").input("write down one upsetting thought from today").run()
    assert "Abstract wording" not in warnings(at)
    at.button(key="plans_create").click().run()
    assert not at.exception and not errors(at)
    saved = plans.list_for_client(people["clara"], people["client_clara"], now=NOW)
    assert len(saved) == 1 and saved[0]["finding_count"] == 0
    step = plans.get(people["clara"], saved[0]["id"], now=NOW)["steps"][0]
    assert step["template_key"] == "thought_record" and step["behaviour"] == "write down one upsetting thought from today"
    assert "Plan created." in texts(at)


def test_bad_input_in_the_editor_keeps_what_was_typed(sqlite_db, people):
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/plans.py").run()
    at.selectbox(key="plans_template").select("breathing").run()
    at.text_area(key="plans_goal").input("").run()
    at.text_input(key="step_anchor").input("<b>feed the cat</b>").run()
    at.button(key="plans_create").click().run()
    assert any("goal" in e for e in errors(at))
    assert at.text_input(key="step_anchor").value == "<b>feed the cat</b>"
    assert plans.list_for_client(people["clara"], people["client_clara"], now=NOW) == []


def test_the_caseload_marks_plans_with_findings(sqlite_db, people):
    plans.create_plan(people["clara"], people["client_clara"], goal="x",
                      steps=[{**BY_KEY["breathing"]["step"], "behaviour": "relax"}], now=NOW)
    at = signed_in("clara").run()
    column = at.dataframe[0].value["Plans"].tolist()
    assert column[0].startswith("⚠")


def test_editing_a_step_and_changing_its_level_through_the_page(sqlite_db, people):
    from datetime import datetime, timedelta, timezone
    earlier = datetime.now(timezone.utc) - timedelta(days=1)  # the page saves at the real time
    plan_id, _ = plans.create_plan(people["clara"], people["client_clara"], goal="Calmer mornings",
                                   steps=[BY_KEY["breathing"]["step"]], now=earlier)
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/plans.py").run()
    assert at.selectbox(key="plans_plan").value == plan_id
    assert at.text_input(key="step_anchor").value == "pour my morning coffee"
    at.text_input(key="step_anchor").input("feed the cat").run()
    at.button(key="plans_save_step").click().run()
    assert not at.exception and "Saved." in texts(at)
    step = plans.get(people["clara"], plan_id, now=NOW)["steps"][0]
    assert step["anchor"] == "feed the cat"

    at.selectbox(key="plans_to_level").select(2).run()
    at.button(key="plans_change_level").click().run()
    assert any("reason" in e for e in errors(at))  # a reason is asked for, calmly
    at.text_input(key="plans_level_reason").input("5 of 7 mornings done").run()
    at.button(key="plans_change_level").click().run()
    assert "Moved up to level 2." in texts(at)
    at.selectbox(key="plans_to_level").select(1).run()
    at.text_input(key="plans_level_reason").input("a busy month at work").run()
    at.button(key="plans_change_level").click().run()
    assert "a smaller step that fits right now" in texts(at)
    history = plans.level_history(people["clara"], step["step_id"], now=NOW)
    assert [h["reason"] for h in history] == ["5 of 7 mornings done", "a busy month at work"]
    assert "a busy month at work" in texts(at)


def test_the_clinician_makes_a_coping_card_link_that_opens_only_the_card(sqlite_db, people):
    plans.create_plan(people["clara"], people["client_clara"], goal="Calmer days",
                      steps=[BY_KEY["breathing"]["step"]], now=NOW)
    make_reachable(people["client_clara"])
    at = signed_in("clara").run().switch_page("pages/clinician/plans.py").run()
    assert not at.exception and not at.code
    at.button(key="plans_card_link").click().run()
    assert "opens their card without signing in" in texts(at)
    raw = re.search(r"/c/\?t=([A-Za-z0-9_-]+)", at.code[0].value).group(1)
    with db.read() as conn:
        assert links.resolve_in(conn, raw, NOW, purpose="card").ok
        assert not links.resolve_in(conn, raw, NOW, purpose="checkin").ok
