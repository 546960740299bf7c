"""Debian's nginx with the shipped proxy snippet in front of a real server: the security headers
are there, and the app (websocket included) still works through it."""
import shutil
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, free_port, need
from tests.e2e.conftest import DEMO_PASSWORD, settle, sign_in
from tests.e2e.test_checkins import checkin_link, pick

pytestmark = pytest.mark.e2e


class ProxyURL(str):
    """The proxy's base URL; `.dir` holds its config and logs."""
    dir = None


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxy(server, tmp_path_factory):
    need(shutil.which("nginx") is not None or __import__("os").path.exists(NGINX), "Debian's nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    for name in ("anchorstep-proxy.inc", "anchorstep-headers.inc", "anchorstep-upstream.inc"):
        text = (ROOT / "deploy" / "nginx" / name).read_text()
        (tmp / name).write_text(text.replace("/etc/nginx/snippets/", f"{tmp}/"))
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream anchorstep_app {{ server 127.0.0.1:{server.port}; }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        include {tmp}/anchorstep-proxy.inc;
    }}
}}
""")
    subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp)], check=True, capture_output=True)
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"])
    url = ProxyURL(f"http://127.0.0.1:{port}")
    url.dir = tmp
    for _ in range(50):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
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


def test_a_check_in_works_through_the_proxy_and_its_token_is_in_no_nginx_log(server, proxy, phone):
    direct = checkin_link(server, "E2E Through Nginx")
    token = direct.split("?t=", 1)[1]
    page = phone.new_page()
    page.on("request", lambda r: None if r.url.startswith(proxy) else pytest.fail(f"request past the proxy: {r.url}"))
    page.goto(proxy + "/?t=" + token)
    settle(page)
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    pick(page, "How did it go?", "Done")
    pick(page, "Mood right now", "6")
    pick(page, "Distress or urge right now", "3")
    page.get_by_role("button", name="Submit check-in").tap()
    expect(page.get_by_role("button", name="Submit check-in")).to_have_count(0, timeout=30_000)
    settle(page)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    saved = server.run_python(
        "import db; from sqlalchemy import text\n"
        "with db.read() as c:\n"
        "    print(c.execute(text(\"select count(*) from checkins k join clients c on c.id = k.client_id "
        "where c.display_name = 'E2E Through Nginx'\")).scalar())")
    assert saved.strip() == "1"
    page.close()
    logs = {name: (proxy.dir / name).read_text() for name in ("access.log", "error.log") if (proxy.dir / name).exists()}
    assert "error.log" in logs  # nginx writes its error log; the access log is off for the app's locations
    assert not any(token in text for text in logs.values()), "the link token reached an nginx log"
    assert "/?t=" not in logs.get("access.log", "")
