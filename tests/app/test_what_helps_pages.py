"""AppTest: the client view's "What helps" shows each skill's sentence with its workings, the entries
behind it on request, the before→after chart, typed step text as text, and the small-wins switch; the
caseload shows "Skill uses, 7 days"."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

import db
from core import templates as core_templates
from db import plans
from db.tables import clients, skill_uses
from tests.app.helpers import signed_in, texts

T = core_templates.by_key(core_templates.BUILT_IN)
HOSTILE = "<img src=x onerror=alert(1)> **bold** :red[red] $x^2$ https://example.org"


def setup(people, n_rated=7):
    now = datetime.now(timezone.utc)
    cid = people["client_clara"]
    plan_id, _ = plans.create_plan(people["clara"], cid, goal="Calmer days", now=now - timedelta(days=20),
                                   steps=[{**T["grounding"]["step"], "behaviour": HOSTILE}])
    step = plans.get(people["clara"], plan_id, now=now)["steps"][0]
    rows = []
    for i in range(9):
        # One use on each of the client's last 9 local days (Clara's client is in Europe/London): an hour
        # before now was yesterday in the first hour of the day, and the 7-day count read 6.
        at = (now - timedelta(days=i)).astimezone(ZoneInfo("Europe/London"))
        rated = i < n_rated
        rows.append(dict(client_id=cid, step_id=step["step_id"], version_id=step["version_id"],
                         idempotency_key=f"app-skill-{i:04d}", started_at=at, saved_at=at, local_date=at.date(),
                         local_time=f"{at:%H:%M}", before=7 if rated else None, after=4 if rated else None,
                         helped=True, duration_s=120, struggling=False))
    with db.write() as conn:
        conn.execute(insert(skill_uses), rows)
    return cid


def test_what_helps_shows_the_sentence_workings_entries_and_chart(sqlite_db, people):
    setup(people)
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    assert not at.exception, at.exception
    page = texts(at)
    assert f"{HOSTILE}: used 9 times" in page
    assert "rated before and after 7 times; distress fell by a median of 3 points (from 7 to 4); 7 of 7 fell by 2 or more." in page
    assert "unrated uses count as uses but not in the change" in page
    assert any(c.proto.spec and "each rated skill use" in c.proto.spec for c in at.get("vega_lite_chart"))
    behind = next(b for b in at.button if b.key.startswith("cv_skill_behind_"))
    behind.click().run()
    assert not at.exception, at.exception
    entries = next(d for d in at.dataframe if "Before" in d.value.columns)
    assert len(entries.value) == 9 and list(entries.value["Step as it was"])[0] == HOSTILE


def test_what_helps_says_too_few_and_the_small_wins_switch_turns_off(sqlite_db, people):
    cid = setup(people, n_rated=3)
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    assert "too few rated uses to say whether it helps (fewer than 5)" in texts(at)
    toggle = next(t for t in at.toggle if t.key.startswith("cv_small_wins_"))
    assert toggle.value is True
    toggle.set_value(False).run()
    assert not at.exception, at.exception
    with db.read() as conn:
        assert conn.execute(select(clients.c.small_wins).where(clients.c.id == cid)).scalar() is False


def test_caseload_shows_skill_uses_in_the_last_7_days(sqlite_db, people):
    setup(people)
    at = signed_in("clara").run()
    table = at.dataframe[0].value
    row = table[table["Client"] == "Client of Clara"].iloc[0]
    assert row["Skill uses, 7 days"] == 7  # days 0..6 of the 9 uses
