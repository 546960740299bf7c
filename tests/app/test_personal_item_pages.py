"""AppTest: the clinician adds a personal item on the Check-ins page (a calm message keeps what was
typed), changes its words, and sees each version charted on the client view with how it was computed;
the clinician's wording is shown as text whatever it holds."""
from datetime import datetime, timedelta, timezone

from db import checkins, links, personal_items
from tests.app.helpers import signed_in, texts
from tests.conftest import make_reachable

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
HOSTILE = "[x](https://e.test) ![i](https://e.test/i.png) $x^2$ :skull: <b>bold</b> www.e.test"


def now():
    return datetime.now(timezone.utc)


def checkins_page():
    return signed_in("clara").run().switch_page("pages/clinician/checkins.py").run()


def test_the_clinician_adds_a_personal_item_and_a_missing_end_word_keeps_the_question(sqlite_db, people):
    at = checkins_page()
    assert not at.exception, at.exception
    at.text_input(key="ci_pi_new_wording").input("Urge to check the door locks")
    at.text_input(key="ci_pi_new_low").input("none").run()
    at.button(key="ci_pi_add").click().run()
    assert any("what 10 means" in str(e.value) for e in at.error)
    assert at.text_input(key="ci_pi_new_wording").value == "Urge to check the door locks"  # nothing valid lost
    assert personal_items.list_for(people["clara"], people["client_clara"], now=now()) == []
    at.text_input(key="ci_pi_new_high").input("overwhelming").run()
    at.button(key="ci_pi_add").click().run()
    assert not at.exception and "Added" in texts(at)
    [item] = personal_items.list_for(people["clara"], people["client_clara"], now=now())
    assert (item.kind, item.current.wording, item.current.low_word, item.current.high_word) == (
        "scale", "Urge to check the door locks", "none", "overwhelming")
    assert "1. Urge to check the door locks" in texts(at) and "0 = none, 10 = overwhelming" in texts(at)
    at.text_input(key=f"ci_pi_wording_{item.item_id}").input("Urge to check the locks or the stove").run()
    at.button(key=f"ci_pi_change_{item.item_id}").click().run()
    assert "new series" in texts(at) and "Earlier words" in texts(at)


def test_the_clinician_sees_each_personal_item_version_charted_with_its_workings(sqlite_db, people):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=3))
    personal_items.add(people["clara"], cid, "scale", "Urge to check the door locks", "none", "overwhelming",
                       now=now() - timedelta(days=2))
    personal_items.add(people["clara"], cid, "yesno", "Left the house?", now=now() - timedelta(days=2))
    scale, yesno = personal_items.list_for(people["clara"], cid, now=now())
    raw = links.issue_for(people["clara"], cid, "checkin", now=now() - timedelta(minutes=1), ttl_days=TTL)
    assert checkins.submit(raw, {"steps": {}, "mood": 4, "distress": 5, "idempotency_key": "p" * 24,
                                 "personal": {scale.current.id: "6", yesno.current.id: "yes"}},
                           now=now()).status == "saved"
    personal_items.change(people["clara"], scale.item_id, "Urge to check the stove", "none", "overwhelming", now=now())
    at = signed_in("clara").run().switch_page("pages/clinician/client_view.py").run()
    assert not at.exception, at.exception
    page = texts(at).replace("**", "")
    assert "Personal item 1: Urge to check the door locks" in page and "Personal item 2: Left the house?" in page
    assert "How this was computed: Each point is the mean of the day's answers from 0 (none) to 10" in page
    assert "1 yes of 1 answers on 1 days" in page
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3  # mood and distress, and one per answered version
    assert any("Personal item 1" in str(c.proto.spec) for c in charts)


def test_personal_item_hostile_wording_shows_as_text_to_the_clinician(sqlite_db, people):
    cid = people["client_clara"]
    assert personal_items.add(people["clara"], cid, "scale", HOSTILE, "<i>low</i>", "**high**", now=now()) == {}
    at = checkins_page()
    assert not at.exception, at.exception
    assert f"1. {HOSTILE}" in texts(at) and "0 = <i>low</i>, 10 = **high**" in texts(at)
    md = [m.value for m in at.markdown if "e" in m.value and "test" in m.value]
    assert md and all("https:small[]\\:" in m and "](" not in m.replace("\\](", "") for m in md)


def test_the_check_ins_table_shows_personal_item_answers_with_the_words_asked(sqlite_db, people):
    cid = people["client_clara"]
    make_reachable(cid, now() - timedelta(days=3))
    personal_items.add(people["clara"], cid, "scale", "Urge to check", "none", "a lot", now=now() - timedelta(days=1))
    personal_items.add(people["clara"], cid, "yesno", "Left the house?", now=now() - timedelta(days=1))
    scale, yesno = personal_items.list_for(people["clara"], cid, now=now())
    raw = links.issue_for(people["clara"], cid, "checkin", now=now() - timedelta(minutes=1), ttl_days=TTL)
    checkins.submit(raw, {"steps": {}, "mood": 4, "distress": 5, "idempotency_key": "q" * 24,
                          "personal": {scale.current.id: "6", yesno.current.id: "no"}}, now=now())
    at = checkins_page()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["Own questions"].tolist() == ["Urge to check: 6; Left the house?: no"]
