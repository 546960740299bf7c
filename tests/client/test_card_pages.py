"""The coping card over HTTP: steps, crisis resources, "I'm struggling right now" and the calendar file;
typed step text arrives as text. (Moved from tests/app/test_plans_pages.py when the card left Streamlit.)"""
import re

from core import templates as core_templates
from db import links, plans
from tests.client.helpers import CALM, TTL, browser, counts, now, open_link, seen
from tests.conftest import make_reachable

BY_KEY = core_templates.by_key(core_templates.BUILT_IN)


def card_link(people, steps):
    plans.create_plan(people["clara"], people["client_clara"], goal="Calmer days", steps=steps, now=now())
    make_reachable(people["client_clara"], now())
    return links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)


def test_the_card_shows_steps_crisis_resources_and_struggling_opens_the_grounding_step(sqlite_db, people):
    tc = browser()
    card = open_link(tc, card_link(people, [BY_KEY["thought_record"]["step"], BY_KEY["grounding"]["step"]]))
    body = seen(card)
    assert "Your coping card" in body and "Samaritans" in body
    assert "After I finish dinner, I will write down one upsetting thought from today (5 min)" in body
    assert 'href="/c/card/coping-card.ics"' in card.text
    struggling = tc.get(re.search(r'href="(/c/card\?struggling=1)"', card.text).group(1))
    first = re.search(r"<h2>(.*?)</h2>", struggling.text, re.S).group(1)
    assert "park the car" in first and "That's okay" in seen(struggling)


def test_the_card_calendar_downloads_as_an_ics_file_and_changes_nothing(sqlite_db, people):
    tc = browser()
    open_link(tc, card_link(people, [BY_KEY["breathing"]["step"]]))
    before = counts()
    ics = tc.get("/c/card/coping-card.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "attachment" in ics.headers["content-disposition"] and ics.text.startswith("BEGIN:VCALENDAR")
    assert counts() == before


def test_hostile_step_text_is_shown_escaped_on_the_card(sqlite_db, people):
    hostile = {**BY_KEY["breathing"]["step"], "behaviour": "<img src=x onerror=alert(1)> [x](javascript:alert(1))"}
    tc = browser()
    card = open_link(tc, card_link(people, [hostile]))
    assert "&lt;img src=x onerror=alert(1)&gt;" in card.text
    assert "<img" not in card.text and 'href="javascript' not in card.text
    assert "<img src=x onerror=alert(1)> [x](javascript:alert(1))" in seen(card)


def test_a_post_to_the_card_changes_nothing(sqlite_db, people):
    tc = browser()
    open_link(tc, card_link(people, [BY_KEY["breathing"]["step"]]))
    before = counts()
    answer = tc.post("/c/card", data={"x": "1"})
    assert answer.status_code == 404 and CALM in seen(answer) and counts() == before
