"""Three personas across every client-data function: a clinician reaches their own caseload, an
admin their practice, nobody another practice."""
import pytest

import db
from db import audit, clients
from tests.conftest import NOW

FORM = {"display_name": "New Name", "email": "new@example.org", "timezone": "Europe/Paris", "status": "active"}


def test_it_lists_only_the_clinicians_own_caseload(database, people):
    names = [r["display_name"] for r in clients.list_for(people["clara"], now=NOW)]
    assert names == ["Client of Clara"]


def test_it_lists_the_whole_practice_for_an_admin_and_nothing_of_another_practice(database, people):
    names = {r["display_name"] for r in clients.list_for(people["ada"], now=NOW)}
    assert names == {"Client of Clara", "Client of Colin"}
    assert {r["display_name"] for r in clients.list_for(people["bea"], now=NOW)} == {"Client of Otto"}


@pytest.mark.parametrize("who,client,allowed", [
    ("clara", "client_clara", True), ("colin", "client_clara", False), ("otto", "client_clara", False),
    ("ada", "client_clara", True), ("ada", "client_otto", False), ("bea", "client_clara", False),
    ("colin", "client_colin", True), ("otto", "client_otto", True), ("clara", "client_otto", False),
])
def test_every_read_and_write_is_scoped_by_the_acting_user(database, people, who, client, allowed):
    actor, cid = people[who], people[client]
    form = {**FORM, "clinician_id": clients.get(people["ada" if client != "client_otto" else "bea"], cid, now=NOW)["clinician_id"]}
    if allowed:
        assert clients.get(actor, cid, now=NOW)["id"] == cid
        assert clients.update_client(actor, cid, form, now=NOW) == {}
        assert clients.get(actor, cid, now=NOW)["display_name"] == "New Name"
    else:
        with pytest.raises(db.NotFound):
            clients.get(actor, cid, now=NOW)
        with pytest.raises(db.NotFound):
            clients.update_client(actor, cid, form, now=NOW)
        # and nothing changed
        owner_admin = people["bea"] if client == "client_otto" else people["ada"]
        assert clients.get(owner_admin, cid, now=NOW)["display_name"].startswith("Client of")


def test_a_clinician_cannot_create_a_client_on_a_colleagues_caseload(database, people):
    new_id, errors = clients.create(people["clara"], {**FORM, "clinician_id": people["colin"].clinician_id}, now=NOW)
    assert new_id is None and "clinician_id" in errors


def test_an_admin_cannot_assign_a_client_to_another_practices_clinician(database, people):
    new_id, errors = clients.create(people["ada"], {**FORM, "clinician_id": people["otto"].clinician_id}, now=NOW)
    assert new_id is None and "clinician_id" in errors


def test_a_clinician_cannot_move_their_client_to_a_colleague(database, people):
    errors = clients.update_client(people["clara"], people["client_clara"],
                                   {**FORM, "clinician_id": people["colin"].clinician_id}, now=NOW)
    assert "clinician_id" in errors
    assert clients.get(people["clara"], people["client_clara"], now=NOW)["display_name"] == "Client of Clara"


def test_an_admin_can_move_a_client_within_the_practice(database, people):
    errors = clients.update_client(people["ada"], people["client_clara"],
                                   {**FORM, "clinician_id": people["colin"].clinician_id}, now=NOW)
    assert errors == {}
    assert {r["id"] for r in clients.list_for(people["colin"], now=NOW)} == {people["client_colin"], people["client_clara"]}
    assert clients.list_for(people["clara"], now=NOW) == []


def test_bad_input_saves_nothing_and_names_each_field(database, people):
    new_id, errors = clients.create(people["clara"], {"display_name": " ", "email": "not-an-email",
                                                      "timezone": "../../etc/passwd"}, now=NOW)
    assert new_id is None
    assert set(errors) == {"display_name", "email", "timezone"}
    assert len(clients.list_for(people["clara"], now=NOW)) == 1


def test_search_treats_wildcards_as_text(database, people):
    assert clients.list_for(people["ada"], now=NOW, search="%") == []
    assert [r["display_name"] for r in clients.list_for(people["ada"], now=NOW, search="of clara")] == ["Client of Clara"]


def test_each_read_and_change_leaves_one_audit_row_with_actor_and_utc_time(database, people):
    clara, cid = people["clara"], people["client_clara"]
    clients.get(clara, cid, now=NOW)
    clients.update_client(clara, cid, {**FORM, "clinician_id": clara.clinician_id}, now=NOW)
    new_id, _ = clients.create(clara, {**FORM, "display_name": "Third"}, now=NOW)
    rows, total = audit.list_events(people["ada"], now=NOW, actor_label="clara")
    actions = sorted((r["action"], r["client_id"]) for r in rows)
    assert actions == sorted([("client.read", cid), ("client.update", cid), ("client.create", new_id)])
    assert all(r["at"] == NOW and r["actor_id"] == clara.clinician_id for r in rows)
    detail = " ".join(r["detail"] for r in rows)
    assert "New Name" not in detail and "new@example.org" not in detail
