# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The device agent of a box without Odoo's IoT: serial port -> reads -> local queue -> Odoo.

``python -m ecomfin.devices.agent --url URL --token TOKEN --port SERIAL_URL --protocol PROTOCOL
[--queue PATH] [--window SECONDS]`` (also the console script ``ecom-device-agent``).

- The port is opened with ``serial.serial_for_url``: ``/dev/ttyUSB0``, ``socket://host:port``,
  ``loop://``, ``rfc2217://``... When it fails (unplugged, reader rebooted, TCP server gone) it is
  reopened with capped exponential backoff.
- Reads are decoded (:func:`ecomfin.devices.make_decoder`); RFID reads of the same EPC within
  ``--window`` seconds are one read (a tag sitting in the field is read hundreds of times a second);
  barcode scans are never merged (scanning twice is counting two).
- Each read becomes an event with an id of its own (uuid4) written to a sqlite queue before anything
  is sent: nothing is lost while Odoo is unreachable or the agent restarts, and a batch sent again
  after a lost answer carries the same ids, which Odoo counts as duplicates. The queue holds at most
  ``--max-queued`` events (a million by default, about 150 MB): while it is full, new reads are not
  queued but counted (the ``dropped`` table, by kind) and logged as errors, so a box cut off from
  Odoo for days fills neither its disk nor the warehouse's trust.
- Batches go as ``POST URL/ecom/device/events`` with ``Authorization: Bearer TOKEN`` and
  ``{"events": [{"id", "kind", "code", "at"}]}``; 200 ``{"accepted", "duplicates"}`` removes them from
  the queue; 401 stops the agent (the token was refused: rotate it in Odoo); 413 splits the batch (a
  single event refused as too large is set aside in the queue's ``rejected`` table); 429, 5xx and
  connection errors are retried with capped exponential backoff with jitter (``Retry-After`` honoured).

The logic (:class:`EventQueue`, :class:`Deduper`, :class:`Backoff`, :meth:`Agent.ingest`,
:meth:`Agent.send_once`) takes its clock and randomness as arguments and never sleeps: the tests drive
it without waiting.
"""

import argparse
import http.client
import json
import logging
import os
import random
import signal
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

from .decode import parse_prefix
from .reads import PROTOCOLS, make_decoder
from .rfid import CODECS, FrameDecoder
from .scanner import TERMINATORS

_logger = logging.getLogger("ecomfin.devices.agent")

BAUDRATES = {"scanner": 9600, "impinj": 115200, "m100": 115200, "chafon": 57600}
EXIT_BAD_PORT = 2
EXIT_TOKEN_REFUSED = 3
READ_SIZE = 4096
READ_TIMEOUT = 0.05
MAX_QUEUED = 1_000_000


class TokenRefused(Exception):
    """Odoo answered 401: the device token is wrong, revoked or rotated away."""


def iso_utc(timestamp):
    """ISO 8601 in UTC with milliseconds, e.g. ``2026-12-07T16:30:00.123+00:00``."""
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="milliseconds")


class EventQueue:
    """Durable FIFO of events in sqlite (WAL, synchronous FULL), safe to share between threads."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        for attempt in range(50):
            try:
                self._setup()
                break
            except sqlite3.OperationalError:  # another process switching the file to WAL just now
                if attempt == 49:
                    raise
                time.sleep(0.1)

    def _setup(self):
        if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, at TEXT NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS rejected"
            " (id TEXT PRIMARY KEY, kind TEXT, code TEXT, at TEXT, status INTEGER)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS dropped (kind TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at TEXT)"
        )

    def put(self, events, cap=None):
        """Queue ``events``; with ``cap``, only as many as fit under ``cap`` queued events, the others
        counted in ``dropped``. Answers the events that were not queued."""
        with self._lock, self._db:
            refused = []
            if cap is not None:
                # the span of the sequence bounds the count from above, from the index alone
                low, high = self._db.execute("SELECT min(seq), max(seq) FROM events").fetchone()
                room = max(0, cap - (high - low + 1 if high is not None else 0))
                events, refused = events[:room], events[room:]
            self._db.executemany(
                "INSERT OR IGNORE INTO events (id, kind, code, at) VALUES (:id, :kind, :code, :at)", events
            )
            for event in refused:
                self._db.execute(
                    "INSERT INTO dropped (kind, count, last_at) VALUES (?, 1, ?)"
                    " ON CONFLICT (kind) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
                    (event["kind"], event["at"]),
                )
            return refused

    def dropped(self):
        """``{kind: count}`` of the reads not queued because the queue was full."""
        with self._lock:
            return dict(self._db.execute("SELECT kind, count FROM dropped ORDER BY kind"))

    def batch(self, size):
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, code, at FROM events ORDER BY seq LIMIT ?", (size,)
            ).fetchall()
        return [dict(zip(("id", "kind", "code", "at"), row, strict=True)) for row in rows]

    def ack(self, ids):
        with self._lock, self._db:
            self._db.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])

    def reject(self, event, status):
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO rejected (id, kind, code, at, status) VALUES (?, ?, ?, ?, ?)",
                (event["id"], event["kind"], event["code"], event["at"], status),
            )
            self._db.execute("DELETE FROM events WHERE id = ?", (event["id"],))

    def __len__(self):
        with self._lock:
            return self._db.execute("SELECT count(*) FROM events").fetchone()[0]

    def rejected(self):
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM rejected ORDER BY id")]

    def close(self):
        with self._lock:
            self._db.close()


