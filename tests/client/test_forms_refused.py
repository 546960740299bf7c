"""Every client form refuses, calmly and without saving, what a real page in this link session did not
send: a csrf token that is missing, from another link session or expired; a JSON, multipart or
text/plain body; a body over 64 KiB; a form sent after the client stopped taking part. A replayed form
saves once and says so. Runs on SQLite and PostgreSQL."""
import json
import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from client import session
from core import settings as settings_mod
from core import templates as core_templates
from db import consent, links, measures, plans
from tests.client.helpers import (TRY_AGAIN, TTL, WITHDRAWN, browser, counts, field_error, form, now, open_link,
                                  post_pairs, seen)
from tests.conftest import make_reachable
from tests.db.test_consent import FORM as DISCUSSED, KEYS

T = core_templates.by_key(core_templates.BUILT_IN)
FORMS = ["checkin", "questionnaire", "consent", "preferences", "stop"]


@dataclass
class Case:
    tc: object
    page: object
    action: str
    answers: dict
    raw: str


def _reachable_with_plan(people):
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))


def _open(people, purpose):
    raw = links.issue_for(people["clara"], people["client_clara"], purpose, now=now() - timedelta(minutes=1),
                          ttl_days=TTL)
    tc = browser()
    return tc, open_link(tc, raw), raw


def case(people, which) -> Case:
    """A client on the page of form `which`, and the answers that form would save."""
    if which == "consent":
        made, _ = consent.issue_link(people["clara"], people["client_clara"], DISCUSSED, now=now(), ttl_days=TTL,
                                     via="copy")
        tc = browser()
        return Case(tc, open_link(tc, made["raw"]), "/c/consent", {"item": KEYS, "name": "Robin"}, made["raw"])
    _reachable_with_plan(people)
    if which == "preferences":
        tc, page, raw = _open(people, "preferences")
        return Case(tc, page, "/c/preferences", {"sure": "yes"}, raw)
    if which == "questionnaire":
        measures.assign(people["clara"], people["client_clara"], "phq9", "weekly", now=now())
        tc, page, raw = _open(people, "checkin")
        href = re.search(r'href="(/c/checkin/questionnaire/\d+)"', page.text).group(1)
        return Case(tc, tc.get(href), href, {f"item_{i}": 1 for i in range(9)}, raw)
    tc, page, raw = _open(people, "checkin")
    if which == "stop":
        return Case(tc, page, "/c/checkin/stop", {"sure": "yes"}, raw)
    sid = re.search(r'name="status_(\d+)"', page.text).group(1)
    return Case(tc, page, "/c/checkin", {f"status_{sid}": "done", "mood": 6, "distress": 2,
                                         "thought": "kept words", "context_where": "the bus"}, raw)


def other_session_csrf(people) -> str:
    """A csrf token a real page drew for another link session (a card link of the same client)."""
    other = links.issue_for(people["clara"], people["client_clara"], "card", now=now(), ttl_days=TTL)
    return session.csrf_for(other, settings_mod.load())


def expired_csrf(raw: str) -> str:
    return session.csrf_for(raw, settings_mod.load(), now=time.time() - session.CSRF_MAX_AGE - 60)


def assert_refused_calmly(c: Case, answer, *, typed_kept: bool):
    assert answer.status_code == 400 and "Traceback" not in answer.text
    if c.action == "/c/checkin":
        # the check-in draws its form again with a message, keeping what was typed
        assert "nothing was saved" in field_error(answer, "f-form")
        kept = form(answer, "/c/checkin")
        if typed_kept:
            assert kept.value("thought") == "kept words" and kept.value("mood") == "6"
            assert kept.value("context_where") == "the bus"
        assert session.csrf_ok(c.raw, kept.value("csrf"), settings_mod.load())  # a fresh token: one more tap
    else:
        assert TRY_AGAIN in seen(answer) and "Nothing was saved" in seen(answer)


