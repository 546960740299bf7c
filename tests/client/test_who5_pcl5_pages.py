"""WHO-5 and PCL-5 answered through a client's check-in link over HTTP (issue 17), on both databases: PCL-5's
introduction comes first, on its own screen, and opening it saves nothing; the answers are saved item by item
with the right total; a missing answer gets a calm message and keeps the others checked; the crisis resources
follow the sent PCL-5; WHO-5 offers its own six answers. A Spanish-speaking client gets the English instruments
(no published Spanish version is included) marked lang="en"."""
import dataclasses
import re
from datetime import timedelta

from sqlalchemy import select, update

import db
from core import measures as measure_rules, templates as core_templates
from db import clients, links, measures, plans
from db.tables import measure_answers, measure_responses
from tests.client.helpers import TTL, browser, counts, field_error, form, now, open_link, post_pairs, seen, submit
from tests.conftest import make_reachable

T = core_templates.by_key(core_templates.BUILT_IN)
PCL_ITEM_1 = "Repeated, disturbing, and unwanted memories of the stressful experience?"
PCL_ANSWERS = [2, 1, 0, 3, 2, 1, 2, 0, 3, 2, 3, 1, 2, 2, 1, 0, 3, 2, 2, 1]  # 33: the provisional cut-off


def due(people, code: str, *, also: str | None = None):
    """Clara's client with a plan, consent and `code` assigned weekly: the check-in browser and the
    questionnaire's address."""
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    raw = links.issue_for(people["clara"], cid, "checkin", now=now() - timedelta(minutes=1), ttl_days=TTL)
    assert measures.assign(people["clara"], cid, code, "weekly", now=now()) == {}
    if also:
        assert measures.assign(people["clara"], cid, also, "weekly", now=now()) == {}
    tc = browser()
    page = open_link(tc, raw)
    href = re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1)
    return tc, href


def stored():
    with db.read() as conn:
        responses = conn.execute(select(measure_responses.c.id, measure_responses.c.measure, measure_responses.c.total,
                                        measure_responses.c.band)).all()
        items = conn.execute(select(measure_answers.c.item, measure_answers.c.answer)
                             .order_by(measure_answers.c.item)).all()
    return [tuple(r[1:]) for r in responses], [tuple(i) for i in items]


def test_pcl_shows_its_introduction_first_and_opening_it_saves_nothing(database, people):
    tc, href = due(people, "pcl5")
    before = counts()
    intro = tc.get(href)
    shown = seen(intro)
    assert intro.status_code == 200 and "Before the questions" in shown
    assert "hard to read" in shown and "stop at any point and come back" in shown
    assert "not monitored in real time" in shown
    assert PCL_ITEM_1 not in shown and 'type="radio"' not in intro.text  # no item until the client chooses
    assert f'href="{href}?start=1"' in intro.text and '>Start<' in intro.text
    assert 'href="/c/checkin"' in intro.text and "Not now" in shown
    assert counts() == before


def test_pcl_answered_after_start_is_saved_item_by_item_with_its_total_then_crisis_resources(database, people):
    tc, href = due(people, "pcl5")
    questions = tc.get(f"{href}?start=1")
    assert "Before the questions" not in seen(questions) and PCL_ITEM_1 in seen(questions)
    f = form(questions, href)
    assert len({c["name"] for c in f.controls if c["name"].startswith("item_")}) == 20
    assert f.options("item_0") == ["0", "1", "2", "3", "4"] and f.value("item_0") is None  # nothing preselected
    done = submit(tc, questions, href, **{f"item_{i}": a for i, a in enumerate(PCL_ANSWERS)})
    shown = seen(done)
    assert "Your answers are saved" in shown and "If you need help now" in shown
    assert shown.index("Your answers are saved") < shown.index("If you need help now")  # after, as with PHQ-9
    assert "brought up hard feelings" in shown
    assert stored() == ([("pcl5", 33, "at or above the provisional PTSD cut-off")],
                        [(i + 1, a) for i, a in enumerate(PCL_ANSWERS)])