class Deduper:
    """RFID reads of one EPC within ``window`` seconds of the last one let through are one read."""

    def __init__(self, window):
        self.window = window
        self._last = {}
        self._pruned = 0.0

    def admit(self, kind, code, now):
        if kind != "epc" or self.window <= 0:
            return True
        if now - self._pruned > self.window:
            self._last = {c: t for c, t in self._last.items() if now - t < self.window}
            self._pruned = now
        last = self._last.get(code)
        if last is not None and 0 <= now - last < self.window:
            return False
        self._last[code] = now
        return True


class Backoff:
    """Capped exponential backoff with jitter: the n-th delay is in [d/2, d], d = min(cap, base * 2**n)."""

    def __init__(self, base=0.5, cap=60.0, rng=None):
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()
        self.attempt = 0

    def delay(self):
        ceiling = min(self.cap, self.base * 2**self.attempt)
        self.attempt = min(self.attempt + 1, 32)
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self):
        self.attempt = 0


class HttpSender:
    """POSTs a batch with urllib; answers ``(status, json body or None, retry_after or None)``, status
    None when Odoo could not be reached."""

    def __init__(self, url, token, timeout=10.0):
        self.endpoint = url.rstrip("/") + "/ecom/device/events"
        self.token = token
        self.timeout = timeout

    def post(self, events):
        body = json.dumps({"events": events}, separators=(",", ":")).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (URL given by the operator)
                return response.status, _json(response.read()), None
        except urllib.error.HTTPError as error:
            retry_after = error.headers.get("Retry-After") if error.headers else None
            try:
                retry_after = float(retry_after) if retry_after else None
            except ValueError:
                retry_after = None
            return error.code, _json(error.read()), retry_after
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            _logger.warning("cannot reach %s: %s", self.endpoint, getattr(error, "reason", error))
            return None, None, None


def _json(raw):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


