"""AppTest: the caseload puts the client who needs attention first with the reason in words and a
link to what caused it."""
from tests.app.helpers import signed_in
from tests.app.test_client_view_pages import setup


def test_the_caseload_puts_the_safety_flag_first_and_links_to_it(sqlite_db, people):
    setup(people)
    at = signed_in("ada").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Client"].iloc[0] == "Client of Clara"
    assert "safety flag(s) waiting for review" in table["Needs attention"].iloc[0]
    assert "No check-in yet." in table["Needs attention"].iloc[1]
    assert "Review the flag" in [b.label for b in at.button]
    next(b for b in at.button if b.label == "Review the flag").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Check-ins" and at.session_state["ci_client"] == people["client_clara"]
    at.switch_page("pages/clinician/caseload.py").run()
    at.selectbox(key="caseload_flag").select("safety").run()
    assert list(at.dataframe[0].value["Client"]) == ["Client of Clara"]
    # The add and edit expanders still work with the new table.
    assert any(e.label == "Add a client" for e in at.expander)
