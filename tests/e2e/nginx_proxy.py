"""Debian's nginx run with the shipped configuration (deploy/nginx/) in front of test servers: the site
config's http-level part as written (maps, log format, both upstreams), its snippets with their paths moved
into a temporary folder, the replica list pointed at the test servers' ports, and a plain-HTTP server
block standing in for the TLS one. Plain functions; the fixtures live in the tests."""
from __future__ import annotations

import getpass
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = ROOT / "deploy" / "nginx"
SNIPPETS = ("anchorstep-proxy.inc", "anchorstep-headers.inc", "anchorstep-upstream.inc", "anchorstep-unavailable.html")


def available() -> bool:
    return Path(NGINX).exists()


def _moved(text: str, tmp: Path) -> str:
    return text.replace("/etc/nginx/snippets/", f"{tmp}/").replace("/var/log/nginx/", f"{tmp}/")


def write_config(tmp: Path, listen_port: int, app_ports: list[int]) -> Path:
    for name in SNIPPETS:
        (tmp / name).write_text(_moved((DEPLOY / name).read_text(), tmp))
    # The shipped replica line (its health-check options) once per test server.
    shipped = re.search(r"^server 127\.0\.0\.1:8501 (.*);$", (DEPLOY / "anchorstep-replicas.inc").read_text(), re.M)
    (tmp / "anchorstep-replicas.inc").write_text(
        "".join(f"server 127.0.0.1:{p} {shipped.group(1)};\n" for p in app_ports))
    site = (DEPLOY / "anchorstep.conf").read_text()
    http_level = _moved(site[:site.index("\nserver {")], tmp)  # maps, log_format, upstreams: as shipped
    conf = tmp / "nginx.conf"
    # `user`: as root, nginx's workers would run as nobody, who may not read pytest's private temporary folders
    # (the calm error page is a file nginx serves itself). Ignored, with a notice, when not run as root.
    conf.write_text(f"""
user {getpass.getuser()};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 2048; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{http_level}
    server {{
        listen 127.0.0.1:{listen_port};
        server_tokens off;
        include {tmp}/anchorstep-proxy.inc;
    }}
}}
""")
    return conf


def start(tmp: Path, listen_port: int, app_ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground with the shipped config; returns once it answers a health check."""
    conf = write_config(tmp, listen_port, app_ports)
    subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp)], check=True, capture_output=True)
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"])
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen_port}/_stcore/health", timeout=1)
            break
        except urllib.error.HTTPError:  # nginx answers (a replica behind it may be down on purpose)
            break
        except OSError:
            time.sleep(0.1)
    return proc


def access_log(tmp: Path) -> list[dict]:
    """The shipped `anchorstep` log format's lines: time, address, method, path, status, bytes, seconds, replica."""
    out = []
    path = tmp / "anchorstep-access.log"
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        m = re.match(r'(\S+) (\S+) "(\S+) (\S+)" (\d+) (\d+) (\S+) (.*)$', line)
        if m:
            out.append({"method": m.group(3), "path": m.group(4), "status": int(m.group(5)),
                        "upstream": m.group(8).strip()})
    return out
