# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A fake platform API on 127.0.0.1: pages of a :class:`~.data.FakeShop`, signatures checked,
faults on demand.

A platform's fake is a :class:`FakeApi` subclass: ``handle(request)`` answers one API request
(checking its signature as the platform does, and answering a bad one as the platform does).
:class:`FakeServer` serves one in a thread and injects faults before the API sees a request:

``{"kind": "status", "status": 429, "times": 2, "retry_after": 1}``
    answer that status (a 429 with its ``Retry-After``) instead;
``{"kind": "truncate"}``  send half the body under the whole body's ``Content-Length``;
``{"kind": "reset"}``     close the connection without an answer;
``{"kind": "slow", "seconds": 3}``  wait that long before answering;
``{"kind": "expire_token"}``  answer as the platform does to an expired access token.

A fault applies ``times`` times (default 1), after ``after`` more requests answered normally
(default 0): ``{"kind": "reset", "after": 3, "times": 99}`` lets three pages through and then
refuses every request, which is how a test cuts a pull half-way. Faults are set from Python
(``server.faults.add(...)``) or over HTTP (``POST /__fake__/faults`` with a JSON list;
``DELETE`` clears them); ``GET /__fake__/stats`` tells the requests seen and the bad signatures.
"""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

CONTROL = "/__fake__/"


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict  # lower-case names
    body: bytes
    raw_query: str = ""
    raw_path: str = ""

    def json(self):
        return json.loads(self.body or b"{}")

    def form(self):
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, value, status=200, headers=None):
        return cls(
            status,
            json.dumps(value, ensure_ascii=False).encode("utf-8"),
            {"Content-Type": "application/json", **(headers or {})},
        )


class FakeApi:
    """One platform's API over a shop (subclasses: the platforms' fakes)."""

    platform = None
    #: the credentials the fake accepts (the README's walk-through enters these)
    credentials = {}

    def __init__(self, shop, credentials=None):
        self.shop = shop
        self.credentials = {**self.credentials, **(credentials or {})}
        self.stats = {"requests": 0, "bad_signatures": 0}
        self.lock = threading.Lock()

    def handle(self, request):
        raise NotImplementedError

    def credentials_for(self, url):
        """The credentials a backend pointing at ``url`` (this fake) enters: what the command
        line prints (a platform whose token server is elsewhere adds its address here)."""
        return dict(self.credentials)

    def expired_reply(self, request):
        """What the platform answers to an expired access token."""
        return Reply.json({"error": "token expired"}, status=401)

    def bad_signature(self, reply):
        with self.lock:
            self.stats["bad_signatures"] += 1
        return reply


class Faults:
    """The faults still to inject (see the module)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = []

    def add(self, *faults):
        with self.lock:
            for fault in faults:
                self.pending.append({"times": 1, "after": 0, **fault})

    def clear(self):
        with self.lock:
            self.pending.clear()

    def next(self):
        """The fault for this request (None: answer normally)."""
        with self.lock:
            for fault in self.pending:
                if fault["after"] > 0:
                    fault["after"] -= 1
                    return None
                fault["times"] -= 1
                if fault["times"] <= 0:
                    self.pending.remove(fault)
                return fault
            return None


class FakeServer:
    """Serve ``api`` on ``host:port`` (0: any free port) in a thread; a context manager."""

    def __init__(self, api, port=0, host="127.0.0.1"):
        self.api = api
        self.faults = Faults()
        handler = _handler_class(self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = None

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-api", daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _handler_class(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body leave in two writes: without this, Nagle holds the body ~40 ms
        disable_nagle_algorithm = True

        def log_message(self, *args):  # quiet: the tests read stats, not logs
            pass

        def _serve(self):
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                self.command,
                split.path,
                dict(parse_qsl(split.query, keep_blank_values=True)),
                {key.lower(): value for key, value in self.headers.items()},
                body,
                raw_query=split.query,
                raw_path=self.path,
            )
            if split.path.startswith(CONTROL):
                return self._send(_control(server, request))
            with server.api.lock:
                server.api.stats["requests"] += 1
            fault = server.faults.next()
            if fault is None:
                return self._send(server.api.handle(request))
            kind = fault["kind"]
            if kind == "reset":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            if kind == "slow":
                time.sleep(float(fault.get("seconds", 3)))
                return self._send(server.api.handle(request))
            if kind == "expire_token":
                return self._send(server.api.expired_reply(request))
            if kind == "truncate":
                reply = server.api.handle(request)
                return self._send(reply, cut=len(reply.body) // 2)
            headers = {}
            if fault.get("retry_after") is not None:
                headers["Retry-After"] = str(fault["retry_after"])
            status = int(fault.get("status", 500))
            return self._send(Reply.json({"error": f"fake fault {status}"}, status=status, headers=headers))

        def _send(self, reply, cut=None):
            body = reply.body
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            if cut is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body if cut is None else body[:cut])

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler


def _control(server, request):
    action = request.path[len(CONTROL) :]
    if action == "faults" and request.method == "POST":
        faults = request.json()
        server.faults.add(*(faults if isinstance(faults, list) else [faults]))
        return Reply.json({"pending": len(server.faults.pending)})
    if action == "faults" and request.method == "DELETE":
        server.faults.clear()
        return Reply.json({"pending": 0})
    if action == "stats":
        return Reply.json({**server.api.stats, "pending_faults": len(server.faults.pending)})
    if action == "credentials":
        return Reply.json(server.api.credentials)
    return Reply.json({"error": "unknown control"}, status=404)
