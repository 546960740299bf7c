"""`python -m db check-supabase` against local stand-ins for Supabase's Data API: one that denies
everything (as our schema should), one that leaks (a table in public without RLS)."""
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT


def stand_in(leaky: bool):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _schema(self):
            return self.headers.get("Accept-Profile") or self.headers.get("Content-Profile") or "public"

        def _table(self):
            return self.path.split("/rest/v1/")[1].split("?")[0]

        def do_GET(self):
            self.server.seen.append(("GET", self._schema(), self._table(), self.headers.get("apikey")))
            if leaky and self._schema() == "public" and self._table() == "clients":
                return self._answer(200, [{"id": 1, "display_name": "Alex"}])
            if self._schema() != "public":
                return self._answer(406, {"code": "PGRST106", "message": "The schema must be one of the following: public"})
            return self._answer(404, {"code": "PGRST205", "message": "Could not find the table"})

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.server.seen.append(("POST", self._schema(), self._table(), self.headers.get("apikey")))
            if leaky and self._schema() == "public" and self._table() == "audit_events":
                return self._answer(400, {"code": "23502", "message": "null value in column \"at\" violates not-null"})
            return self._answer(401, {"code": "42501", "message": "permission denied"})

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.seen = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run_check(srv):
    return subprocess.run([sys.executable, "-m", "db", "check-supabase", "--url", f"http://127.0.0.1:{srv.server_port}",
                           "--anon-key", "sb_publishable_test"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_project_that_denies_everything_passes():
    srv = stand_in(leaky=False)
    try:
        out = run_check(srv)
    finally:
        srv.shutdown()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout
    probed = {(m, s, t) for m, s, t, _ in srv.seen}
    assert ("GET", "anchorstep", "clients") in probed and ("POST", "public", "audit_events") in probed
    assert all(key == "sb_publishable_test" for *_, key in srv.seen)


def test_a_leaking_project_fails_loudly_naming_the_tables():
    srv = stand_in(leaky=True)
    try:
        out = run_check(srv)
    finally:
        srv.shutdown()
    assert out.returncode == 1
    assert "public.clients" in out.stderr and "public.audit_events" in out.stderr
    assert "LEAK: public.clients read" in out.stdout