class Agent:
    """Decoding, de-duplication, queueing and delivery, without threads, sleeps or a wall clock."""

    def __init__(
        self,
        queue,
        sender,
        decoder,
        clock=time.time,
        window=5.0,
        batch_size=100,
        backoff=None,
        max_queued=MAX_QUEUED,
    ):
        self.queue = queue
        self.max_queued = max_queued
        self.sender = sender
        self.decoder = decoder
        self.clock = clock
        self.deduper = Deduper(window)
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self.sent = 0
        self.duplicates = 0

    def ingest(self, data):
        """Decode bytes from the port and queue one event per read kept; answers the events queued."""
        now = self.clock()
        events = [
            {"id": str(uuid.uuid4()), "kind": read.kind, "code": read.code, "at": iso_utc(now)}
            for read in self.decoder.feed(data)
            if self.deduper.admit(read.kind, read.code, now)
        ]
        if events:
            refused = self.queue.put(events, cap=self.max_queued)
            if refused:
                _logger.error(
                    "the queue is full (%d events waiting for Odoo): %d reads not queued, counted in its"
                    " dropped table",
                    self.max_queued,
                    len(refused),
                )
                events = events[: len(events) - len(refused)]
        return events

    def check_token(self):
        """An empty batch at start: a refused token stops the agent before any read (raises
        TokenRefused on 401); any other answer, or none, is left to the sends."""
        status, _body, _retry = self.sender.post([])
        if status == 401:
            raise TokenRefused(
                f"the device token was refused by {getattr(self.sender, 'endpoint', 'Odoo')} (401)"
            )

    def send_once(self):
        """Send the oldest batch. Answers None when the queue is empty, 0 when the batch went (send the
        next at once), else the seconds to wait before trying again. Raises TokenRefused on 401."""
        batch = self.queue.batch(self.batch_size)
        if not batch:
            return None
        retry = self._deliver(batch)
        if retry is None:
            self.backoff.reset()
            return 0
        return retry

    def _deliver(self, events):
        status, body, retry_after = self.sender.post(events)
        if status == 200:
            self.queue.ack([event["id"] for event in events])
            if isinstance(body, dict):
                self.sent += int(body.get("accepted") or 0)
                self.duplicates += int(body.get("duplicates") or 0)
            return None
        if status == 401:
            raise TokenRefused(
                f"the device token was refused by {getattr(self.sender, 'endpoint', 'Odoo')} (401)"
            )
        if status == 413:
            if len(events) == 1:
                _logger.error(
                    "event %s refused as too large (413): set aside in the queue's rejected table",
                    events[0]["id"],
                )
                self.queue.reject(events[0], status)
                return None
            half = len(events) // 2
            self.batch_size = max(1, min(self.batch_size, half))
            _logger.info("batch of %d events too large (413): sending it in halves", len(events))
            return self._deliver(events[:half]) or self._deliver(events[half:])
        delay = self.backoff.delay()
        if retry_after is not None:
            delay = min(max(delay, retry_after), self.backoff.cap)
        if status is not None:
            _logger.warning(
                "Odoo answered %s to a batch of %d events: retrying in %.1f s", status, len(events), delay
            )
        return delay


class PortReader:
    """Reads a serial URL into ``on_data`` until ``stop`` is set; reopens it with backoff when it fails."""

    def __init__(self, url, on_data, stop, baudrate=9600, backoff=None, poll=None, poll_every=0.0):
        self.url = url
        self.on_data = on_data
        self.stop = stop
        self.baudrate = baudrate
        self.backoff = backoff or Backoff(base=0.5, cap=30.0)
        self.poll = poll
        self.poll_every = poll_every
        self.opened = 0
        self.fatal = None  # why the reader gave up (a URL pyserial does not know), stopping the agent

    def run(self):
        import serial  # pyserial: only the agent needs it

        while not self.stop.is_set():
            try:
                # a read returns 4096 bytes or what came within READ_TIMEOUT: in_waiting is not a byte
                # count for every backend (socket:// answers 0 or 1)
                port = serial.serial_for_url(
                    self.url, baudrate=self.baudrate, timeout=READ_TIMEOUT, write_timeout=1
                )
            except ValueError as error:  # an unknown URL scheme or a bad setting: no retry mends it
                self.fatal = f"cannot use port {self.url}: {error}"
                _logger.error("%s; stopping", self.fatal)
                self.stop.set()
                return
            except (serial.SerialException, OSError) as error:
                self._wait(f"cannot open {self.url}: {error}")
                continue
            self.opened += 1
            _logger.info("port %s open", self.url)
            try:
                self._pump(port)
            except (serial.SerialException, OSError) as error:
                self._wait(f"port {self.url} lost: {error}")
            finally:
                port.close()

    def _pump(self, port):
        last_poll = 0.0
        while not self.stop.is_set():
            if self.poll and time.monotonic() - last_poll >= self.poll_every:
                port.write(self.poll)
                last_poll = time.monotonic()
            data = port.read(READ_SIZE)
            if data:
                self.backoff.reset()
                self.on_data(data)

    def _wait(self, message):
        delay = self.backoff.delay()
        _logger.warning("%s; reopening in %.1f s", message, delay)
        self.stop.wait(delay)


