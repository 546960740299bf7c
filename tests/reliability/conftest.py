"""The reliability suite reuses the browser tests' machinery (tests/e2e/conftest.py): the real
`streamlit run` Server, Debian's Chromium, sign_in and settle. Only what is new lives here: a
server per module (so hostile data and load never leak into other tests) and a guard that watches
a page for executed script, dialogs, `javascript:` links, tracebacks and requests to other hosts."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import (  # noqa: F401  (fixtures are found by name in this module)
    CHROMIUM, DEMO_PASSWORD, Server, browser, chromium_path, settle, shot, sign_in)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    srv = Server(tmp_path_factory.mktemp("reliability"))
    yield srv
    srv.stop()


class Guard:
    """Attach to a page before it loads anything; `check()` asserts nothing hostile happened."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOCAL_HOSTS:
            self.foreign.append(request.url)

    def check(self, where: str = "") -> None:
        page = self.page
        assert page.get_by_test_id("stException").count() == 0, f"traceback shown {where}"
        assert "Traceback (most recent call last)" not in page.inner_text("body"), where
        assert page.evaluate("typeof window.__pwned") == "undefined", f"script ran {where}"
        assert self.dialogs == [], f"dialog opened {where}: {self.dialogs}"
        assert page.locator("a[href^='javascript:' i], a[href^=' javascript:' i]").count() == 0, where
        assert page.locator("iframe[src^='javascript:' i], [src^='http://evil' i], [src^='https://evil' i]").count() == 0
        assert self.foreign == [], f"requests to other hosts {where}: {self.foreign}"


@pytest.fixture
def guard():
    return Guard