@pytest.mark.parametrize("which", FORMS)
@pytest.mark.parametrize("csrf", ["missing", "from_another_link_session", "expired", "forged"])
def test_a_form_with_a_bad_csrf_token_saves_nothing_and_asks_to_try_once_more(database, people, which, csrf):
    c = case(people, which)
    value = {"missing": None, "from_another_link_session": other_session_csrf, "expired": expired_csrf,
             "forged": lambda _: f"{int(time.time())}." + "0" * 40}[csrf]
    value = value and value(people if csrf == "from_another_link_session" else c.raw)
    before = counts()
    answer = post_pairs(c.tc, c.action, form(c.page, c.action).fill(**c.answers, csrf=value))
    assert_refused_calmly(c, answer, typed_kept=True)
    assert counts() == before
    # and the same answers with the page's own token are saved: the refusal was the token's doing
    assert post_pairs(c.tc, c.action, form(c.page, c.action).fill(**c.answers)).status_code == 200
    assert counts() != before


@pytest.mark.parametrize("which", FORMS)
@pytest.mark.parametrize("kind", ["json", "multipart", "text_plain"])
def test_a_form_sent_as_another_content_type_is_refused_calmly_and_saves_nothing(database, people, which, kind):
    c = case(people, which)
    fields = form(c.page, c.action).fill(**c.answers)  # a valid csrf among them
    before = counts()
    if kind == "json":
        answer = c.tc.post(c.action, content=json.dumps(dict(fields)), headers={"Content-Type": "application/json"})
    elif kind == "multipart":
        answer = c.tc.post(c.action, data=dict(fields), files={"attachment": ("a.txt", b"x", "text/plain")})
    else:
        body = "\r\n".join(f"{k}={v}" for k, v in fields)
        answer = c.tc.post(c.action, content=body.encode(), headers={"Content-Type": "text/plain"})
    assert_refused_calmly(c, answer, typed_kept=False)
    assert counts() == before


@pytest.mark.parametrize("which", FORMS)
def test_a_body_over_64_kib_is_refused_and_saves_nothing(database, people, which):
    c = case(people, which)
    before = counts()
    pairs = form(c.page, c.action).fill(**c.answers, padding="x" * (64 * 1024))
    answer = post_pairs(c.tc, c.action, pairs)
    assert answer.status_code == 413 and "set-cookie" not in answer.headers
    chunked = c.tc.post(c.action, content=iter([b"csrf=1", b"&mood=5"]),  # no Content-Length at all
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413
    assert counts() == before


@pytest.mark.parametrize("which", FORMS)
def test_a_form_posted_after_withdrawal_shows_the_withdrawn_page_and_saves_nothing(database, people, which):
    c = case(people, which)
    consent.withdraw_for(people["clara"], people["client_clara"], now=now())
    before = counts()
    answer = post_pairs(c.tc, c.action, form(c.page, c.action).fill(**c.answers))
    assert WITHDRAWN in seen(answer) and "<form" not in answer.text
    assert counts() == before


def test_a_replayed_check_in_with_the_same_csrf_and_idempotency_key_saves_once_and_says_so(database, people):
    c = case(people, "checkin")
    pairs = form(c.page, c.action).fill(**c.answers)
    first = post_pairs(c.tc, c.action, pairs)
    replayed = post_pairs(browser(), c.action, pairs, headers={"Cookie": f"as_link_checkin={c.raw}"})
    again = post_pairs(c.tc, c.action, pairs)
    assert "Thank you" in seen(first) and "already saved" not in seen(first)
    assert "already saved" in seen(replayed) and "already saved" in seen(again)
    assert counts()["checkins"] == 1


def test_a_replayed_questionnaire_saves_once_and_says_so(database, people):
    c = case(people, "questionnaire")
    pairs = form(c.page, c.action).fill(**c.answers)
    first, replayed = post_pairs(c.tc, c.action, pairs), post_pairs(c.tc, c.action, pairs)
    assert "Your answers are saved" in seen(first) and "already saved" not in seen(first)
    assert "already saved" in seen(replayed)
    assert counts()["measure_responses"] == 1


def test_a_replayed_consent_confirms_once(database, people):
    c = case(people, "consent")
    pairs = form(c.page, c.action).fill(**c.answers)
    for _ in range(2):
        assert "Thank you" in seen(post_pairs(c.tc, c.action, pairs))
    assert counts()["consents_confirmed"] == 1 and counts()["consent_events"] == 3  # discussed, sent, confirmed
