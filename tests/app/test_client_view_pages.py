"""AppTest: the client view shows sentences with workings, charts and entries as text, and a sentence
filters the entries to the check-ins behind it. (The caseload page's test, which shares `setup`, is in
test_caseload_pages.py.)"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

import db
from core import templates as core_templates
from db import plans, safety
from db.checkins import checkin_steps, checkins
from tests.app.helpers import signed_in, texts

T = core_templates.by_key(core_templates.BUILT_IN)


def setup(people):
    now = datetime.now(timezone.utc)
    cid = people["client_clara"]
    plan_id, _ = plans.create_plan(people["clara"], cid, goal="Calmer days", now=now - timedelta(days=20),
                                   steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    step = plans.get(people["clara"], plan_id, now=now)["steps"][0]
    with db.write() as conn:
        for back in range(1, 8):
            at = now - timedelta(days=back)
            ci = conn.execute(insert(checkins).values(
                client_id=cid, idempotency_key=f"app{back:021d}", local_date=at.date(), submitted_at=at, mood=5,
                distress=9 if back == 1 else 3, thought="**not bold** <b>x</b>" if back == 1 else "")
            ).inserted_primary_key[0]
            conn.execute(insert(checkin_steps).values(checkin_id=ci, step_id=step["step_id"],
                                                      version_id=step["version_id"],
                                                      status="done" if back % 2 else "not_today",
                                                      reason=None if back % 2 else "no_time"))
            if back == 1:
                safety.raise_in(conn, cid, source="checkin", source_id=ci, reasons=["distress 9"], now=at)
    return cid


def test_the_client_view_shows_sentences_workings_charts_and_text(sqlite_db, people):
    setup(people)
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "No session recorded yet, so this shows the last 14 days" in page
    assert "Practised on" in page and "planned days" in page
    assert any(e.label == "How this was worked out" for e in at.expander)
    assert "Planned days are the step" in page
    assert len(at.get("vega_lite_chart")) >= 4  # practice per week, mood and distress, heatmap, reasons
    assert "**not bold** <b>x</b>" in list(at.dataframe[0].value["Thought"])
    at.button(key="cv_export").run()
    assert not at.exception
    assert "Exports are recorded" in texts(at)
    at.button(key="cv_session_add").run()
    assert "recorded" in texts(at)


def test_a_sentence_filters_the_entries_table_to_the_check_ins_behind_it(sqlite_db, people):
    cid = setup(people)
    with db.write() as conn:  # a check-in with no practice answer: in the period, behind no practice figure
        conn.execute(insert(checkins).values(client_id=cid, idempotency_key="app-no-step".ljust(24, "x"),
                                             local_date=datetime.now(timezone.utc).date(),
                                             submitted_at=datetime.now(timezone.utc), mood=5, distress=2))
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    assert len(at.dataframe[0].value) == 8
    at.button(key="cv_behind_practice").click().run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 7 and "Showing the 7 check-in(s) behind:" in texts(at)
    at.button(key="cv_behind_reasons").click().run()
    table = at.dataframe[0].value
    assert len(table) == 3 and all(p.endswith("not today (No time)") for p in table["Practice"])
    assert "Most given reason for not practising: No time (3 of 3)." in texts(at).replace("\\", "")
    at.button(key="cv_prep").click().run()  # the printable summary keeps the period's newest thoughts
    assert "**not bold** &lt;b&gt;x&lt;/b&gt;" in at.session_state["cv_prep_html"][1]
    at.button(key="cv_behind_safety").click().run()
    assert list(at.dataframe[0].value["Distress"]) == [9]
    at.button(key="cv_behind_clear").click().run()
    assert len(at.dataframe[0].value) == 8 and "Showing the" not in texts(at)


def test_a_year_of_five_check_ins_a_day_renders_within_altairs_limits(sqlite_db, people):
    import time
    now = datetime.now(timezone.utc)
    cid = people["client_clara"]
    with db.write() as conn:
        conn.execute(insert(checkins), [dict(
            client_id=cid, idempotency_key=f"yr{i:04d}{k}".ljust(24, "x"), local_date=(now - timedelta(days=i)).date(),
            submitted_at=now - timedelta(days=i, hours=3 * k), mood=5, distress=(i + k) % 11, thought="")
            for i in range(365) for k in range(5)])
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    at.radio(key="cv_mode").set_value("dates").run()
    at.date_input(key="cv_range").set_value(((now - timedelta(days=364)).date(), now.date())).run()
    started = time.monotonic()
    at.run()
    assert time.monotonic() - started < 10
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) >= 2
    assert "1825 check-ins on 365 of 365 days." in texts(at).replace("\\", "")
