"""Personal items in storage, on both databases: versioning (a change of wording starts a new series and
the old answers stay with the old words), scoping (only the client's clinician or the practice admin),
at most three, answers saved once with their check-in, audited without the wording."""
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select, update

import db
from db import audit, checkins, client_view, links, personal_items
from db.tables import personal_item_answers, personal_item_versions, personal_items as items_table
from tests.conftest import NOW, make_reachable

TTL = {"checkin": 7, "consent": 14, "card": 7, "preferences": 7}
WORDING = "Urge to check the door locks"


def add_scale(people, who="clara", wording=WORDING, now=NOW):
    assert personal_items.add(people[who], people[f"client_{who}"], "scale", wording, "none", "overwhelming",
                              now=now) == {}
    return personal_items.list_for(people[who], people[f"client_{who}"], now=now)[-1]


def link(people, who="clara"):
    make_reachable(people[f"client_{who}"], NOW - timedelta(days=10))
    return links.issue_for(people[who], people[f"client_{who}"], "checkin", now=NOW - timedelta(days=3), ttl_days=TTL)


def check_in(raw, key, personal, *, now=NOW, day="2026-11-28"):
    return checkins.submit(raw, {"local_date": day, "steps": {}, "mood": 5, "distress": 3, "idempotency_key": key,
                                 "personal": personal}, now=now)


def answers(version_id=None):
    with db.read() as conn:
        q = select(personal_item_answers.c.version_id, personal_item_answers.c.value).order_by(personal_item_answers.c.id)
        if version_id is not None:
            q = q.where(personal_item_answers.c.version_id == version_id)
        return [tuple(r) for r in conn.execute(q)]


def test_personal_item_added_shows_on_the_check_in_form_after_nothing_else_changes(database, people):
    item = add_scale(people)
    assert (item.position, item.kind, item.current.wording, item.current.low_word, item.current.high_word) == (
        1, "scale", WORDING, "none", "overwhelming")
    page = checkins.form_by_link(link(people), now=NOW)
    assert [(i.version_id, i.wording) for i in page["personal"]] == [(item.current.id, WORDING)]


def test_personal_item_answers_are_saved_with_the_check_in_and_once_on_a_resubmit(database, people):
    raw = link(people)
    scale = add_scale(people)
    assert personal_items.add(people["clara"], people["client_clara"], "yesno", "Left the house?", now=NOW) == {}
    yesno = personal_items.list_for(people["clara"], people["client_clara"], now=NOW)[1]
    personal = {str(scale.current.id): "7", str(yesno.current.id): "yes"}
    first = check_in(raw, "k" * 24, personal)
    again = check_in(raw, "k" * 24, personal)
    assert first.status == "saved" and again.status == "already" and again.checkin_id == first.checkin_id
    assert answers() == [(scale.current.id, 7), (yesno.current.id, 1)]


def test_personal_items_are_optional_and_a_bad_answer_saves_nothing(database, people):
    raw = link(people)
    scale = add_scale(people)
    assert check_in(raw, "a" * 24, {}).status == "saved" and answers() == []
    bad = check_in(raw, "b" * 24, {str(scale.current.id): "12"})
    assert bad.status == "errors" and f"pi_{scale.current.id}" in bad.errors
    assert answers() == []


