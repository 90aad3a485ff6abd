# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The device agent: queue, de-duplication, batching and backoff driven with a fake clock, then the
real HTTP client against a local stub of /ecom/device/events (idempotent ids, 503 retried, 401
stops, 413 splits, queue kept across a restart)."""

import logging
import random
import threading
from datetime import datetime

import pytest
from stubs import Clock, EventsStub, wait_for

from ecomfin.devices import make_decoder
from ecomfin.devices.agent import (
    EXIT_TOKEN_REFUSED,
    Agent,
    Backoff,
    Deduper,
    EventQueue,
    HttpSender,
    TokenRefused,
    build_parser,
    run,
)
from ecomfin.devices.epc import encode_sgtin96
from ecomfin.devices.rfid import CODECS
from ecomfin.devices.scanner import encode_scan
from ecomfin.devices.simulator import Simulator, SimulatorServer

EPC_A = bytes.fromhex("3074257BF7194E4000001A85")
EPC_B = bytes.fromhex(encode_sgtin96("09501101020917", 7, 7))


class ScriptedSender:
    """Answers the statuses given, then 200; records each batch's ids."""

    def __init__(self, *statuses, max_events=None):
        self.statuses = list(statuses)
        self.max_events = max_events
        self.batches = []

    def post(self, events):
        self.batches.append([event["id"] for event in events])
        if self.statuses:
            return self.statuses.pop(0), None, None
        if self.max_events and len(events) > self.max_events:
            return 413, None, None
        return 200, {"accepted": len(events), "duplicates": 0}, None


@pytest.fixture
def queue(tmp_path):
    queue = EventQueue(str(tmp_path / "queue.sqlite"))
    yield queue
    queue.close()


def make_agent(queue, sender, protocol="impinj", clock=None, window=5.0, batch_size=100):
    return Agent(
        queue,
        sender,
        make_decoder(protocol),
        clock=clock or Clock(),
        window=window,
        batch_size=batch_size,
        backoff=Backoff(base=0.5, cap=8.0, rng=random.Random(1)),
    )


def test_rfid_reads_of_one_epc_within_the_window_are_one_event(queue):
    clock = Clock()
    agent = make_agent(queue, ScriptedSender(), clock=clock, window=5.0)
    codec = CODECS["impinj"]
    burst = b"".join(codec.tag_frame(epc) for epc in [EPC_A, EPC_B] * 50)
    assert [e["code"] for e in agent.ingest(burst)] == [EPC_A.hex().upper(), EPC_B.hex().upper()]
    clock.now += 4.9
    assert agent.ingest(codec.tag_frame(EPC_A)) == []
    clock.now += 0.2
    (event,) = agent.ingest(codec.tag_frame(EPC_A))
    assert datetime.fromisoformat(event["at"]).utcoffset().total_seconds() == 0
    assert len(queue) == 3


def test_barcode_scans_are_never_merged(queue):
    agent = make_agent(queue, ScriptedSender(), protocol="scanner")
    events = agent.ingest(encode_scan("]E05901234123457") * 3)
    assert [e["code"] for e in events] == ["5901234123457"] * 3
    assert len({e["id"] for e in events}) == 3


def test_a_full_queue_counts_what_it_refuses(queue, caplog):
    agent = make_agent(queue, ScriptedSender(), protocol="scanner")
    agent.max_queued = 3
    codes = [f"590123412345{digit}" for digit in range(5)]
    kept = agent.ingest(b"".join(encode_scan(code) for code in codes))
    assert [event["code"] for event in kept] == codes[:3] and len(queue) == 3
    assert queue.dropped() == {"barcode": 2}
    assert "the queue is full" in caplog.text
    # delivered: room again, nothing more dropped
    queue.ack([event["id"] for event in kept[:2]])
    assert len(agent.ingest(encode_scan(codes[3]))) == 1 and queue.dropped() == {"barcode": 2}


def test_deduper_prunes_and_ignores_barcodes():
    deduper = Deduper(2.0)
    assert deduper.admit("epc", "A", 0.0) and not deduper.admit("epc", "A", 1.0)
    assert deduper.admit("barcode", "X", 0.0) and deduper.admit("barcode", "X", 0.1)
    assert deduper.admit("epc", "B", 10.0) and list(deduper._last) == ["B"]


def test_backoff_grows_with_jitter_and_is_capped():
    backoff = Backoff(base=0.5, cap=8.0, rng=random.Random(7))
    delays = [backoff.delay() for _ in range(10)]
    for attempt, delay in enumerate(delays):
        ceiling = min(8.0, 0.5 * 2**attempt)
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.delay() <= 0.5


def test_batches_go_in_order_and_leave_the_queue(queue):
    sender = ScriptedSender()
    agent = make_agent(queue, sender, protocol="scanner", batch_size=4)
    events = agent.ingest(b"".join(encode_scan(f"CODE-{n}") for n in range(10)))
    assert [agent.send_once() for _ in range(4)] == [0, 0, 0, None]
    assert sum(sender.batches, []) == [e["id"] for e in events]
    assert [len(b) for b in sender.batches] == [4, 4, 2]
    assert len(queue) == 0 and agent.sent == 10


