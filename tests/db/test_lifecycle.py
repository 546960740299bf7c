"""Export everything about one client, and erase everything, keeping only an audit tombstone."""
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

import db
from db import audit, lifecycle, links
from db.audit import audit_events
from db.meta import metadata
from tests.conftest import NOW

TTL = {"consent": 14, "checkin": 7, "card": 7, "preferences": 7}


def test_every_client_table_is_covered_by_export_and_erasure(database, people):
    covered = {t.name for t, _ in lifecycle.owned_tables(people["client_clara"])}
    for table in metadata.sorted_tables:
        refers_to_client = "client_id" in table.c or any(fk.column.table.name in covered for fk in table.foreign_keys)
        if refers_to_client and table.name not in lifecycle.KEEP:
            assert table.name in covered, table.name


def test_an_admin_exports_everything_about_one_client(database, people):
    links.issue_for(people["clara"], people["client_clara"], "checkin", now=NOW, ttl_days=TTL)
    blob = lifecycle.export_client(people["ada"], people["client_clara"], now=NOW)
    z = zipfile.ZipFile(io.BytesIO(blob))
    data = json.loads(z.read("everything.json"))
    assert data["tables"]["clients"][0]["display_name"] == "Client of Clara"
    assert len(data["tables"]["client_links"]) == 1
    assert "client_links.csv" in z.namelist() and "clients.csv" in z.namelist()
    assert "Client of Colin" not in z.read("everything.json").decode()
    rows, _ = audit.list_events(people["ada"], now=NOW, action="client.export")
    assert len(rows) == 1 and rows[0]["client_id"] == people["client_clara"]


def test_export_cells_cannot_carry_formulas(database, people):
    from db import clients
    c = clients.get(people["clara"], people["client_clara"], now=NOW)
    clients.update_client(people["clara"], c["id"], {**c, "display_name": "=HYPERLINK(\"x\")"}, now=NOW)
    z = zipfile.ZipFile(io.BytesIO(lifecycle.export_client(people["ada"], people["client_clara"], now=NOW)))
    assert "'=HYPERLINK" in z.read("clients.csv").decode()


@pytest.mark.parametrize("who", ["clara", "colin", "otto", "bea"])
def test_only_the_practice_admin_can_export_or_erase(database, people, who):
    with pytest.raises((db.Forbidden, db.NotFound)):
        lifecycle.export_client(people[who], people["client_clara"], now=NOW)
    with pytest.raises((db.Forbidden, db.NotFound)):
        lifecycle.erase_client(people[who], people["client_clara"], "Client of Clara", now=NOW)


def test_erasure_needs_the_clients_name_typed(database, people):
    with pytest.raises(ValueError):
        lifecycle.erase_client(people["ada"], people["client_clara"], "Client of Colin", now=NOW)
    assert lifecycle.export_client(people["ada"], people["client_clara"], now=NOW)


def test_erasure_removes_every_row_and_keeps_a_tombstone_without_health_data(database, people):
    cid = people["client_clara"]
    links.issue_for(people["clara"], cid, "card", now=NOW, ttl_days=TTL)
    counts = lifecycle.erase_client(people["ada"], cid, "Client of Clara", now=NOW)
    assert counts["clients"] == 1 and counts["client_links"] == 1
    with db.read() as conn:
        for table, cond in lifecycle.owned_tables(cid):
            assert conn.execute(select(func.count()).select_from(table).where(cond)).scalar_one() == 0, table.name
        tomb = conn.execute(select(audit_events).where(audit_events.c.action == "client.erase")).mappings().one()
    assert tomb["client_id"] == cid and "Clara" not in tomb["detail"]
    with pytest.raises(db.NotFound):
        from db import clients
        clients.get(people["ada"], cid, now=NOW)
    assert [r["display_name"] for r in __import__("db.clients", fromlist=["x"]).list_for(people["ada"], now=NOW)] == ["Client of Colin"]


def test_regression_erasure_of_a_client_who_consented_keeps_the_consent_history_and_erases_the_rest(database, people):
    # consent_events is append-only (its trigger refuses DELETE): erasing any client who had ever consented failed.
    from tests.conftest import make_reachable
    from db import consent
    cid = people["client_clara"]
    make_reachable(cid)
    z = zipfile.ZipFile(io.BytesIO(lifecycle.export_client(people["ada"], cid, now=NOW)))
    assert json.loads(z.read("everything.json"))["tables"]["consent_events"]
    counts = lifecycle.erase_client(people["ada"], cid, "Client of Clara", now=NOW)
    assert counts["clients"] == 1 and counts["consents"] == 1 and "consent_events" not in counts
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(consent.consent_events)
                            .where(consent.consent_events.c.client_id == cid)).scalar_one() > 0
