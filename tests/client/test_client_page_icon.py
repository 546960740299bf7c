"""Without an icon of its own a browser asks the site for /favicon.ico, which the portal (Streamlit)
answers with its whole start page as HTML: about 8 KB, and one more request, on a phone's slowest moment
(seen in `make bench`'s Slow-4G runs). Every client page names the client pages' own versioned icon,
and opening a link is a bare 303 with no page a browser could look for an icon on."""
import re

from starlette.testclient import TestClient

from client import web


def test_opening_a_link_and_every_client_page_ask_the_portal_for_nothing_not_even_favicon_ico(sqlite_db):
    with TestClient(web.starlette_app(), base_url="http://127.0.0.1", client=("127.0.0.1", 5000),
                    follow_redirects=False) as c:
        opened = c.get("/c/?t=not-a-real-token")
        calm = c.get("/c/link-problem")
    assert opened.status_code == 303 and opened.content == b""
    references = re.findall(r'(?:href|src)="([^"]+)"', calm.text)
    assert references and all(r.startswith("/c/") for r in references), references
    icon = re.search(r'<link rel="icon" href="([^"]+)"', calm.text)
    assert icon and icon.group(1).startswith("/c/static/favicon.png?v="), "a browser would fetch /favicon.ico"