def test_pcl_a_missing_answer_gets_a_calm_message_and_keeps_the_others_checked_without_the_intro_again(
        database, people):
    tc, href = due(people, "pcl5")
    questions = tc.get(f"{href}?start=1")
    again = submit(tc, questions, href, **{f"item_{i}": a for i, a in enumerate(PCL_ANSWERS) if i != 12})
    assert again.status_code == 200 and "Before the questions" not in seen(again)
    assert field_error(again, "f-item-12").endswith("Please choose one of the answers.")
    kept = form(again, href)
    assert [kept.value(f"item_{i}") for i in range(20) if i != 12] == [str(a) for i, a in enumerate(PCL_ANSWERS)
                                                                        if i != 12]
    assert kept.value("item_12") is None and counts()["measure_responses"] == 0
    done = submit(tc, again, href, item_12=PCL_ANSWERS[12])
    assert "Your answers are saved" in seen(done) and stored()[0] == [("pcl5", 33,
                                                                      "at or above the provisional PTSD cut-off")]


def test_who5_offers_its_six_answers_in_printed_order_and_saves_four_times_the_raw_score(database, people):
    tc, href = due(people, "who5")
    page = tc.get(href)  # no introduction for WHO-5: the questions at once
    shown = seen(page)
    assert "Before the questions" not in shown and "closest to how you have been feeling" in shown
    assert "I have felt cheerful and in good spirits" in shown
    f = form(page, href)
    assert f.options("item_0") == ["5", "4", "3", "2", "1", "0"]
    labels = re.findall(r'<label for="q0-\d">(.*?)</label>', page.text)
    assert labels == list(measure_rules.WHO5.answers)
    done = submit(tc, page, href, item_0=4, item_1=3, item_2=1, item_3=0, item_4=2)  # raw 10
    assert "Your answers are saved" in seen(done)
    assert stored() == ([("who5", 40, "low (screen for depression)")], [(1, 4), (2, 3), (3, 1), (4, 0), (5, 2)])


def test_who5_a_missing_answer_keeps_the_others(database, people):
    tc, href = due(people, "who5")
    again = submit(tc, tc.get(href), href, item_0=5, item_1=0, item_3=2, item_4=1)
    assert field_error(again, "f-item-2") and form(again, href).value("item_1") == "0"
    assert counts()["measure_responses"] == 0


def test_pcl_and_who5_reach_a_spanish_client_in_english_marked_lang_en(database, people):
    with db.write() as conn:
        conn.execute(update(clients.clients).where(clients.clients.c.id == people["client_clara"]).values(language="es"))
    tc, href = due(people, "pcl5")
    questions = tc.get(f"{href}?start=1")
    assert '<html lang="es">' in questions.text
    assert re.search(r'<div lang="en">\s*<p>Below is a list of problems', questions.text)


def test_pcl_an_instrument_whose_licence_forbids_its_items_is_never_put_to_the_client(database, people, monkeypatch):
    tc, href = due(people, "pcl5")
    # PCL-5 as if its licence did not let us print its items (both real instruments allow it).
    monkeypatch.setitem(measure_rules.MEASURES, "pcl5", dataclasses.replace(measure_rules.PCL5, items_may_be_shown=False))
    page = tc.get("/c/checkin")
    assert page.status_code == 200 and "Answer it now" not in seen(page) and href not in page.text
    assert tc.get(f"{href}?start=1").headers.get("location") == "/c/checkin"


def test_who5_and_pcl_on_the_check_in_page_say_honestly_how_long_each_takes(database, people):
    tc, _ = due(people, "who5", also="pcl5")
    shown = seen(tc.get("/c/checkin"))
    assert "WHO-5 (well-being over the last two weeks) (5 questions, about two minutes)" in shown
    assert ("asked for a questionnaire: PCL-5 (stress after a very stressful experience, past month) "
            "(20 questions, up to 10 minutes)") in shown


def test_pcl_sent_twice_is_saved_once_and_the_second_confirmation_is_as_kind(database, people):
    tc, href = due(people, "pcl5")
    pairs = form(tc.get(f"{href}?start=1"), href).fill(**{f"item_{i}": a for i, a in enumerate(PCL_ANSWERS)})
    first, replayed = post_pairs(tc, href, pairs), post_pairs(tc, href, pairs)
    assert "already saved" not in seen(first) and "already saved" in seen(replayed)
    for page in (first, replayed):
        assert "brought up hard feelings" in seen(page) and "If you need help now" in seen(page)
    assert counts()["measure_responses"] == 1
