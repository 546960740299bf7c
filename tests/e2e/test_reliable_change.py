"""Real server, real Chromium: the clinician sees a questionnaire's reliable-change sentence on the client
view and opens its workings (the formula, the constants with their sources, the two scores and dates).
The demo's Riley T. answered the GAD-7 weekly from 15 down to 8 (demo/checkins.py)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, settle, shot, sign_in
from tests.e2e.test_plans import choose

pytestmark = pytest.mark.e2e


def test_reliable_change_sentence_and_its_workings_on_the_client_view(server, context):
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, server.url, "maya", DEMO_PASSWORD)
    page.get_by_role("link", name="Client view").click()
    settle(page)
    choose(page, "Client", "Riley T.")
    sentence = page.get_by_text("GAD-7: reliable improvement, and reliably recovered", exact=False)
    expect(sentence.first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("from 15 on", exact=False).first).to_be_visible()
    workings = page.get_by_test_id("stExpander").filter(has_text="Löwe et al. (2008)").first
    workings.get_by_text("How this was worked out").click()
    for part in ("RCI = (x2 − x1) / S_diff", "S_diff = √(2 · (SD · √(1 − r))²)", "Löwe et al. (2008)",
                 "Spitzer, Kroenke, Williams & Löwe (2006)", "Jacobson & Truax (1991)", "Scores compared: 15 on"):
        expect(workings.get_by_text(part, exact=False).first).to_be_visible()
    shot(page, "client-view-reliable-change")