def test_personal_item_wording_change_starts_a_new_series_and_old_answers_stay_with_the_old_version(database, people):
    raw = link(people)
    old = add_scale(people, now=NOW - timedelta(days=2))
    assert check_in(raw, "a" * 24, {str(old.current.id): "8"}, now=NOW - timedelta(days=1),
                    day="2026-11-27").status == "saved"
    assert personal_items.change(people["clara"], old.item_id, "Urge to check the locks or the stove", "none",
                                 "overwhelming", now=NOW - timedelta(hours=2)) == {}
    new = personal_items.list_for(people["clara"], people["client_clara"], now=NOW)[0]
    assert new.item_id == old.item_id and new.current.id != old.current.id
    assert [v.wording for v in new.earlier] == [WORDING] and new.earlier[0].valid_to == NOW - timedelta(hours=2)
    stale = check_in(raw, "b" * 24, {str(old.current.id): "5"})  # a form drawn before the change
    assert stale.status == "errors" and "personal" in stale.errors
    assert check_in(raw, "c" * 24, {str(new.current.id): "3"}).status == "saved"
    assert answers(old.current.id) == [(old.current.id, 8)] and answers(new.current.id) == [(new.current.id, 3)]
    series = client_view.get(people["clara"], people["client_clara"], now=NOW, start=date(2026, 11, 20),
                             end=date(2026, 11, 28)).personal
    assert [(s["version_id"], s["wording"], [(p["day"], p["mean"]) for p in s["points"]]) for s in series] == [
        (old.current.id, WORDING, [(date(2026, 11, 27), 8.0)]),
        (new.current.id, "Urge to check the locks or the stove", [(date(2026, 11, 28), 3.0)])]
    # The same words again change nothing: no third series.
    assert personal_items.change(people["clara"], old.item_id, "Urge to check the locks or the stove", "none",
                                 "overwhelming", now=NOW) == {}
    with db.read() as conn:
        assert len(conn.execute(select(personal_item_versions.c.id)).all()) == 2


def test_personal_item_answers_cannot_be_rewritten(database, people):
    raw = link(people)
    item = add_scale(people)
    check_in(raw, "a" * 24, {str(item.current.id): "4"})
    with pytest.raises(Exception, match="immutable"):
        with db.write() as conn:
            conn.execute(update(personal_item_answers).values(value=9))
    assert answers() == [(item.current.id, 4)]


def test_personal_items_at_most_three_active(database, people):
    for n in range(3):
        add_scale(people, wording=f"Question {n}")
    errors = personal_items.add(people["clara"], people["client_clara"], "yesno", "A fourth", now=NOW)
    assert "already has 3 personal items" in errors["form"]
    listed = personal_items.list_for(people["clara"], people["client_clara"], now=NOW)
    assert [i.position for i in listed] == [1, 2, 3]
    personal_items.end(people["clara"], listed[1].item_id, now=NOW)
    assert personal_items.add(people["clara"], people["client_clara"], "yesno", "A fourth", now=NOW) == {}
    assert [(i.position, i.current.wording) for i in personal_items.list_for(
        people["clara"], people["client_clara"], now=NOW)] == [(1, "Question 0"), (2, "A fourth"), (3, "Question 2")]


def test_personal_items_a_fourth_active_one_is_refused_by_the_database_too(database, people):
    for n in range(3):
        add_scale(people, wording=f"Question {n}")
    with pytest.raises(Exception):
        with db.write() as conn:  # a second writer that skipped the count: the unique place holds
            conn.execute(insert(items_table).values(client_id=people["client_clara"], position=2, kind="yesno",
                                                    created_by=people["clara"].clinician_id, created_at=NOW))


def test_personal_item_validation_errors_save_nothing(database, people):
    errors = personal_items.add(people["clara"], people["client_clara"], "scale", "", "low", "", now=NOW)
    assert set(errors) == {"wording", "high_word"}
    assert personal_items.list_for(people["clara"], people["client_clara"], now=NOW) == []


@pytest.mark.parametrize("who", ["colin", "otto", "bea"])
def test_personal_items_another_clinician_cannot_read_or_change_them(database, people, who):
    item = add_scale(people)
    other, cid = people[who], people["client_clara"]
    with pytest.raises(db.NotFound):
        personal_items.list_for(other, cid, now=NOW)
    with pytest.raises(db.NotFound):
        personal_items.add(other, cid, "yesno", "Sneaky", now=NOW)
    with pytest.raises(db.NotFound):
        personal_items.change(other, item.item_id, "Rewritten", "a", "b", now=NOW)
    with pytest.raises(db.NotFound):
        personal_items.end(other, item.item_id, now=NOW)
    mine = personal_items.list_for(people["clara"], cid, now=NOW)
    assert [(i.current.wording, i.earlier) for i in mine] == [(WORDING, [])]


