"""A mail scanner or crawler that opens every link and follows every address with GET and HEAD changes
nothing: no check-in, answer, consent, pause, withdrawal, flag or audit row besides the audited reads.
Runs on SQLite and PostgreSQL."""
import re
from datetime import timedelta

import pytest

from core import templates as core_templates
from db import checkins, consent, links, measures, plans
from tests.client.helpers import TTL, browser, counts, now
from tests.conftest import make_reachable
from tests.db.test_consent import FORM as DISCUSSED

T = core_templates.by_key(core_templates.BUILT_IN)
PAGES = {
    "checkin": ["/c/checkin", "/c/checkin?day=yesterday", "/c/checkin?again=1", "/c/checkin?corrects={checkin_id}",
                "/c/checkin/questionnaire/{assignment_id}", "/c/checkin/stop"],
    "consent": ["/c/consent", "/c/consent/stop"],
    "card": ["/c/card", "/c/card?struggling=1", "/c/card/coping-card.ics", "/c/card/stop"],
    "preferences": ["/c/preferences", "/c/preferences/stop", "/c/preferences?want=pause&sure=yes"],
}
EVERYWHERE = ["/c/link-problem", "/c/static/client.css", "/c/nothing-here", "/c", "/c/checkin/stop?sure=yes"]


@pytest.fixture
def every_link(people):
    """One link of each purpose, for clients whose every page has something to show and to change."""
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    assert measures.assign(people["clara"], cid, "phq9", "weekly", now=now()) == {}
    raws = {p: links.issue_for(people["clara"], cid, p, now=now() - timedelta(minutes=1), ttl_days=TTL)
            for p in ("checkin", "card", "preferences")}
    step = plans.get(people["clara"], plans.list_for_client(people["clara"], cid, now=now())[0]["id"],
                     now=now())["steps"][0]["step_id"]
    done = checkins.submit(raws["checkin"], {"steps": {step: {"status": "done"}}, "mood": 5, "distress": 3,
                                             "idempotency_key": "k" * 24}, now=now())
    made, _ = consent.issue_link(people["colin"], people["client_colin"], DISCUSSED, now=now(), ttl_days=TTL, via="copy")
    raws["consent"] = made["raw"]
    (due,) = checkins.form_by_link(raws["checkin"], now=now())["due"]
    return raws, {"checkin_id": done.checkin_id, "assignment_id": due["assignment_id"]}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_scanner_opening_every_link_and_address_changes_nothing(database, people, every_link, method):
    raws, ids = every_link
    before = counts()
    seen_paths = 0
    for n, (purpose, raw) in enumerate(sorted(raws.items())):
        tc = browser(peer=(f"203.0.113.{10 + n}", 40000))  # a scanner's address per purpose, under the lookup limit
        for link in ("/c/", "/", "/caseload"):
            answer = tc.request(method, link, params={"t": raw})
            assert answer.status_code == 303, (link, purpose)
        for path in PAGES[purpose] + EVERYWHERE:
            path = path.format(**ids)
            answer = tc.request(method, path, follow_redirects=True)
            assert answer.status_code in (200, 404), (path, answer.status_code)
            seen_paths += 1
    assert seen_paths >= 25
    assert counts() == before


def test_a_scanner_that_follows_the_links_in_a_page_changes_nothing(database, people, every_link):
    raws, _ = every_link
    before = counts()
    for n, (purpose, raw) in enumerate(sorted(raws.items())):
        tc = browser(peer=(f"203.0.113.{20 + n}", 40000))
        queue, visited = [tc.get("/c/", params={"t": raw}, follow_redirects=True)], set()
        while queue:
            page = queue.pop()
            for href in re.findall(r'(?:href|url)=["]?([^"\s>]+)', page.text):
                href = href.replace("&amp;", "&")
                if href.startswith("/c/") and href not in visited:
                    visited.add(href)
                    queue.append(tc.get(href, follow_redirects=True))
        assert len(visited) >= 2, purpose
    assert counts() == before
