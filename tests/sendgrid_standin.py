"""A local stand-in for SendGrid's v3 API: records every `POST /v3/mail/send` and answers from a
script (202, 429 with X-RateLimit-Reset, 500, 400, 401, or hangs to force a timeout)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn:
    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple] = []  # (status, extra headers) or ("hang", seconds); empty -> 202
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                           "json": json.loads(body or b"{}")})
                    step = outer.script.pop(0) if outer.script else (202, {})
                if step[0] == "hang":
                    time.sleep(step[1])
                    step = (202, {})
                status, headers = step
                payload = b"" if status == 202 else json.dumps({"errors": [{"message": "stand-in"}]}).encode()
                try:
                    self.send_response(status)
                    if status == 202:
                        self.send_header("X-Message-Id", f"sg-{len(outer.requests)}")
                    for k, v in headers.items():
                        self.send_header(k, str(v))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