def test_personal_items_the_practice_admin_may_manage_them(database, people):
    item = add_scale(people)
    assert personal_items.change(people["ada"], item.item_id, "Checking urge", "none", "a lot", now=NOW) == {}
    assert personal_items.list_for(people["ada"], people["client_clara"], now=NOW)[0].current.wording == "Checking urge"


def test_personal_items_are_audited_without_their_wording(database, people):
    item = add_scale(people)
    personal_items.change(people["clara"], item.item_id, "Secret new words", "none", "lots", now=NOW)
    personal_items.end(people["clara"], item.item_id, now=NOW)
    rows, _ = audit.list_events(people["ada"], now=NOW)
    mine = [r for r in rows if r["action"].startswith("personal_item.")]
    assert {r["action"] for r in mine} == {"personal_item.add", "personal_item.read", "personal_item.change",
                                           "personal_item.end"}
    assert not any("door" in (r["detail"] or "") or "Secret" in (r["detail"] or "") for r in mine)


def test_personal_item_series_are_bounded_to_the_view_window_and_aggregated_per_day(database, people):
    raw = link(people)
    scale = add_scale(people, now=NOW - timedelta(days=3))
    personal_items.add(people["clara"], people["client_clara"], "yesno", "Left the house?", now=NOW - timedelta(days=3))
    yesno = personal_items.list_for(people["clara"], people["client_clara"], now=NOW)[1]
    for key, value, yn, now in [("a", "2", "yes", NOW - timedelta(hours=3)), ("b", "6", "no", NOW - timedelta(hours=2)),
                                ("c", "9", "yes", NOW - timedelta(days=1))]:
        day = (now.date()).isoformat()
        assert check_in(raw, key * 24, {str(scale.current.id): value, str(yesno.current.id): yn}, now=now,
                        day=day).status == "saved"
    view = client_view.get(people["clara"], people["client_clara"], now=NOW, start=date(2026, 11, 28),
                           end=date(2026, 11, 28))
    got = [(s["kind"], [(p["day"], p["mean"], p["yes"], p["answers"]) for p in s["points"]]) for s in view.personal]
    assert got == [("scale", [(date(2026, 11, 28), 4.0, 8, 2)]), ("yesno", [(date(2026, 11, 28), 0.5, 1, 2)])]


def test_personal_items_leave_with_an_erased_client(database, people):
    from db import lifecycle
    raw = link(people)
    item = add_scale(people)
    check_in(raw, "a" * 24, {str(item.current.id): "4"})
    personal_items.change(people["clara"], item.item_id, "New words", "none", "lots", now=NOW)
    counts = lifecycle.erase_client(people["ada"], people["client_clara"], "Client of Clara", now=NOW)
    assert (counts["personal_items"], counts["personal_item_versions"], counts["personal_item_answers"]) == (1, 2, 1)
    with db.read() as conn:
        for table in (items_table, personal_item_versions, personal_item_answers):
            assert conn.execute(select(table.c.id)).all() == []


def test_the_demo_seed_gives_riley_two_personal_items_with_a_reworded_series(sqlite_db):
    from demo import seed
    from db.actors import Actor
    from db.tables import clients, clinicians
    seed.run(now=NOW, password="demo-password-for-tests")
    with db.read() as conn:
        maya = conn.execute(select(clinicians.c.id, clinicians.c.practice_id).where(clinicians.c.username == "maya")).one()
        riley = conn.execute(select(clients.c.id).where(clients.c.display_name == "Riley T.")).scalar_one()
    actor = Actor(maya.id, maya.practice_id, "clinician", "maya")
    listed = personal_items.list_for(actor, riley, now=NOW)
    assert [(i.kind, len(i.earlier)) for i in listed] == [("scale", 1), ("yesno", 0)]
    view = client_view.get(actor, riley, now=NOW, start=NOW.date() - timedelta(days=27), end=NOW.date())
    assert [s["kind"] for s in view.personal] == ["scale", "scale", "yesno"]
    assert all(len(s["points"]) >= 5 for s in view.personal)
