"""Opening a link answers with a small "onward" page. Without an icon of its own a browser asks the site
for /favicon.ico, which the portal (Streamlit) answers with its whole start page as HTML: about 8 KB,
and one more request, on a phone's slowest moment (seen in `make bench`'s Slow-4G runs). The onward
page names the client pages' own versioned icon, which the page after it reuses from the cache."""
import re

from starlette.testclient import TestClient

from client import web


def test_the_onward_page_of_a_link_asks_the_portal_for_nothing_not_even_favicon_ico(sqlite_db):
    with TestClient(web.starlette_app(), base_url="http://127.0.0.1", client=("127.0.0.1", 5000)) as c:
        page = c.get("/c/?t=not-a-real-token")
        checkin_like = c.get("/c/link-problem")
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.text
    references = re.findall(r'(?:href|src)="([^"]+)"', page.text) + re.findall(r"url=([^\"]+)\"", page.text)
    assert references and all(r.startswith("/c/") for r in references), references
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page.text)
    assert icon, "without an icon of its own, a browser fetches /favicon.ico from the portal"
    assert icon.group(1) in checkin_like.text, "the next page uses the same icon address, so it comes from the cache"
