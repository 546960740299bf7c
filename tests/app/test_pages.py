"""AppTest: every registered page for each role renders, roles gate pages, and the sign-in works."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

import db
from db.signins import login_sessions
from tests.app.helpers import PAGES, errors, fresh_app, signed_in, texts
from tests.conftest import PASSWORD


def sign_in(at, username, password):
    by_label = {t.label: t for t in at.text_input}
    by_label["Username"].input(username)
    by_label["Password"].input(password)
    at.button[0].click()  # the form's submit button
    at.run()
    if any("Opening your pages" in s.value for s in at.success):
        at.run()  # in a browser the cookie element reruns the script by itself
    return at


@pytest.mark.parametrize("role,username", [("clinician", "clara"), ("admin", "ada")])
def test_every_registered_page_renders_for_its_role(sqlite_db, people, role, username):
    at = signed_in(username).run()
    assert not at.exception
    for page in PAGES[role]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert not [e for e in errors(at) if "isn't available" in e], page


def test_admin_pages_are_not_registered_for_a_clinician(sqlite_db, people):
    at = signed_in("clara").run()
    for page in ("pages/admin/clinicians.py", "pages/admin/audit.py", "pages/admin/practice.py"):
        with pytest.raises(Exception):
            at.switch_page(page).run()


def test_before_sign_in_only_the_form_is_shown(sqlite_db, people):
    at = fresh_app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "caseload" not in texts(at).lower()


def test_signing_in_with_the_form_shows_the_caseload(sqlite_db, people):
    at = sign_in(fresh_app().run(), "clara", PASSWORD)
    assert not at.exception
    assert "Your caseload" in texts(at)
    assert "Client of Clara" in at.dataframe[0].value["Client"].tolist()
    assert "Client of Colin" not in at.dataframe[0].value["Client"].tolist()


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(sqlite_db, people):
    wrong = sign_in(fresh_app().run(), "clara", "not the password")
    unknown = sign_in(fresh_app().run(), "nobody", "not the password")
    assert errors(wrong) == errors(unknown) and len(errors(wrong)) == 1


def test_ten_failures_lock_the_account_and_the_right_password_then_gets_the_same_answer(sqlite_db, people):
    at = fresh_app().run()
    for _ in range(10):
        at = sign_in(at, "clara", "wrong password!")
    at = sign_in(at, "clara", PASSWORD)
    assert "Your caseload" not in texts(at)
    assert errors(at) == errors(sign_in(fresh_app().run(), "nobody", "x" * 12))


def test_an_80_byte_emoji_password_is_refused_calmly(sqlite_db, people):
    at = sign_in(fresh_app().run(), "clara", "😀" * 20)
    assert not at.exception
    assert len(errors(at)) == 1


def test_an_idle_session_must_sign_in_again(sqlite_db, people):
    at = signed_in("clara").run()
    assert "Your caseload" in texts(at)
    with db.write() as conn:
        conn.execute(update(login_sessions).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)))
    at.run()
    assert "Your caseload" not in texts(at)
    assert any("without activity" in i.value for i in at.info)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_sign_out_ends_the_session(sqlite_db, people):
    at = signed_in("clara").run()
    sid = at.session_state["as_sid"]
    at.sidebar.button(key="as_signout").click().run()
    assert "Your caseload" not in texts(at)
    from db import signins
    assert signins.touch(sid, datetime.now(timezone.utc), idle_minutes=30) == (None, "signout")


def test_adding_a_client_with_bad_input_keeps_what_was_typed(sqlite_db, people):
    at = signed_in("clara").run()
    at.text_input(key="caseload_add_display_name").input("Robin")
    at.text_input(key="caseload_add_email").input("robin at example")
    at.button(key="FormSubmitter:add_client-Add client").click()
    at.run()
    assert at.text_input(key="caseload_add_display_name").value == "Robin"
    assert at.text_input(key="caseload_add_email").value == "robin at example"
    assert any("email address" in e for e in errors(at))
    at.text_input(key="caseload_add_email").input("robin@example.org")
    at.button(key="FormSubmitter:add_client-Add client").click()
    at.run()
    assert "Robin" in at.dataframe[0].value["Client"].tolist()


def test_a_client_name_with_markup_is_shown_as_text(sqlite_db, people):
    from db import clients
    from tests.conftest import NOW
    clients.create(people["clara"], {"display_name": "<script>alert(1)</script>", "email": "x@example.org",
                                     "timezone": "Europe/London"}, now=NOW)
    at = signed_in("clara").run()
    assert "<script>alert(1)</script>" in at.dataframe[0].value["Client"].tolist()
    assert all("<script>" not in m.value for m in at.markdown)


def test_a_bad_setting_stops_the_app_with_a_message_naming_it(sqlite_db, people, monkeypatch):
    monkeypatch.setenv("IDLE_TIMEOUT_MINUTES", "forever")
    at = fresh_app().run()
    assert not at.exception
    assert any("IDLE_TIMEOUT_MINUTES" in e for e in errors(at))
    assert not at.text_input


def test_erasing_from_the_admin_page_needs_the_name_and_then_removes_the_client(sqlite_db, people):
    at = signed_in("ada").run()
    at.switch_page("pages/admin/data.py").run()
    at.selectbox(key="data_client").set_value(people["client_clara"]).run()
    at.text_input(key="data_erase_name").input("wrong name")
    at.button(key="FormSubmitter:erase_client-Erase this client's data").click().run()
    assert any("doesn't match" in e for e in errors(at))
    assert at.text_input(key="data_erase_name").value == "wrong name"
    at.text_input(key="data_erase_name").input("Client of Clara")
    at.button(key="FormSubmitter:erase_client-Erase this client's data").click().run()
    assert any("erased" in s.value for s in at.success)
    from db import clients
    from tests.conftest import NOW
    assert [r["display_name"] for r in clients.list_for(people["ada"], now=NOW)] == ["Client of Colin"]


def test_fhir_export_from_the_admin_page_offers_the_json_with_the_name_only_when_chosen(sqlite_db, people):
    import json
    at = signed_in("ada").run()
    at.switch_page("pages/admin/data.py").run()
    at.selectbox(key="data_client").set_value(people["client_clara"]).run()
    at.button(key="data_fhir_prepare").click().run()
    assert not at.exception
    bundle = json.loads(at.session_state["data_fhir"][1])
    assert bundle["resourceType"] == "Bundle" and "name" not in bundle["entry"][0]["resource"]
    at.checkbox(key="data_fhir_name").check().run()
    assert at.session_state["data_fhir"][2] is False  # prepared without the name: not offered under the new choice
    at.button(key="data_fhir_prepare").click().run()
    bundle = json.loads(at.session_state["data_fhir"][1])
    assert bundle["entry"][0]["resource"]["name"] == [{"text": "Client of Clara"}]


def test_an_admin_publishes_a_new_consent_checklist_version(sqlite_db, people):
    from db import consent_templates
    from tests.conftest import NOW
    at = signed_in("ada").run()
    at.switch_page("pages/admin/checklist.py").run()
    first = consent_templates.current(people["ada"], now=NOW)
    key = first["items"][0]["key"]
    at.text_input(key=f"checklist_{key}_title").input("")
    at.button(key="FormSubmitter:checklist-Publish as version 2").click().run()
    assert any("short title" in e for e in errors(at)) and any("tick the box" in e for e in errors(at))
    at.text_input(key=f"checklist_{key}_title").input("What this is, in short")
    at.checkbox(key="checklist_sure").check()
    at.button(key="FormSubmitter:checklist-Publish as version 2").click().run()
    now = consent_templates.current(people["ada"], now=NOW)
    assert now["version"] == 2 and now["items"][0]["title"] == "What this is, in short"
    with pytest.raises(db.Forbidden):
        consent_templates.current(people["clara"], now=NOW)
