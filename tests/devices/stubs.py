# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Test doubles of the devices tests: a local HTTP stub of Odoo's /ecom/device/events that records
what it receives, a clock, and a wait helper."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EventsStub(ThreadingHTTPServer):
    """Answers POST /ecom/device/events like the contract (200 ``{"accepted", "duplicates"}``, the same
    id twice is a duplicate), or with the statuses queued in ``script`` first; ``max_events`` answers
    413 to bigger batches. ``requests`` keeps ``(path, headers, body)`` of each request."""

    daemon_threads = True

    def __init__(self, script=(), max_events=None, token="secret", port=0):
        self.script = list(script)
        self.max_events = max_events
        self.token = token
        self.requests = []
        self.seen = {}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self):
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def accepted_codes(self):
        with self.lock:
            return list(self.seen.values())


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with server.lock:
            server.requests.append((self.path, dict(self.headers), body))
            scripted = server.script.pop(0) if server.script else None
            if scripted:
                status, answer = scripted, {"error": "scripted"}
            elif self.headers.get("Authorization") != f"Bearer {server.token}":
                status, answer = 401, {"error": "bad token"}
            elif server.max_events and len(body["events"]) > server.max_events:
                status, answer = 413, {"error": "too large"}
            else:
                accepted = duplicates = 0
                for event in body["events"]:
                    if event["id"] in server.seen:
                        duplicates += 1
                    else:
                        server.seen[event["id"]] = event["code"]
                        accepted += 1
                status, answer = 200, {"accepted": accepted, "duplicates": duplicates}
        raw = json.dumps(answer).encode()
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


class Clock:
    """A settable clock for the agent's logic."""

    def __init__(self, now=1_780_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def wait_for(predicate, timeout=10.0, step=0.01):
    """Poll ``predicate`` until true; answers its last value (tests assert on it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
