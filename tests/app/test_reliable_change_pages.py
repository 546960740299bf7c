"""AppTest: the clinician sees each questionnaire's reliable-change sentence with its workings on the client
view and the Check-ins page, and picks another baseline there; an admin sees the practice's counts on
Outcomes and chooses the rule on Practice settings."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

import db
from db import measures
from db.tables import measure_responses
from tests.app.helpers import signed_in, texts


def answered(people, totals, measure="phq9", who="clara"):
    """Answers a week apart, the last yesterday; returns (assignment id, response ids)."""
    now = datetime.now(timezone.utc)
    actor, cid = people[who], people[f"client_{who}"]
    assert measures.assign(actor, cid, measure, "weekly", now=now - timedelta(days=40)) == {}
    aid = measures.overview(actor, cid, now=now)["assigned"][-1]["id"]
    ids = []
    with db.write() as conn:
        for i, total in enumerate(totals):
            at = now - timedelta(days=7 * (len(totals) - 1 - i) + 1)
            ids.append(conn.execute(insert(measure_responses).values(
                client_id=cid, assignment_id=aid, measure=measure, idempotency_key=f"rc-{measure}-{i}".ljust(24, "x"),
                local_date=at.date(), submitted_at=at, total=total, band="x")).inserted_primary_key[0])
    return aid, ids


def test_reliable_change_sentence_with_its_workings_on_the_client_view(sqlite_db, people):
    answered(people, [18, 15, 7])
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/client_view.py").run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "PHQ-9: reliable improvement, and reliably recovered" in page
    assert "Reliable change index (Jacobson & Truax, 1991): RCI = (x2 − x1) / S_diff" in page
    assert "Kocalevent" in page and "Baseline: the first answer" in page
    assert any("reliable change from the baseline" in str(c.proto.spec) for c in at.get("vega_lite_chart"))


def test_reliable_change_on_the_check_ins_page_and_a_chosen_baseline(sqlite_db, people):
    aid, ids = answered(people, [18, 15, 7])
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/checkins.py").run()
    assert not at.exception, at.exception
    assert "PHQ-9: reliable improvement, and reliably recovered" in texts(at)
    at.selectbox(key=f"ci_baseline_{aid}").set_value(ids[1]).run()
    at.button(key=f"ci_baseline_set_{aid}").click().run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Baseline saved" in page
    assert "PHQ-9: reliable improvement, and reliably recovered (now on the other side of the cut-off), from 15 on" in page
    assert "chosen by Clara Owner" in page


def test_reliable_change_outcomes_page_shows_counts_and_the_rule_is_a_practice_setting(sqlite_db, people):
    answered(people, [18, 7])
    answered(people, [12, 8], "gad7")
    at = signed_in("ada").run()
    at.switch_page("pages/admin/outcomes.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("Questionnaire")
    assert table.loc["PHQ-9", "Reliable improvement"] == 1 and table.loc["PHQ-9", "Reliably recovered"] == 1
    assert table.loc["GAD-7", "Reliably recovered"] == 1 and table.loc["WHO-5", "Episodes"] == 0
    assert "Clara" not in texts(at) and "Client of" not in texts(at)  # counts only

    at.switch_page("pages/admin/practice.py").run()
    at.radio(key="practice_reliable_change_rule").set_value("fixed-points")  # a form: set and submit in one run
    at.button(key="FormSubmitter:practice_reliable_change-Save reliable change rule").click().run()
    assert not at.exception, at.exception
    assert "Reliable change rule saved." in texts(at)
    at.switch_page("pages/admin/outcomes.py").run()
    table = at.dataframe[0].value.set_index("Questionnaire")
    assert table.loc["GAD-7", "Reliable improvement"] == 1 and table.loc["GAD-7", "Reliably recovered"] == 0  # 8 is an IAPT case
    assert "IAPT" in texts(at)
