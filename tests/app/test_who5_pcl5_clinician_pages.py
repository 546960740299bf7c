"""AppTest: the clinician reads a client's WHO-5 and PCL-5 on the Check-ins page (issue 17) — the totals in the
table like PHQ-9's, and item by item with the item texts where the instrument's licence allows. Where a licence
does not (a test-only copy of PCL-5 whose licence forbids printing its items), the page shows "Item N" with the
score and no text, and the assign picker does not offer the instrument."""
import dataclasses
from datetime import datetime, timedelta, timezone

from core import measures as measure_rules, templates as core_templates
from db import links, measures, plans
from tests.app.helpers import shown, signed_in, texts
from tests.conftest import make_reachable

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
T = core_templates.by_key(core_templates.BUILT_IN)
PCL_ANSWERS = [2, 1, 0, 3, 2, 1, 2, 0, 3, 2, 3, 1, 2, 2, 1, 0, 3, 2, 2, 1]  # 33
PCL_ITEM_2 = "Repeated, disturbing dreams of the stressful experience?"


def now():
    return datetime.now(timezone.utc)


def answered(people):
    """Clara's client has answered a WHO-5 (raw 10, so 40) and a PCL-5 (33) through a check-in link."""
    cid = people["client_clara"]
    plans.create_plan(people["clara"], cid, goal="Calmer days", now=now() - timedelta(days=3),
                      steps=[{**T["breathing"]["step"], "days": list(range(7))}])
    make_reachable(cid, now() - timedelta(days=3))
    raw = links.issue_for(people["clara"], cid, "checkin", now=now() - timedelta(minutes=1), ttl_days=TTL)
    for code, answers in (("who5", [4, 3, 1, 0, 2]), ("pcl5", PCL_ANSWERS)):
        assert measures.assign(people["clara"], cid, code, "once", now=now() - timedelta(minutes=5)) == {}
        aid = measures.overview(people["clara"], cid, now=now())["assigned"][-1]["id"]
        assert measures.submit(raw, aid, answers, f"k-{code}-" + "x" * 16, now=now()).status == "saved"


def item_tables(at, n: int) -> dict:
    """The item-by-item table with `n` rows, as the clinician reads it."""
    found = [t.value for t in at.table if list(t.value.columns) == ["Item", "Score"] and len(t.value) == n]
    assert len(found) == 1, [t.value.shape for t in at.table]
    return {"Item": [shown(v) for v in found[0]["Item"]], "Score": [int(v) for v in found[0]["Score"]]}


def test_the_clinician_sees_who5_and_pcl_totals_and_pcl_item_texts_since_its_licence_allows(sqlite_db, people):
    answered(people)
    at = signed_in("clara").run().switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Questionnaire" in df.value.columns)
    assert sorted(zip(table["Questionnaire"], table["Total"], table["Band"])) == [
        ("PCL-5", 33, "at or above the provisional PTSD cut-off"), ("WHO-5", 40, "low (screen for depression)")]
    pcl, who = item_tables(at, 20), item_tables(at, 5)
    assert pcl["Item"][1] == f"2. {PCL_ITEM_2}" and pcl["Score"] == PCL_ANSWERS
    assert who["Item"][0] == "1. I have felt cheerful and in good spirits" and who["Score"] == [4, 3, 1, 0, 2]
    offered = at.selectbox(key="ci_measure_code").options
    assert "WHO-5 (well-being over the last two weeks)" in offered
    assert "PCL-5 (stress after a very stressful experience, past month)" in offered


def test_pcl_item_texts_are_hidden_and_it_is_not_offered_where_the_licence_forbids(sqlite_db, people, monkeypatch):
    answered(people)
    # PCL-5 as if its licence did not let us print its items (both real instruments allow it).
    monkeypatch.setitem(measure_rules.MEASURES, "pcl5", dataclasses.replace(measure_rules.PCL5, items_may_be_shown=False))
    at = signed_in("clara").run().switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    pcl = item_tables(at, 20)
    assert pcl["Item"] == [f"Item {i}" for i in range(1, 21)] and pcl["Score"] == PCL_ANSWERS
    on_page = texts(at) + " ".join(shown(v) for t in at.table for v in t.value.astype(str).values.ravel())
    assert "Item 20" in on_page and all(item not in on_page for item in measure_rules.PCL5.items)
    assert "PCL-5 (stress after a very stressful experience, past month)" not in at.selectbox(
        key="ci_measure_code").options
    # The rule holds below the page too: assigning it is refused.
    assert measures.assign(people["clara"], people["client_clara"], "pcl5", "weekly", now=now()) == {
        "measure": "Please choose one of the questionnaires."}
