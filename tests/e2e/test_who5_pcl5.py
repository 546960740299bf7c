"""Real server, Debian's Chromium on a phone (issue 17): a client answers a WHO-5 and a PCL-5 through their
check-in link, by tapping; axe-core finds zero violations (and nothing scrolls sideways, every target is at least
24×24 px) on each new screen — WHO-5's questions, with errors and its confirmation; PCL-5's introduction, its
questions, with an answer missing, and its confirmation with the crisis resources after it. Then the clinician
reads the PCL-5 item by item, with the item texts, since its licence allows them."""
import pytest
from playwright.sync_api import expect

from core import measures as measure_rules
from tests.e2e.client_pages import open_link, scalar
from tests.e2e.conftest import DEMO_PASSWORD, settle, shot, sign_in
from tests.e2e.test_checkins import checkin_link
from tests.e2e.test_client_accessibility import Audit, _focus_is_on_the_error_summary
from tests.e2e.test_plans import choose

pytestmark = pytest.mark.e2e

BOTH = ("measures.assign(maya, cid, 'who5', 'once', now=now)\n"
        "measures.assign(maya, cid, 'pcl5', 'once', now=now)")
PCL_ANSWERS = [2, 1, 0, 3, 2, 1, 2, 0, 3, 2, 3, 1, 2, 2, 1, 0, 3, 2, 2, 1]  # 33: the provisional cut-off


def answer_it_now(page, short: str) -> None:
    page.locator("section.box", has_text=short).get_by_role("link", name="Answer it now").tap()


def tap_answers(page, m: measure_rules.Measure, scores: list[int], *, skip: int | None = None) -> None:
    groups = page.locator("fieldset")
    expect(groups).to_have_count(len(m.items))
    for i, score in enumerate(scores):
        if i != skip:
            groups.nth(i).get_by_label(m.answers[m.values.index(score)], exact=True).tap()


def totals(server, name: str) -> str:
    return scalar(server, "select group_concat(r.measure || ':' || r.total, ',') from measure_responses r "
                          "join clients c on c.id = r.client_id where c.display_name = :n", n=name)


@pytest.mark.parametrize("width", [320, 390])
def test_who5_and_pcl_are_answered_on_a_phone_with_zero_axe_violations(server, browser, width):
    name = f"E2E WHO-5 PCL-5 {width}"
    ctx = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    audit = Audit(page, width)
    focus = {}
    open_link(page, checkin_link(server, name, BOTH))

    answer_it_now(page, "WHO-5")
    expect(page.get_by_text("closest to how you have been feeling")).to_be_visible()
    audit.state("who5 questions")
    with page.expect_navigation():  # the refusal is a new page: wait for it, not for the old one's load state
        page.get_by_role("button", name="Send my answers").tap()
    focus["who5"] = _focus_is_on_the_error_summary(page)
    audit.state("who5 with errors")
    tap_answers(page, measure_rules.WHO5, [4, 3, 1, 0, 2])  # raw 10: 40 of 100
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    audit.state("who5 done")

    page.get_by_role("link", name="Back to my check-in").first.tap()
    answer_it_now(page, "PCL-5")
    expect(page.get_by_role("heading", name="Before the questions")).to_be_visible()
    expect(page.get_by_text("Some people find these questions hard to read")).to_be_visible()
    expect(page.locator("fieldset")).to_have_count(0)  # no item before the client chooses to start
    audit.state("pcl intro")
    shot(page, f"pcl5-phone-{width}-intro")
    page.get_by_role("link", name="Not now").tap()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    answer_it_now(page, "PCL-5")
    page.get_by_role("link", name="Start").tap()
    expect(page.get_by_text(measure_rules.PCL5.items[0])).to_be_visible()
    audit.state("pcl questions")
    tap_answers(page, measure_rules.PCL5, PCL_ANSWERS, skip=12)
    with page.expect_navigation():  # the refusal is a new page: wait for it, not for the old one's load state
        page.get_by_role("button", name="Send my answers").tap()
    focus["pcl"] = _focus_is_on_the_error_summary(page)
    audit.state("pcl with an answer missing")
    checked = page.evaluate("[...document.querySelectorAll('input[type=radio]:checked')].map(e => e.value)")
    assert checked == [str(a) for i, a in enumerate(PCL_ANSWERS) if i != 12]  # the others kept
    page.locator("fieldset").nth(12).get_by_label("Quite a bit", exact=True).tap()  # 2 -> 3: total 34
    shot(page, f"pcl5-phone-{width}-questions")
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    crisis = page.get_by_role("heading", name="If you need help now")
    expect(crisis).to_be_visible()
    # The crisis resources come after the thanks (as after a PHQ-9 without item 9).
    assert page.evaluate("""() => { const h = [...document.querySelectorAll('h1, h2')].map(e => e.textContent);
                                    return h.indexOf('Thank you') < h.indexOf('If you need help now'); }""")
    audit.state("pcl done")
    shot(page, f"pcl5-phone-{width}-done")
    ctx.close()

    assert audit.seen == ["who5 questions", "who5 with errors", "who5 done", "pcl intro", "pcl questions",
                          "pcl with an answer missing", "pcl done"]
    assert audit.problems == {}
    assert focus == {"who5": True, "pcl": True}
    assert sorted(totals(server, name).split(",")) == ["pcl5:34", "who5:40"]


def test_pcl_item_texts_reach_the_clinician_since_its_licence_allows(server, browser, phone):
    name = "E2E PCL-5 Items"
    page = phone.new_page()
    open_link(page, checkin_link(server, name, "measures.assign(maya, cid, 'pcl5', 'once', now=now)"))
    answer_it_now(page, "PCL-5")
    page.get_by_role("link", name="Start").tap()
    tap_answers(page, measure_rules.PCL5, PCL_ANSWERS)
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = ctx.new_page()
    sign_in(desk, server.url, "maya", DEMO_PASSWORD)
    desk.get_by_role("link", name="Check-ins").click()
    settle(desk)
    choose(desk, "Client", name)
    desk.get_by_text("Item by item").click()
    settle(desk)
    table = desk.get_by_test_id("stTable")
    expect(table.get_by_text("2. Repeated, disturbing dreams of the stressful experience?")).to_be_visible()
    expect(table.get_by_text("20. Trouble falling or staying asleep?")).to_be_visible()
    ctx.close()


def test_pcl_introduction_questions_and_thanks_work_without_javascript(server, browser):
    """The PCL-5's own screens with JavaScript off: the introduction, Start (a plain link), the 20
    questions, and the thanks followed by the crisis contacts; no script on any of them."""
    name = "E2E PCL-5 No JS"
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    open_link(page, checkin_link(server, name, "measures.assign(maya, cid, 'pcl5', 'once', now=now)"))
    answer_it_now(page, "PCL-5")
    expect(page.get_by_role("heading", name="Before the questions")).to_be_visible()
    assert page.locator("script, noscript").count() == 0
    page.get_by_role("link", name="Start").tap()
    assert page.locator("script, noscript").count() == 0
    tap_answers(page, measure_rules.PCL5, PCL_ANSWERS)
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("If you need help now", exact=False).first).to_be_visible()
    assert totals(server, name) == "pcl5:33"
    ctx.close()
