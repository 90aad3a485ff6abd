# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A fake VIES ``checkVat`` service on 127.0.0.1, built from the same WSDL as the client.

Requests are read, and answers written, by zeep from ``wsdl/checkVatService.wsdl``: a request
the published interface does not describe is not understood here either. Answers:

- a number of :data:`REGISTRY` (or of the ``registry`` given) is valid, with its name and
  address; any other number is invalid (name and address ``---``, as VIES answers);
- the numbers of :data:`TEST_NUMBERS` answer as VIES's test service does: ``100`` valid,
  ``200`` invalid, the others a fault (``301``: ``MS_UNAVAILABLE`` ...);
- a country VIES does not know, or an empty number, gives the fault ``INVALID_INPUT``;
- ``checkVatApprox`` (with the requester's VAT number) answers a consultation number
  ``FAKE...``, one more each time.

On demand, before a request is answered (:meth:`FakeViesServer.plan`, or ``POST
/__fake__/plan`` with a JSON object): ``{"kind": "fault", "fault": "SERVER_BUSY"}`` answers
that fault; ``{"kind": "slow", "seconds": 5}`` waits that long first; ``{"kind": "drop"}``
closes the connection without an answer, after reading the request; ``{"kind": "status",
"status": 503}`` answers an HTML error page (a proxy's) with that status. ``times`` (default 1) says
for how many requests. :attr:`FakeViesServer.requests` counts the SOAP requests read,
:attr:`~FakeViesServer.connections` the connections accepted.

``ssl_context`` (a server-side ``ssl.SSLContext``) serves HTTPS, requiring a client certificate
when the context does.

Run it: ``python -m ecomfin.soap.fake_vies --port 18110`` (the address to give the client is
printed; ``GET ...?wsdl`` serves the WSDL with that address).
"""

import argparse
import itertools
import json
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import zeep
from lxml import etree

from .vies import BINDING, COUNTRIES, WSDL

SERVICE_PATH = "/taxation_customs/vies/services/checkVatService"
CONTROL = "/__fake__/"

#: (country, number) -> (name, address): the valid numbers (invented companies)
REGISTRY = {
    ("DE", "811569869"): ("Beispiel Handels GmbH", "Musterstr. 1\n10115 Berlin"),
    ("FR", "40303265045"): ("SOCIETE EXEMPLE SAS", "1 RUE DE LA PAIX\n75002 PARIS"),
    ("NL", "004495445B01"): ("Voorbeeld B.V.", "Keizersgracht 1\n1015CJ Amsterdam"),
    ("EL", "094014201"): ("ΠΑΡΑΔΕΙΓΜΑ Α.Ε.", "ΟΔΟΣ 1\n10431 ΑΘΗΝΑ"),
    ("IE", "6388047V"): ("EXAMPLE TRADING LIMITED", "1 MAIN STREET, DUBLIN 2"),
}

#: number -> (valid,) or the fault string (any country), in the manner of VIES's test service
TEST_NUMBERS = {
    "100": True,
    "200": False,
    "201": "INVALID_INPUT",
    "202": "INVALID_REQUESTER_INFO",
    "300": "SERVICE_UNAVAILABLE",
    "301": "MS_UNAVAILABLE",
    "302": "TIMEOUT",
    "303": "SERVER_BUSY",
    "400": "VAT_BLOCKED",
    "401": "IP_BLOCKED",
    "500": "GLOBAL_MAX_CONCURRENT_REQ",
    "501": "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "600": "MS_MAX_CONCURRENT_REQ",
    "601": "MS_MAX_CONCURRENT_REQ_TIME",
}

FAULT_ENVELOPE = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>%s</faultstring></soap:Fault>"
    "</soap:Body></soap:Envelope>"
)


class Fault(Exception):
    """A VIES fault string to answer."""


class FakeVies:
    """The service itself: ``answer(body) -> (status, bytes)`` for one SOAP request."""

    def __init__(self, registry=None):
        self.registry = dict(REGISTRY if registry is None else registry)
        client = zeep.Client(str(WSDL))
        self.operations = client.wsdl.bindings[BINDING]._operations
        self.consultations = itertools.count(1)

    def answer(self, body):
        try:
            envelope = etree.fromstring(body)
            payload = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
            name = etree.QName(payload).localname
            operation = self.operations[name]
            params = operation.input.deserialize(envelope)
        except Exception:  # noqa: BLE001 whatever is not a request of the WSDL is bad input
            return 500, (FAULT_ENVELOPE % "INVALID_INPUT").encode()
        try:
            values = self.check(name, params)
        except Fault as fault:
            return 500, (FAULT_ENVELOPE % fault.args[0]).encode()
        return 200, etree.tostring(operation.output.serialize(**values).content, xml_declaration=True)

    def check(self, operation, params):
        country = params.countryCode or ""
        number = params.vatNumber or ""
        if country not in COUNTRIES or not number:
            raise Fault("INVALID_INPUT")
        test = TEST_NUMBERS.get(number)
        if isinstance(test, str):
            raise Fault(test)
        known = self.registry.get((country, number))
        valid = test if isinstance(test, bool) else known is not None
        name, address = known or ("---", "---")
        common = {"countryCode": country, "vatNumber": number, "requestDate": date.today(), "valid": valid}
        if operation == "checkVat":
            return {**common, "name": name, "address": address}
        if params.requesterCountryCode and params.requesterCountryCode not in COUNTRIES:
            raise Fault("INVALID_REQUESTER_INFO")
        return {
            **common,
            "traderName": name,
            "traderAddress": address,
            "requestIdentifier": f"FAKE{next(self.consultations):08d}",
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        """Quiet: a client that hangs up (a test's timeout, a refused TLS handshake) is expected."""

    def process_request(self, request, client_address):
        with self.owner.lock:
            self.owner.connections += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 quiet: tests read the counters
        pass

    def _send(self, status, body, content_type="text/xml; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up waiting (its read timeout): nobody to answer
            self.close_connection = True

    def do_GET(self):
        owner = self.server.owner
        if self.path.endswith("?wsdl") or self.path.endswith("?WSDL"):
            text = WSDL.read_text(encoding="utf-8")
            text = text.replace(
                "http://ec.europa.eu/taxation_customs/vies/services/checkVatService", owner.url
            )
            return self._send(200, text.encode())
        return self._send(404, b"not found", "text/plain")

    def do_POST(self):
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(CONTROL + "plan"):
            spec = json.loads(body or b"{}")
            owner.plan(**spec)
            return self._send(200, b"{}", "application/json")
        step = owner._next_step()
        with owner.lock:
            owner.requests += 1
        kind = step.get("kind") if step else None
        if kind == "slow":
            # ends early, without an answer, when the server stops
            if owner.stopping.wait(float(step.get("seconds", 5))):
                return None
        elif kind == "drop":
            # the request was read: the client cannot tell whether it was acted on
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        elif kind == "status":
            page = b"<html><body><h1>Service Unavailable</h1></body></html>"
            return self._send(int(step.get("status", 503)), page, "text/html")
        elif kind == "fault":
            return self._send(500, (FAULT_ENVELOPE % step.get("fault", "SERVICE_UNAVAILABLE")).encode())
        status, answer = owner.service.answer(body)
        return self._send(status, answer)


class FakeViesServer:
    """:class:`FakeVies` served in a thread (see the module). ``with FakeViesServer() as s:``
    starts and stops it; ``s.url`` is the address to give the client."""

    def __init__(self, host="127.0.0.1", port=0, *, registry=None, ssl_context=None):
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.service = FakeVies(registry)
        self.lock = threading.Lock()
        self.steps = []
        self.requests = 0
        self.connections = 0
        self.stopping = threading.Event()
        self.httpd = None
        self.thread = None

    @property
    def url(self):
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}{SERVICE_PATH}"

    def plan(self, kind, times=1, **options):
        """What to do instead of (``fault``, ``drop``, ``status``) or before (``slow``) the next ``times``
        answers."""
        if kind not in ("fault", "slow", "drop", "status"):
            raise ValueError(f"unknown kind {kind!r}: fault, slow, drop or status")
        with self.lock:
            self.steps.extend([{"kind": kind, **options}] * int(times))

    def _next_step(self):
        with self.lock:
            return self.steps.pop(0) if self.steps else None

    def start(self):
        self.stopping.clear()
        self.httpd = _Server((self.host, self.port), _Handler)
        self.httpd.owner = self
        if self.ssl_context is not None:
            self.httpd.socket = self.ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="fake-vies", daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description="A fake EU VIES checkVat SOAP service on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18110)
    args = parser.parse_args(argv)
    server = FakeViesServer(args.host, args.port).start()
    print(f"fake VIES at {server.url} (WSDL: {server.url}?wsdl); Ctrl-C stops it", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