def serve(
    port,
    protocol,
    url,
    token,
    queue_path,
    stop,
    *,
    decoder_options=None,
    window=5.0,
    batch=100,
    timeout=10.0,
    backoff=0.5,
    backoff_cap=60.0,
    max_queued=MAX_QUEUED,
    baudrate=None,
    poll=0.0,
    on_events=None,
    clock=time.time,
):
    """Read ``port`` and deliver its reads to Odoo at ``url`` until ``stop`` is set or the token is
    refused; answers the exit status. The agent's command and the IoT-box driver both run this;
    ``on_events`` (optional) is called with each list of events queued (the driver shows them on the
    box's own page)."""
    queue = EventQueue(queue_path)
    agent = Agent(
        queue,
        HttpSender(url, token, timeout=timeout),
        make_decoder(protocol, **(decoder_options or {})),
        clock=clock,
        window=window,
        batch_size=batch,
        backoff=Backoff(base=backoff, cap=backoff_cap),
        max_queued=max_queued,
    )
    wake = threading.Event()
    lock = threading.Lock()

    def on_data(data):
        with lock:
            events = agent.ingest(data)
        if events:
            wake.set()
            if on_events:
                on_events(events)

    command = CODECS[protocol].inventory_command() if protocol in CODECS and poll > 0 else None
    reader = PortReader(
        port,
        on_data,
        stop,
        baudrate=baudrate or BAUDRATES[protocol],
        backoff=Backoff(base=backoff, cap=backoff_cap),
        poll=command,
        poll_every=poll,
    )
    thread = threading.Thread(target=reader.run, name="port-reader", daemon=True)
    thread.start()
    _logger.info(
        "agent started: %s (%s) -> %s, %d events waiting in %s", port, protocol, url, len(queue), queue_path
    )
    status = 0
    try:
        first = True
        while not stop.is_set():
            try:
                if first:
                    agent.check_token()
                    first = False
                delay = agent.send_once()
            except TokenRefused as error:
                _logger.error(
                    "%s: stopping. Rotate the device's token in Odoo and restart the agent with the new one;"
                    " %d events stay queued in %s",
                    error,
                    len(queue),
                    queue_path,
                )
                status = EXIT_TOKEN_REFUSED
                break
            if delay is None:
                wake.wait(0.5)
                wake.clear()
            elif delay > 0:
                stop.wait(delay)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        thread.join(timeout=5)
        if reader.fatal:
            status = EXIT_BAD_PORT
        _logger.info(
            "agent stopped: %d events sent, %d duplicates, %d still queued",
            agent.sent,
            agent.duplicates,
            len(queue),
        )
        queue.close()
    return status


def run(args, clock=time.time, stop=None):
    """Run the agent of the command line ``args`` until interrupted, ``stop`` set or the token
    refused; answers the exit status."""
    options = {}
    if args.suffix:
        options["suffix"] = args.suffix
    if args.prefix:
        options["prefix"] = args.prefix
    return serve(
        args.port,
        args.protocol,
        args.url,
        args.token,
        args.queue,
        stop or threading.Event(),
        decoder_options=options,
        window=args.window,
        batch=args.batch,
        timeout=args.timeout,
        backoff=args.backoff,
        backoff_cap=args.backoff_cap,
        max_queued=args.max_queued,
        baudrate=args.baudrate,
        poll=args.poll,
        clock=clock,
    )


def probe(port, protocol, baudrate=None, timeout=1.0):
    """Whether an RFID reader of ``protocol`` answers at ``port``: its inventory command is sent and
    any well-formed frame of the protocol (checksum right) within ``timeout`` seconds is an answer. A
    line scanner cannot be probed (it only speaks when a code is scanned): answers None."""
    if protocol not in CODECS:
        return None
    import serial  # pyserial: only the agent needs it

    decoder = FrameDecoder(CODECS[protocol])
    try:
        port_handle = serial.serial_for_url(
            port, baudrate=baudrate or BAUDRATES[protocol], timeout=READ_TIMEOUT, write_timeout=timeout
        )
    except (ValueError, serial.SerialException, OSError) as error:
        _logger.info("probe of %s (%s): cannot open it: %s", port, protocol, error)
        return False
    try:
        port_handle.write(CODECS[protocol].inventory_command())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if decoder.feed(port_handle.read(READ_SIZE)):
                return True
    except (serial.SerialException, OSError) as error:
        _logger.info("probe of %s (%s) failed: %s", port, protocol, error)
    finally:
        port_handle.close()
    return False


BOX_OPTIONS = {"window": float, "poll": float, "baudrate": int, "batch": int, "max_queued": int}


