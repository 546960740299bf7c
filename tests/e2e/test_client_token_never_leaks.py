"""A link's token never leaks (issue 14). Debian's Chromium goes through consent, a check-in, the
coping card (and its struggling view and calendar file) from emailed links against a real
`streamlit run app.py` server, and every request is recorded: the token is in the address of the
link's own first request only; no request carries a Referer at all (so none can carry a token);
no page's HTML holds a token; and the server's own output (stdout and stderr) never contains one.
Behind nginx, its access and error logs are checked in tests/e2e/test_nginx.py."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.client_pages import minimal_check_in, open_link, tick_all
from tests.e2e.test_client_pages_without_javascript import seed

pytestmark = pytest.mark.e2e


def test_no_token_in_any_referer_address_page_or_server_log_through_consent_check_in_and_card(server, phone):
    consent = seed(server, "Leak Consent", consented=False)["consent"]
    made = seed(server, "Leak Client")
    links = [consent, made["checkin"], made["card"]]
    tokens = [url.split("?t=", 1)[1] for url in links]
    seen: list[tuple[str, dict]] = []
    bodies: list[str] = []
    phone.on("request", lambda r: seen.append((r.url, r.all_headers())))

    def keep_html(response):
        if "text/html" in (response.headers.get("content-type") or "") and response.status < 300:
            bodies.append(response.text())
    phone.on("response", keep_html)

    page = phone.new_page()
    open_link(page, consent)
    tick_all(page)
    page.get_by_role("textbox", name="Type your name to agree").fill("Robin")
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    open_link(page, made["checkin"])
    minimal_check_in(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.get_by_role("link", name="Open my coping card").click()  # the card link the check-in made
    expect(page.get_by_role("heading", name="Your coping card")).to_be_visible()
    # The fresh card token the check-in made lives only in its cookie: look for it too.
    tokens += [c["value"] for c in phone.cookies() if c["name"] == "as_link_card"]
    open_link(page, made["card"])
    page.get_by_role("link", name="I'm struggling right now").click()
    expect(page.get_by_text("Start with this one small step")).to_be_visible()
    page.get_by_role("link", name="Back to my card").click()
    with page.expect_download():
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    page.close()

    assert len(set(tokens)) == 4
    ours = [(url, headers) for url, headers in seen if url.startswith(server.url)]
    assert len(ours) >= 15, len(ours)
    with_token = [url for url, _ in ours if any(t in url for t in tokens)]
    assert sorted(with_token) == sorted(links), with_token  # each link's own first request, nothing else
    # No Referer at all (Chromium reports an empty one for a subresource under `no-referrer`).
    assert [(url, headers["referer"]) for url, headers in ours if headers.get("referer")] == []
    in_headers = [(url, name) for url, headers in ours for name, value in headers.items()
                  if name != "cookie" and any(t in value for t in tokens)]
    assert in_headers == []
    assert len(bodies) >= 8 and not [b for b in bodies if any(t in b for t in tokens)]
    log = (server.data.parent / "server.log").read_text()
    assert not [t for t in tokens if t in log], "a token reached the server's output"