def test_5xx_and_unreachable_are_retried_with_the_same_ids(queue):
    sender = ScriptedSender(503, None, 502)
    agent = make_agent(queue, sender, protocol="scanner")
    agent.ingest(encode_scan("A") + encode_scan("B"))
    delays = [agent.send_once() for _ in range(3)]
    assert all(d > 0 for d in delays) and delays[0] <= 0.5 < delays[2]
    assert len(queue) == 2
    assert agent.send_once() == 0
    assert sender.batches[0] == sender.batches[1] == sender.batches[3]
    assert len(queue) == 0 and agent.backoff.attempt == 0


def test_401_stops_and_keeps_the_queue(queue):
    agent = make_agent(queue, ScriptedSender(401), protocol="scanner")
    agent.ingest(encode_scan("A"))
    with pytest.raises(TokenRefused, match="401"):
        agent.send_once()
    assert len(queue) == 1


def test_413_splits_the_batch_and_sets_aside_a_single_oversized_event(queue):
    sender = ScriptedSender(max_events=3)
    agent = make_agent(queue, sender, protocol="scanner", batch_size=10)
    events = agent.ingest(b"".join(encode_scan(f"C{n}") for n in range(10)))
    while agent.send_once() is not None:
        pass
    delivered = [i for batch in sender.batches if len(batch) <= 3 for i in batch]
    assert sorted(delivered) == sorted(e["id"] for e in events)
    assert agent.batch_size <= 3 and len(queue) == 0
    # one event alone still too large: set aside, the queue moves on
    agent.ingest(encode_scan("HUGE") + encode_scan("NEXT"))
    agent.sender = ScriptedSender(413, 413)
    agent.batch_size = 2
    assert agent.send_once() == 0
    assert len(queue) == 0 and len(queue.rejected()) == 1


# --- the real HTTP client against a local stub ------------------------------------------------------


@pytest.fixture
def stub():
    server = EventsStub().start()
    yield server
    server.stop()


def test_http_sender_contract(stub, queue):
    agent = make_agent(queue, HttpSender(stub.url, "secret"), protocol="impinj")
    agent.ingest(CODECS["impinj"].tag_frame(EPC_A) + CODECS["impinj"].tag_frame(EPC_B))
    assert agent.send_once() == 0
    path, headers, body = stub.requests[0]
    assert path == "/ecom/device/events"
    assert headers["Authorization"] == "Bearer secret"
    assert headers["Content-Type"] == "application/json"
    assert [set(e) for e in body["events"]] == [{"id", "kind", "code", "at"}] * 2
    assert [(e["kind"], e["code"]) for e in body["events"]] == [
        ("epc", EPC_A.hex().upper()),
        ("epc", EPC_B.hex().upper()),
    ]


def test_http_retry_after_503_sends_the_same_ids_once(stub, queue):
    stub.script = [503]
    agent = make_agent(queue, HttpSender(stub.url, "secret"), protocol="scanner")
    agent.ingest(encode_scan("X1") + encode_scan("X2"))
    assert agent.send_once() > 0
    assert agent.send_once() == 0
    first, second = (request[2]["events"] for request in stub.requests)
    assert first == second
    assert stub.accepted_codes() == ["X1", "X2"]


def test_http_unreachable_is_retried(queue):
    server = EventsStub()
    url = server.url
    server.server_close()  # nothing listens there any more
    agent = make_agent(queue, HttpSender(url, "secret", timeout=1), protocol="scanner")
    agent.ingest(encode_scan("X"))
    assert agent.send_once() > 0 and len(queue) == 1


def test_http_413_split(queue):
    server = EventsStub(max_events=2).start()
    try:
        agent = make_agent(queue, HttpSender(server.url, "secret"), protocol="scanner", batch_size=7)
        agent.ingest(b"".join(encode_scan(f"S{n}") for n in range(7)))
        while agent.send_once() is not None:
            pass
        assert sorted(server.accepted_codes()) == sorted(f"S{n}" for n in range(7))
    finally:
        server.stop()


# --- the whole agent: simulator -> socket:// -> agent -> HTTP stub -------------------------------------


def agent_args(tmp_path, url, port_url, token="secret", protocol="m100"):
    return build_parser().parse_args(
        [
            "--url",
            url,
            "--token",
            token,
            "--port",
            port_url,
            "--protocol",
            protocol,
            "--queue",
            str(tmp_path / "agent.sqlite"),
            "--window",
            "3600",
            "--backoff",
            "0.05",
            "--backoff-cap",
            "0.2",
            "--timeout",
            "2",
        ]
    )


def start_agent(args):
    stop = threading.Event()
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("status", run(args, stop=stop)), daemon=True)
    thread.start()
    return stop, thread, result


