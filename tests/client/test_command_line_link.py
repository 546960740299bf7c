"""`python -m db link CLIENT_ID PURPOSE`, run as a real process against a real SQLite file: it prints a
working `/c/?t=` link, is audited like the portal's "make a link", and refuses an unknown client."""
import os
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from db import links
from tests.client.helpers import CALM, TTL, audit_actions, browser, now, open_link, seen
from tests.conftest import ROOT, make_reachable

BASE = "https://portal.example.org"


def db_link(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LINK_BASE_URL": BASE}
    return subprocess.run([sys.executable, "-m", "db", "link", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("purpose,heading", [("checkin", "Check in"), ("card", "Your coping card"),
                                             ("preferences", "Your reminders")])
def test_db_link_prints_a_working_client_link(sqlite_db, people, purpose, heading):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=1))
    out = db_link(cid, purpose)
    assert out.returncode == 0, out.stderr
    url = urlsplit(out.stdout.strip())
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASE}/c/" and url.query.startswith("t=")
    assert out.stderr == ""
    page = open_link(browser(), url.query.removeprefix("t="))
    assert heading in seen(page) and CALM not in seen(page)


def test_db_link_is_audited_like_making_a_link_in_the_portal(sqlite_db, people):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=1))
    links.issue_for(people["clara"], cid, "checkin", now=now(), ttl_days=TTL)
    assert db_link(cid, "checkin").returncode == 0
    portal, command = [a for a in audit_actions(cid) if a[0] == "link.issue"]
    assert portal == ("link.issue", "clara", "checkin link")  # same action and detail; the actor differs
    assert command == ("link.issue", "command line", "checkin link")


def test_db_link_for_an_unknown_client_exits_1_and_makes_nothing(sqlite_db, people):
    out = db_link(999_999, "checkin")
    assert out.returncode == 1 and "999999" in out.stderr and out.stdout == ""
    assert [a for a in audit_actions() if a[0] == "link.issue"] == []


def test_db_link_for_a_client_without_consent_says_the_link_will_not_work_yet(sqlite_db, people):
    out = db_link(people["client_clara"], "checkin")
    assert out.returncode == 0 and "consent" in out.stderr
    page = open_link(browser(), urlsplit(out.stdout.strip()).query.removeprefix("t="))
    assert CALM in seen(page)
