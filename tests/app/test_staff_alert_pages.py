"""Issue 18 in the portal: My account's alert address and weekly digest (hostile addresses refused with a
calm message, what was typed kept), the Clinicians page's "Safety alerts go to" column, the practice's
escalation hours, the worker page's failed safety alerts and the flag's history on Check-ins."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

import db
from db import clinicians, practices as practices_mod, safety, staff_outbox
from db.tables import clinicians as clinicians_table, practices
from tests.app.helpers import errors, signed_in, texts
from tests.conftest import NOW


def _save(at, address: str, digest: bool = False):
    at.text_input(key="account_alert_email").input(address)
    at.checkbox(key="account_digest").check() if digest else at.checkbox(key="account_digest").uncheck()
    next(b for b in at.button if b.label == "Save alert settings").click().run()
    return at


@pytest.mark.parametrize("address", [
    "clara@example.org\r\nBcc: evil@example.org",  # CRLF header injection
    "Clara <clara@example.org>",                   # a display name
    "clara@example.org, evil@example.org",          # two addresses
    "=?utf-8?b?ZXZpbA==?=@example.org",             # an encoded-word
    "clara@bücher.example",                         # IDN: asked for its ASCII form
])
def test_safety_alert_address_hostile_inputs_refused_calmly(sqlite_db, people, address):
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/account.py").run()
    _save(at, address, digest=True)
    assert not at.exception
    assert errors(at), f"{address!r} was accepted"
    assert at.text_input(key="account_alert_email").value == address  # kept as typed
    mine = clinicians.alert_settings(people["clara"])
    assert mine["alert_email"] is None and mine["weekly_digest"] is False  # nothing saved


def test_safety_alert_address_and_digest_saved_and_admin_sees_who_receives(sqlite_db, people):
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/account.py").run()
    _save(at, "  Pager@Example.ORG ", digest=True)
    assert not at.exception and "Alert settings saved." in texts(at)
    mine = clinicians.alert_settings(people["clara"])
    assert mine["alert_email"] == "Pager@example.org" and mine["weekly_digest"] is True
    admin = signed_in("ada").run()
    admin.switch_page("pages/admin/clinicians.py").run()
    table = admin.dataframe[0].value
    column = dict(zip(table["Username"], table["Safety alerts go to"]))
    assert column["clara"] == "themselves (Pager@example.org)" and column["colin"] == "themselves (colin@example.org)"
    with db.write() as conn:
        conn.execute(update(clinicians_table).where(clinicians_table.c.username == "colin").values(active=False))
    admin.run()
    column = dict(zip(admin.dataframe[0].value["Username"], admin.dataframe[0].value["Safety alerts go to"]))
    assert column["colin"] == "the practice's admins"


def test_escalation_hours_on_practice_settings(sqlite_db, people):
    at = signed_in("ada").run()
    at.switch_page("pages/admin/practice.py").run()
    at.number_input(key="practice_escalate_hours").set_value(6)
    next(b for b in at.button if b.label == "Save alert settings").click().run()
    assert not at.exception and "Alert settings saved." in texts(at)
    with db.read() as conn:
        saved = conn.execute(select(practices.c.safety_escalate_hours)
                             .where(practices.c.id == people["ada"].practice_id)).scalar()
    assert saved == 6
    for hostile in ("abc", "6\r\nX: y", 0, 10_000, "<b>1</b>", "1e3"):
        assert practices_mod.set_escalate_hours(people["ada"], hostile, now=NOW), hostile
    assert practices_mod.set_escalate_hours(people["ada"], " 12\r\n", now=NOW) == {}  # surrounding space: a number
    with pytest.raises(db.Forbidden):
        practices_mod.set_escalate_hours(people["clara"], 6, now=NOW)


def test_safety_alert_history_on_the_flag_and_failed_alert_on_the_worker_page(sqlite_db, people):
    with db.write() as conn:
        fid = safety.raise_in(conn, people["client_clara"], source="checkin", source_id=1, reasons=["distress 10"],
                              now=NOW)
    staff_outbox.plan_alerts(NOW)
    (oid,) = staff_outbox.claim("dead", NOW, limit=5, lease_seconds=60)
    with db.write() as conn:
        staff_outbox.start_sending(conn, oid, "dead", NOW, NOW + timedelta(seconds=60))
    staff_outbox.sweep(NOW + timedelta(minutes=5))
    at = signed_in("clara").run()
    at.switch_page("pages/clinician/checkins.py").run()
    assert not at.exception
    assert "Safety alert to Clara Owner · could not be sent" in texts(at)
    admin = signed_in("ada").run()
    admin.switch_page("pages/admin/worker.py").run()
    assert not admin.exception
    assert "1 staff email(s) failed." in texts(admin)
    assert list(admin.dataframe[-1].value["kind"]) == ["safety alert"]
    assert fid
