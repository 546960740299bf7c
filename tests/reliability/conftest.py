"""The reliability suite reuses the browser tests' machinery (tests/e2e/conftest.py): the real
`streamlit run` Server, Debian's Chromium, sign_in and settle. Only what is new lives here: a
server per module (so hostile data and load never leak into other tests) and a guard that watches
a page for executed script, dialogs, tracebacks, requests to other hosts, and for any markup that
typed text could produce: a link or image of another origin, maths, an emoji, an icon or a colour
the app itself never writes. On the client's HTML pages (/c/) the guard is stricter: no script at
all (no <script>, no inline handler, no `javascript:` address), no request to any other origin (not
even another port of this machine), and typed text shows as text (`shows_as_text`)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import (  # noqa: F401  (fixtures are found by name in this module)
    CHROMIUM, DEMO_PASSWORD, Server, browser, chromium_path, settle, shot, sign_in)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ROOT = Path(__file__).resolve().parent.parent.parent


def _own_markup() -> tuple[set[str], set[str]]:
    """The Material icons and the coloured texts the app's own code writes (app.py, portal.py, pages/,
    components/): anything else on a page came from typed text."""
    source = "\n".join(p.read_text() for p in [ROOT / "app.py", ROOT / "portal.py", *(ROOT / "pages").rglob("*.py"),
                                               *(ROOT / "components").rglob("*.py")])
    icons = set(re.findall(r":material/(\w+):", source))
    colour = r":(?:red|orange|yellow|green|blue|violet|gray|grey|rainbow|primary)(?:-background|-badge)?\[([^\]]*)\]"
    coloured = {" ".join(re.sub(r":material/(\w+):", r" \1 ", t).split()) for t in re.findall(colour, source)}
    return icons, coloured


OWN_ICONS, OWN_COLOURED = _own_markup()

# Everything on the page that markdown made and the app did not: links and images of another origin
# (an autolinked www./e-mail/URL, a markdown link or image), KaTeX, emoji (from a :shortcode:),
# Material icons and coloured or badge spans that the app's own code never writes.
_MARKUP_JS = r"""([icons, coloured]) => {
  const origin = location.origin, out = [];
  const local = u => u === origin || u.startsWith(origin + '/');
  for (const a of document.querySelectorAll('a[href]')) if (!local(a.href)) out.push('link ' + a.getAttribute('href'));
  for (const i of document.querySelectorAll('img')) if (!local(i.src) && !/^(data|blob):/.test(i.src)) out.push('image ' + i.src);
  if (document.querySelector('.katex')) out.push('maths ' + document.querySelector('.katex').textContent);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('textarea, input, script, style, noscript') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let n; (n = walker.nextNode());) if (/\p{Emoji_Presentation}|️/u.test(n.nodeValue)) out.push('emoji ' + n.nodeValue.slice(0, 80));
  for (const s of document.querySelectorAll('[data-testid=stMarkdownContainer] span[role=img]'))
    if (!icons.includes(s.textContent.trim())) out.push('icon ' + s.textContent);
  for (const s of document.querySelectorAll('.stMarkdownColoredText, [class*=stMarkdownColoredBackground], [class*=stMarkdownBadge]')) {
    const t = s.textContent.split(/\s+/).filter(Boolean).join(' ');
    if (!coloured.includes(t)) out.push('colour ' + t.slice(0, 80));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    srv = Server(tmp_path_factory.mktemp("reliability"))
    yield srv
    srv.stop()


# On a client page nothing may run: no script element, no inline handler, no javascript: address.
_SCRIPT_JS = r"""() => {
  const out = [];
  for (const s of document.scripts) out.push('script ' + (s.src || s.textContent.slice(0, 80)));
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) out.push('handler ' + el.tagName + ' ' + a.name);
      if (/^(href|src|action|formaction|data)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value))
        out.push('address ' + el.tagName + ' ' + a.value.slice(0, 80));
    }
  }
  return out;
}"""


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


class Guard:
    """Attach to a page before it loads anything; `check()` asserts nothing hostile happened and no typed
    text became a link, an image, maths, an emoji, an icon or a colour (and, on a client page, that no
    script is there and nothing was asked of another origin)."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOCAL_HOSTS:
            self.foreign.append(request.url)
        self.requests.append(request.url)

    def check(self, where: str = "") -> None:
        page = self.page
        assert page.get_by_test_id("stException").count() == 0, f"traceback shown {where}"
        assert "Traceback (most recent call last)" not in page.inner_text("body"), where
        assert page.evaluate("typeof window.__pwned") == "undefined", f"script ran {where}"
        assert self.dialogs == [], f"dialog opened {where}: {self.dialogs}"
        assert page.locator("a[href^='javascript:' i], a[href^=' javascript:' i]").count() == 0, where
        assert page.locator("iframe[src^='javascript:' i], [src^='http://evil' i], [src^='https://evil' i]").count() == 0
        assert self.foreign == [], f"requests to other hosts {where}: {self.foreign}"
        made = page.evaluate(_MARKUP_JS, [sorted(OWN_ICONS), sorted(OWN_COLOURED)])
        assert made == [], f"typed text became markup {where}: {made}"
        if urlparse(page.url).path.startswith("/c/"):
            ran = page.evaluate(_SCRIPT_JS)
            assert ran == [], f"script on a client page {where}: {ran}"
            own = _origin(page.url)
            other = [url for url in self.requests if url.startswith(("http", "ws")) and _origin(url) != own]
            assert other == [], f"a client page asked another origin {where}: {other}"

    def shows_as_text(self, text: str, timeout_ms: int = 30_000) -> None:
        """`text` is on the page exactly as typed: its characters, not markup made from them. Waits for
        a Streamlit rerun still drawing the page (seen in CI on a busy machine: the heading was drawn,
        the text under it not yet); text made into markup never appears, so this still fails then."""
        squash = lambda t: " ".join(t.split())  # noqa: E731  (line breaks and runs of spaces may fold)
        try:
            self.page.wait_for_function("t => document.body.innerText.split(/\\s+/).join(' ').includes(t)",
                                        arg=squash(text), timeout=timeout_ms)
        except Exception:
            pass  # the assertion below says what the page shows
        body = self.page.evaluate("document.body.innerText")
        assert squash(text) in squash(body), f"{text!r} is not shown as text"


@pytest.fixture
def guard():
    return Guard