def box_devices(section):
    """The devices of an IoT box's ``[ecom.devices]`` settings (a mapping of its keys), by port.

    ``url = https://odoo.example.com`` and one ``port.<n> = <port> <protocol> <token> [key=value ...]``
    per device (keys: window, poll, baudrate, batch, max_queued, and suffix / prefix for a scanner).
    Answers ``{port: {"protocol", "token", "url", "options"}}``; raises ValueError naming the key of
    the first bad line.
    """
    url = (section.get("url") or "").strip()
    devices = {}
    for key, value in sorted(section.items()):
        if not key.startswith("port."):
            continue
        parts = value.split()
        if len(parts) < 3:
            raise ValueError(f"[ecom.devices] {key}: expected '<port> <protocol> <token> [key=value ...]'")
        port, protocol, token, *extra = parts
        if protocol not in PROTOCOLS:
            raise ValueError(f"[ecom.devices] {key}: unknown protocol {protocol!r} ({', '.join(PROTOCOLS)})")
        if not url.startswith(("http://", "https://")):
            raise ValueError("[ecom.devices] url: the Odoo URL (http:// or https://) is missing")
        options, decoder = {}, {}
        for item in extra:
            name, _sep, raw = item.partition("=")
            try:
                if name in BOX_OPTIONS:
                    options[name] = BOX_OPTIONS[name](raw)
                elif name == "suffix" and protocol == "scanner" and raw in TERMINATORS:
                    decoder[name] = raw
                elif name == "prefix" and protocol == "scanner":
                    decoder[name] = parse_prefix(raw)
                else:
                    raise ValueError(item)
            except (ValueError, argparse.ArgumentTypeError):
                raise ValueError(f"[ecom.devices] {key}: bad option {item!r}") from None
        devices[port] = {
            "protocol": protocol,
            "token": token,
            "url": url,
            "options": options,
            "decoder": decoder,
        }
    return devices


def build_parser():
    parser = argparse.ArgumentParser(
        prog="ecom-device-agent", description="Send a serial device's reads to Odoo."
    )
    parser.add_argument("--url", required=True, help="Odoo base URL, e.g. https://odoo.example.com")
    parser.add_argument(
        "--token", default=os.environ.get("ECOM_DEVICE_TOKEN"), help="device token (or ECOM_DEVICE_TOKEN)"
    )
    parser.add_argument("--port", required=True, help="serial URL: /dev/ttyUSB0, socket://host:port, loop://")
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS)
    parser.add_argument(
        "--queue", default=os.path.expanduser("~/.ecom-device-agent.sqlite"), help="sqlite queue file"
    )
    parser.add_argument("--window", type=float, default=5.0, help="RFID de-duplication window, seconds")
    parser.add_argument("--suffix", choices=sorted(TERMINATORS), help="scanner terminator (default CR)")
    parser.add_argument("--prefix", type=parse_prefix, help="scanner prefix, Python escapes allowed")
    parser.add_argument(
        "--baudrate", type=int, help="default: 9600 scanner, 115200 impinj/m100, 57600 chafon"
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=0.0,
        help="send the reader's inventory command every N s (0: reader in auto mode)",
    )
    parser.add_argument("--batch", type=int, default=100, help="events per request")
    parser.add_argument(
        "--max-queued",
        type=int,
        default=MAX_QUEUED,
        help="events kept while Odoo is unreachable; reads beyond are counted as dropped",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout, seconds")
    parser.add_argument("--backoff", type=float, default=0.5, help="first retry delay, seconds")
    parser.add_argument("--backoff-cap", type=float, default=60.0, help="longest retry delay, seconds")
    parser.add_argument("--log-level", default="INFO")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or ECOM_DEVICE_TOKEN) is required")
    if (args.suffix or args.prefix) and args.protocol != "scanner":
        parser.error(f"--suffix and --prefix apply to --protocol scanner, not {args.protocol}")
    if (
        args.window < 0
        or args.batch < 1
        or args.max_queued < 1
        or args.poll < 0
        or args.backoff <= 0
        or args.backoff_cap < args.backoff
    ):
        parser.error(
            "--window and --poll must be >= 0, --batch and --max-queued >= 1, 0 < --backoff <= --backoff-cap"
        )
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"--url must start with http:// or https://, not {args.url!r}")
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())  # systemd's stop: finish cleanly
    return run(args, stop=stop)


if __name__ == "__main__":
    sys.exit(main())
