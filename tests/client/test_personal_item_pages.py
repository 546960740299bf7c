"""A client's own questions (personal items) on the check-in page over HTTP, without JavaScript: after the
standard fields, optional, nothing preselected, saved with the check-in, a bad value answered calmly with
the form kept, and the clinician's wording shown as text whatever it holds."""
import re
from datetime import timedelta

import db
from db import links, personal_items
from db.tables import personal_item_answers
from sqlalchemy import select
from tests.client.helpers import TTL, browser, field_error, form, now, open_link, seen, submit
from tests.conftest import make_reachable

HOSTILE = '<img src=x onerror=alert(1)> [x](https://e.test) $x^2$ :skull: 🙂 &amp;'


def setup(people, wording="Urge to check the door locks", yesno="Did I leave the house?"):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=3))
    assert personal_items.add(people["clara"], cid, "scale", wording, "none", "overwhelming",
                              now=now() - timedelta(days=1)) == {}
    if yesno:
        assert personal_items.add(people["clara"], cid, "yesno", yesno, now=now() - timedelta(days=1)) == {}
    versions = [i.current.id for i in personal_items.list_for(people["clara"], cid, now=now())]
    return links.issue_for(people["clara"], cid, "checkin", now=now() - timedelta(minutes=1), ttl_days=TTL), versions


def saved_answers():
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(select(personal_item_answers.c.version_id, personal_item_answers.c.value)
                                               .order_by(personal_item_answers.c.id))]


def test_personal_items_follow_the_standard_fields_with_nothing_preselected(sqlite_db, people):
    raw, (scale, yesno) = setup(people)
    tc = browser()
    page = open_link(tc, raw)
    html = page.text
    assert html.index('name="context_with"') < html.index(f'name="pi_{scale}"') < html.index(f'name="pi_{yesno}"') \
        < html.index('type="submit"')
    assert html.index('name="distress"') < html.index(f'name="pi_{scale}"')
    f = form(page, "/c/checkin")
    assert f.options(f"pi_{scale}") == [str(n) for n in range(11)] and f.options(f"pi_{yesno}") == ["yes", "no"]
    assert not any(name.startswith("pi_") for name, _ in f.defaults())  # nothing preselected
    shown = seen(page)
    assert "Your own questions (optional)" in shown and "Urge to check the door locks" in shown
    assert "0 = none, 10 = overwhelming" in shown and "Did I leave the house?" in shown
    # A fieldset with the question as its legend and the two end words as its description.
    assert re.search(rf'<fieldset class="scale" id="f-pi-{scale}" aria-describedby="f-pi-{scale}-hint">\s*'
                     rf'<legend>Urge to check the door locks</legend>\s*<p class="hint" id="f-pi-{scale}-hint">', html)
    assert re.search(rf'<fieldset id="f-pi-{yesno}">\s*<legend>Did I leave the house\?</legend>', html)


def test_personal_items_are_optional_and_saved_when_answered(sqlite_db, people):
    raw, (scale, yesno) = setup(people)
    tc = browser()
    done = submit(tc, open_link(tc, raw), "/c/checkin", mood=5, distress=2)
    assert "Thank you" in seen(done) and saved_answers() == []
    again = submit(tc, open_link(tc, raw), "/c/checkin", **{"mood": 5, "distress": 2, f"pi_{scale}": 7,
                                                           f"pi_{yesno}": "yes", "idempotency_key": "n" * 24})
    assert "Thank you" in seen(again) and saved_answers() == [(scale, 7), (yesno, 1)]


def test_a_bad_personal_item_value_gets_a_calm_message_and_keeps_the_form(sqlite_db, people):
    raw, (scale, yesno) = setup(people)
    tc = browser()
    page = open_link(tc, raw)
    again = submit(tc, page, "/c/checkin", **{"mood": 4, "distress": 6, f"pi_{scale}": "11", f"pi_{yesno}": "no",
                                              "thought": "kept as typed"})
    assert again.status_code == 200
    assert "whole number from 0 to 10 (or leave it blank)" in field_error(again, f"f-pi-{scale}")
    assert f'href="#f-pi-{scale}"' in again.text  # the error summary leads to the question
    kept = form(again, "/c/checkin")
    assert kept.value("mood") == "4" and kept.value("distress") == "6" and kept.value(f"pi_{yesno}") == "no"
    assert kept.value("thought") == "kept as typed"
    assert saved_answers() == []
    fixed = submit(tc, again, "/c/checkin", **{f"pi_{scale}": "3"})
    assert "Thank you" in seen(fixed) and saved_answers() == [(scale, 3), (yesno, 0)]


def test_personal_item_hostile_wording_shows_as_text_to_the_client(sqlite_db, people):
    raw, (scale, yesno) = setup(people, wording=HOSTILE, yesno=HOSTILE[:60])
    tc = browser()
    page = open_link(tc, raw)
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "&amp;amp;" in page.text  # an entity typed by the clinician is shown, not decoded
    assert HOSTILE in seen(page) and '<a href="https://e.test"' not in page.text
    assert "🙂" in page.text and ":skull:" in page.text and "$x^2$" in page.text
