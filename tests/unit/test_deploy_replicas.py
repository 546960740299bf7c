"""The shipped replica units and proxy settings (deploy/): what `systemctl enable --now anchorstep-app@{1..4}`
and nginx will actually do. The proxy itself runs in tests/e2e/test_replicas.py and tests/e2e/test_nginx.py."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

SYSTEMD = ROOT / "deploy" / "systemd"


def _exec_start(unit: str) -> str:
    return re.search(r"^ExecStart=(.*)$", (SYSTEMD / unit).read_text(), re.M).group(1)


@pytest.mark.parametrize("instance, port", [("1", "8501"), ("2", "8502"), ("4", "8504"), ("9", "8509")])
def test_replica_unit_instance_n_listens_on_8500_plus_n_on_localhost_only(instance, port, tmp_path):
    """The template's command line, with systemd's %i filled in and the streamlit binary replaced by echo,
    run by the same /bin/sh: replica N serves 127.0.0.1:(8500 + N), the ports anchorstep-replicas.inc lists."""
    line = _exec_start("anchorstep-app@.service").replace("%i", instance)
    line = line.replace("exec /opt/anchorstep/.venv/bin/streamlit", "exec echo")
    argv = re.match(r"^/bin/sh -c '(.*)'$", line).group(1)
    out = subprocess.run(["/bin/sh", "-c", argv], capture_output=True, text=True, check=True).stdout.split()
    assert out[out.index("--server.port") + 1] == port
    assert out[out.index("--server.address") + 1] == "127.0.0.1"
    assert "app.py" in out


def test_replica_units_migrate_once_before_any_replica_or_worker_starts():
    for unit in ("anchorstep-app@.service", "anchorstep-worker@.service"):
        text = (SYSTEMD / unit).read_text()
        assert "Requires=anchorstep-migrate.service" in text and "anchorstep-migrate.service" in \
            re.search(r"^After=(.*)$", text, re.M).group(1), unit
        assert "db migrate" not in text, f"{unit} would migrate in every replica at once"
    assert "Type=oneshot" in (SYSTEMD / "anchorstep-migrate.service").read_text()


def test_replica_units_pass_systemds_own_check(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in SYSTEMD.glob("*.service"):
        name = unit.name.replace("@.service", "@2.service")  # a template is checked as one instance
        (tmp_path / name).write_text(unit.read_text())
    res = subprocess.run([analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                         capture_output=True, text=True)
    problems = [ln for ln in (res.stdout + res.stderr).splitlines()
                if ln.strip() and "is not executable" not in ln]  # /opt/anchorstep is not installed here
    assert problems == [], problems


def test_replica_list_is_shared_by_both_upstreams_and_the_portal_has_affinity():
    site = (ROOT / "deploy" / "nginx" / "anchorstep.conf").read_text()
    app = re.search(r"upstream anchorstep_app \{(.*?)\}", site, re.S).group(1)
    clients = re.search(r"upstream anchorstep_clients \{(.*?)\}", site, re.S).group(1)
    assert "hash $anchorstep_route consistent;" in app
    assert "hash" not in clients and "ip_hash" not in clients  # the client pages need no affinity
    for block in (app, clients):
        assert "include /etc/nginx/snippets/anchorstep-replicas.inc;" in block
    proxy = (ROOT / "deploy" / "nginx" / "anchorstep-proxy.inc").read_text()
    locations = dict(re.findall(r"location (\S+) \{(.*?)\n\}", proxy, re.S))
    assert "proxy_pass http://anchorstep_clients;" in locations["/c/"]
    for portal in ("/", "/component/"):
        assert "proxy_pass http://anchorstep_app;" in locations[portal]
        assert "add_header Set-Cookie $anchorstep_route_cookie always;" in locations[portal]