def test_agent_end_to_end_and_queue_kept_across_restart(tmp_path):
    reader = SimulatorServer(Simulator("m100", corrupt_every=4, garbage_every=7), rate=200).start()
    expected = {epc.hex().upper() for epc in reader.simulator.epcs}
    down = EventsStub()
    odoo_port = down.server_address[1]
    down.server_close()  # Odoo is down at first
    odoo_url = f"http://127.0.0.1:{odoo_port}"
    try:
        stop, thread, _result = start_agent(agent_args(tmp_path, odoo_url, reader.url))
        probe = EventQueue(str(tmp_path / "agent.sqlite"))
        assert wait_for(lambda: len(probe) == len(expected))
        stop.set()
        thread.join(5)
        queued = probe.batch(100)
        probe.close()
        assert {e["code"] for e in queued} == expected
        # the agent restarts (on a silent port), Odoo is back: the queued events go, with their ids
        odoo = EventsStub(port=odoo_port).start()
        try:
            stop, thread, _result = start_agent(agent_args(tmp_path, odoo_url, "loop://"))
            assert wait_for(lambda: len(odoo.seen) >= len(expected))
            stop.set()
            thread.join(5)
        finally:
            odoo.stop()
        assert {e["id"] for e in queued} == set(odoo.seen)
        assert sorted(odoo.accepted_codes()) == sorted(expected)
    finally:
        reader.stop()


def test_agent_stops_on_a_refused_token(tmp_path, stub, caplog):
    reader = SimulatorServer(Simulator("impinj"), rate=100).start()
    try:
        with caplog.at_level(logging.INFO, logger="ecomfin.devices.agent"):
            stop, thread, result = start_agent(agent_args(tmp_path, stub.url, reader.url, "wrong", "impinj"))
            thread.join(10)
        assert result["status"] == EXIT_TOKEN_REFUSED
        assert "token was refused" in caplog.text and "Rotate the device's token" in caplog.text
        assert stub.seen == {}
    finally:
        stop.set()
        reader.stop()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--url", "odoo:8069", "--token", "t", "--port", "loop://", "--protocol", "impinj"],
            "must start with http",
        ),
        (
            ["--url", "http://x", "--port", "loop://", "--protocol", "impinj"],
            "--token (or ECOM_DEVICE_TOKEN)",
        ),
        (["--url", "http://x", "--token", "t", "--port", "loop://", "--protocol", "rfid"], "invalid choice"),
        (
            [
                "--url",
                "http://x",
                "--token",
                "t",
                "--port",
                "loop://",
                "--protocol",
                "m100",
                "--max-queued",
                "0",
            ],
            "--max-queued >= 1",
        ),
        (
            [
                "--url",
                "http://x",
                "--token",
                "t",
                "--port",
                "loop://",
                "--protocol",
                "impinj",
                "--suffix",
                "CR",
            ],
            "apply to --protocol scanner",
        ),
    ],
)
def test_agent_cli_bad_arguments_exit_2(args, message, capsys, monkeypatch):
    monkeypatch.delenv("ECOM_DEVICE_TOKEN", raising=False)
    from ecomfin.devices.agent import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_agent_process_killed_loses_nothing(tmp_path):
    """``python -m ecomfin.devices.agent`` killed with SIGKILL while Odoo is down: the reads it had
    queued go when it runs again, with their ids; SIGTERM stops it cleanly."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    reader = SimulatorServer(Simulator("impinj"), rate=200).start()
    expected = {epc.hex().upper() for epc in reader.simulator.epcs}
    down = EventsStub()
    odoo_port = down.server_address[1]
    down.server_close()
    queue_path = tmp_path / "agent.sqlite"

    def agent(port_url):
        args = ["--url", f"http://127.0.0.1:{odoo_port}", "--token", "secret", "--port", port_url]
        args += [
            "--protocol",
            "impinj",
            "--queue",
            str(queue_path),
            "--backoff",
            "0.05",
            "--backoff-cap",
            "0.2",
        ]
        return subprocess.Popen(
            [sys.executable, "-m", "ecomfin.devices.agent", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    process = agent(reader.url)
    try:
        assert wait_for(queue_path.exists)
        probe = EventQueue(str(queue_path))
        assert wait_for(lambda: len(probe) == len(expected))
        process.send_signal(signal.SIGKILL)
        process.wait(5)
        queued = probe.batch(100)
        probe.close()
        odoo = EventsStub(port=odoo_port).start()
        try:
            process = agent("loop://")
            assert wait_for(lambda: len(odoo.seen) == len(expected))
            process.send_signal(signal.SIGTERM)
            assert process.wait(5) == 0
            assert f"agent stopped: {len(expected)} events sent" in process.stderr.read().decode()
        finally:
            odoo.stop()
        assert {e["id"] for e in queued} == set(odoo.seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        reader.stop()


def test_agent_stops_on_a_port_url_pyserial_does_not_know(tmp_path, stub, caplog):
    with caplog.at_level(logging.ERROR, logger="ecomfin.devices.agent"):
        _stop, thread, result = start_agent(agent_args(tmp_path, stub.url, "foo://bar"))
        thread.join(10)
    assert result["status"] == 2
    assert "cannot use port foo://bar: invalid URL, protocol 'foo' not known" in caplog.text
