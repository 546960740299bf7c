"""The client's check-in page over HTTP (no JavaScript): a real link, a real database, the form as a
phone's browser sends it. (Moved from tests/app/test_checkin_pages.py when the page left Streamlit.)"""
import re
from datetime import timedelta

from core import templates as core_templates
from db import checkins, links, measures, plans
from tests.client.helpers import (CALM, TTL, browser, field_error, form, now, open_link, post_pairs, seen,
                                  submit, counts)
from tests.conftest import make_reachable, open_flags

T = core_templates.by_key(core_templates.BUILT_IN)


def setup(people, purpose="checkin", owner="clara"):
    cid = people[f"client_{owner}"]
    plans.create_plan(people[owner], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    return links.issue_for(people[owner], cid, purpose, now=now() - timedelta(minutes=1), ttl_days=TTL)


def step_id(page) -> str:
    return re.search(r'name="status_(\d+)"', page.text).group(1)


def minimal(tc, page, mood=6, **more):
    sid = step_id(page)
    return submit(tc, page, "/c/checkin", **{f"status_{sid}": "done", "mood": mood, "distress": 2, **more})


def saved(people, owner="clara"):
    return checkins.recent_for(people[owner], people[f"client_{owner}"], now=now())


def test_the_minimal_path_saves_and_shows_warm_words_and_the_crisis_resources(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    assert page.status_code == 200 and "Check in" in seen(page)
    done = minimal(tc, page)
    assert done.status_code == 200
    shown = seen(done)
    assert "Thank you" in shown and "not monitored in real time" in shown and "116 123" in shown
    assert "Next practice" in shown and "You practised" in shown
    assert len(saved(people)) == 1


def test_the_form_has_no_preselected_answers_and_the_optional_fields_start_folded(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    f = form(page, "/c/checkin")
    assert {name for name, _ in f.defaults()} == {"csrf", "local_date", "idempotency_key", "thought",
                                                  "context_where", "context_with"}
    assert '<details class="more">' in page.text  # folded until asked for (or until one holds text)


def test_a_missing_mood_gets_a_message_and_keeps_the_rest(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    sid = step_id(page)
    again = submit(tc, page, "/c/checkin", **{f"status_{sid}": "partly", "distress": 4,
                                              "thought": "<script>alert(1)</script>"})
    assert "mood" in field_error(again, "f-mood")
    kept = form(again, "/c/checkin")
    assert kept.value("thought") == "<script>alert(1)</script>" and "<script>alert(1)" not in again.text
    assert kept.value("distress") == "4" and kept.value(f"status_{sid}") == "partly" and kept.value("mood") is None
    assert '<details class="more" open>' in again.text
    assert saved(people) == []


def test_not_today_asks_why_with_one_tap(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    sid = step_id(page)
    assert form(page, "/c/checkin").options(f"reason_{sid}") == ["forgot", "no_time", "too_distressed", "not_useful",
                                                                 "other"]
    done = submit(tc, page, "/c/checkin", **{f"status_{sid}": "not_today", f"reason_{sid}": "no_time", "mood": 5,
                                             "distress": 5})
    assert "Noticing you skipped is useful information" in seen(done)
    assert saved(people)[0]["steps"][0]["reason"] == "no_time"


def test_high_distress_shows_crisis_resources_first_and_flags_the_caseload(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    done = submit(tc, page, "/c/checkin", mood=1, distress=10)
    shown = seen(done)
    assert shown.index("If you need help now") < shown.index("Thank you")
    assert "sounds hard" in shown and "Samaritans" in shown
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}


def test_a_card_link_does_not_open_the_check_in(sqlite_db, people):
    tc = browser()
    card = open_link(tc, setup(people, "card"))
    assert "Your coping card" in seen(card)
    checkin = tc.get("/c/checkin")
    assert CALM in seen(checkin) and "Check in" not in seen(checkin).replace("Anchorstep", "")
    assert tc.post("/c/checkin", data={"mood": "5", "distress": "5"}).status_code in (200, 400)
    assert saved(people) == []


def test_a_due_phq9_is_answered_from_the_check_in_page_and_item_9_shows_crisis_resources(sqlite_db, people):
    raw = setup(people)
    measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=now())
    tc = browser()
    page = open_link(tc, raw)
    href = re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1)
    questionnaire = tc.get(href)
    assert "Questionnaire" in seen(questionnaire)
    f = form(questionnaire, href)
    items = sorted({n for n, in [(c["name"],) for c in f.controls] if n.startswith("item_")})
    assert len(items) == 9 and all(f.value(n) is None for n in items)  # nothing preselected
    answered = submit(tc, questionnaire, href, **{n: 1 for n in items})
    shown = seen(answered)
    assert "If you need help now" in shown and "Your answers are saved" in shown
    assert open_flags(people["clara"]) == {people["client_clara"]: 1}


def test_a_questionnaire_with_a_missing_answer_keeps_the_others(sqlite_db, people):
    raw = setup(people)
    measures.assign(people["clara"], people["client_clara"], "gad7", "weekly", now=now())
    tc = browser()
    page = open_link(tc, raw)
    href = re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1)
    questionnaire = tc.get(href)
    again = submit(tc, questionnaire, href, **{f"item_{i}": 2 for i in range(6)})
    assert field_error(again, "f-item-6") and form(again, href).value("item_0") == "2"
    assert counts()["measure_responses"] == 0


def test_the_same_link_in_a_second_tab_saves_once_and_says_so(sqlite_db, people):
    raw = setup(people)
    first, second = browser(), browser()
    first_page, second_page = open_link(first, raw), open_link(second, raw)
    one = minimal(first, first_page)
    two = minimal(second, second_page, mood=3)
    assert "already saved" in seen(two) and "already saved" not in seen(one)
    assert [r["mood"] for r in saved(people)] == [6]
    again = second.get(re.search(r'href="(/c/checkin\?again=1)"', two.text).group(1))
    minimal(second, again, mood=3)  # "Check in again" is a new form
    assert [r["mood"] for r in saved(people)] == [3, 6]


def test_a_double_click_on_submit_saves_once(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    sid = step_id(page)
    pairs = form(page, "/c/checkin").fill(**{f"status_{sid}": "done", "mood": 6, "distress": 2})
    first, second = post_pairs(tc, "/c/checkin", pairs), post_pairs(tc, "/c/checkin", pairs)
    assert "Thank you" in seen(first) and "already saved" in seen(second)
    assert len(saved(people)) == 1


def test_a_correction_is_a_new_check_in_pointing_at_the_first(sqlite_db, people):
    tc = browser()
    done = minimal(tc, open_link(tc, setup(people)), mood=8)
    correcting = tc.get(re.search(r'href="(/c/checkin\?corrects=\d+)"', done.text).group(1))
    assert "correcting" in seen(correcting)
    minimal(tc, correcting, mood=4)
    rows = saved(people)
    assert [(r["mood"], r["corrected"]) for r in rows] == [(4, False), (8, True)]
    assert rows[0]["corrects_id"] == rows[1]["id"]


def test_yesterday_can_be_checked_in_for(sqlite_db, people):
    tc = browser()
    page = open_link(tc, setup(people))
    yesterday = tc.get("/c/checkin?day=yesterday")
    assert "For yesterday" in seen(yesterday)
    minimal(tc, yesterday)
    row = saved(people)[0]
    assert str(row["local_date"]) == form(yesterday, "/c/checkin").value("local_date")
    assert form(page, "/c/checkin").value("local_date") != form(yesterday, "/c/checkin").value("local_date")


def test_a_10000_character_thought_and_context_get_a_message_next_to_each_field_and_are_kept(database, people):
    tc = browser()
    page = open_link(tc, setup(people))
    long = {"thought": "t" * 10_000, "context_where": "w" * 10_000, "context_with": "p" * 10_000}
    again = minimal(tc, page, **long)
    assert again.status_code == 200 and "Thank you" not in seen(again)
    assert "500 characters" in field_error(again, "f-thought")
    assert "100 characters" in field_error(again, "f-context-where")
    assert "100 characters" in field_error(again, "f-context-with")
    kept = form(again, "/c/checkin")
    assert {k: kept.value(k) for k in long} == long
    assert counts()["checkins"] == 0
