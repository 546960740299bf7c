"""Debian's nginx with the shipped proxy snippet in front of a real server: the security headers
are there, the client pages keep their own single strict CSP, the app (websocket included) still
works through it, and the access log it keeps has no token."""
import urllib.request

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import free_port, need
from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in
from tests.e2e.client_pages import checkins_of, minimal_check_in, open_link
from tests.e2e import nginx_proxy
from tests.e2e.test_checkins import checkin_link

pytestmark = pytest.mark.e2e


class ProxyURL(str):
    """The proxy's base URL; `.dir` holds its config and logs."""
    dir = None


@pytest.fixture(scope="module")
def proxy(server, tmp_path_factory):
    need(nginx_proxy.available(), "Debian's nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    proc = nginx_proxy.start(tmp, port, [server.port])
    url = ProxyURL(f"http://127.0.0.1:{port}")
    url.dir = tmp
    yield url
    proc.terminate()
    proc.wait(10)


def test_the_security_headers_are_added(proxy):
    resp = urllib.request.urlopen(proxy + "/")
    h = resp.headers
    assert h["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["Referrer-Policy"] == "no-referrer"
    assert h["X-Content-Type-Options"] == "nosniff"


def test_signing_in_works_through_the_proxy(proxy, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(proxy) else None)
    sign_in(page, proxy, "maya", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    page.wait_for_timeout(1000)
    assert any(c["name"] == "anchorstep_auth" for c in ctx.cookies()), "the cookie component was blocked"
    assert problems == []  # no CSP violation, and nothing fetched from any other host
    ctx.close()


def test_component_frames_are_allowed_only_from_our_own_origin(proxy):
    import urllib.error
    try:
        resp = urllib.request.urlopen(proxy + "/component/x")
        csp = resp.headers["Content-Security-Policy"]
    except urllib.error.HTTPError as err:
        csp = err.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp


def _headers(url):
    import urllib.error
    try:
        return urllib.request.urlopen(url).headers
    except urllib.error.HTTPError as err:
        return err.headers


def test_client_pages_get_one_strict_csp_and_the_other_headers_once_through_the_proxy(proxy):
    from client import web
    for path in ("/c/link-problem", "/c/no-such-page", "/c/?t=not-a-token"):
        h = _headers(proxy + path)
        assert h.get_all("Content-Security-Policy") == [web.CSP], path  # the app's own, and only it
        assert h.get_all("X-Frame-Options") == ["DENY"], path
        assert h.get_all("Referrer-Policy") == ["no-referrer"], path
        assert h.get_all("X-Content-Type-Options") == ["nosniff"], path
        assert h["Strict-Transport-Security"].startswith("max-age="), path
        assert h["Cache-Control"] == "no-store", path


def test_a_check_in_works_through_the_proxy_and_its_token_is_in_no_nginx_log(server, proxy, phone):
    direct = checkin_link(server, "E2E Through Nginx")
    token = direct.split("?t=", 1)[1]
    page = phone.new_page()
    passed = []
    page.on("request", lambda r: None if r.url.startswith(proxy) else passed.append(r.url))
    open_link(page, proxy + "/c/?t=" + token)
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    minimal_check_in(page, tap=True)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert checkins_of(server, "E2E Through Nginx") == 1
    old = checkin_link(server, "E2E Old Link Through Nginx").split("?t=", 1)[1]
    open_link(page, proxy + "/?t=" + old)  # a link from an email sent before the pages moved
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    assert passed == [], f"requests past the proxy: {passed}"
    page.close()
    logs = {name: (proxy.dir / name).read_text() for name in ("access.log", "error.log", "anchorstep-access.log")
            if (proxy.dir / name).exists()}
    assert "error.log" in logs
    access = logs["anchorstep-access.log"]  # the admins' log: method, path and status, never the query
    assert '"GET /c/" 303' in access and '"GET /c/checkin" 200' in access, access
    assert '"POST /c/checkin" 200' in access, access
    assert not any(t in text for t in (token, old) for text in logs.values()), "a link token reached an nginx log"
    assert "?t=" not in access and "t=" not in access


@pytest.fixture(scope="module")
def proxy_without_replicas(tmp_path_factory, chromium_path):
    """The shipped config with its one replica down (a port nothing listens on)."""
    need(nginx_proxy.available(), "Debian's nginx")
    tmp = tmp_path_factory.mktemp("nginx-down")
    port = free_port()
    proc = nginx_proxy.start(tmp, port, [free_port()])
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


def test_no_replica_answering_a_client_page_gets_the_calm_page_without_script_and_zero_axe_violations(
        proxy_without_replicas, browser):
    """deploy/nginx/anchorstep-unavailable.html, as a phone gets it when no replica can answer: both client
    languages, marked; a plain GET or a form's POST alike; readable with JavaScript off; axe-core finds
    nothing at 320 and 390 px; the page's own strict CSP, and no script at all."""
    from tests.e2e.test_client_accessibility import Audit
    for path, method in (("/c/checkin", "GET"), ("/c/checkin", "POST")):
        r = httpx.request(method, proxy_without_replicas + path, data={"mood": "6"} if method == "POST" else None)
        assert r.status_code == 502 and "Please try again in a moment" in r.text and "nothing is saved twice" in r.text
        assert '<section lang="es">' in r.text and "<script" not in r.text
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
    off = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 700}, is_mobile=True)
    page = off.new_page()
    page.goto(proxy_without_replicas + "/c/checkin")
    expect(page.get_by_role("heading", name="Please try again in a moment")).to_be_visible()
    expect(page.get_by_role("heading", name="Vuelva a intentarlo en un momento")).to_be_visible()
    off.close()
    for width in (320, 390):
        ctx = browser.new_context(viewport={"width": width, "height": 700}, is_mobile=True, has_touch=True)
        page = ctx.new_page()
        page.goto(proxy_without_replicas + "/c/checkin")
        audit = Audit(page, width)
        audit.state("no replica answers")
        assert audit.problems == {}, audit.problems
        ctx.close()
