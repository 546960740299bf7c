"""Real server, real Chromium: the practice admin's new screens of issue 17 — Outcomes (reliable change
counts, with their workings), the reliable-change rule on Practice settings, and the FHIR download of a
client's questionnaires from Client data (a real file, parsed back)."""
import json

import pytest
from playwright.sync_api import expect

from core import reliable_change as change_rules
from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in
from tests.e2e.streamlit_page import choose

pytestmark = pytest.mark.e2e


def go(page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    settle(page)


def test_reliable_change_outcomes_rule_and_fhir_download_for_the_admin_in_the_browser(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, server.url, "admin", DEMO_PASSWORD)

    go(page, "Outcomes")
    expect(page.get_by_role("heading", name="Outcomes")).to_be_visible()
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    page.get_by_text("How this was worked out", exact=True).click()
    expect(page.get_by_text("An episode is one questionnaire assigned to one client", exact=False)).to_be_visible()
    expect(page.get_by_text("Jacobson", exact=False).first).to_be_visible()

    def use_rule(rule: str) -> None:
        go(page, "Practice settings")
        page.get_by_text(change_rules.RULES[rule], exact=True).click()
        page.get_by_role("button", name="Save reliable change rule").click()
        settle(page)
        expect(page.get_by_text("Reliable change rule saved.")).to_be_visible()

    use_rule(change_rules.FIXED_POINTS)
    try:
        go(page, "Outcomes")
        page.get_by_text("How this was worked out", exact=True).click()
        expect(page.get_by_text("Rule: Published fixed points", exact=False)).to_be_visible()
    finally:
        use_rule(change_rules.JACOBSON_TRUAX)  # the shared server as it was

    go(page, "Client data")
    choose(page, "Client", "Riley T. (Maya Okafor)")
    page.get_by_role("button", name="Prepare FHIR (JSON)").click()
    settle(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download FHIR (JSON)").click()
    bundle = json.loads(open(got.value.path(), encoding="utf-8").read())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "QuestionnaireResponse" in kinds and "Observation" in kinds
    (patient,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert "name" not in patient  # an opaque identifier unless the admin includes the name
    ctx.close()
