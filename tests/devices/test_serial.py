# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Real pyserial: pseudo-terminal pairs (``pty.openpty``) and ``socket://`` against the simulator.
Partial frames, corrupt bytes, unplug and replug, a flood as fast as the socket takes it."""

import os
import pty
import threading
import time
import tty

import pytest
import serial
from stubs import wait_for

from ecomfin.devices import make_decoder
from ecomfin.devices.agent import Backoff, PortReader
from ecomfin.devices.rfid import CODECS
from ecomfin.devices.scanner import encode_scan
from ecomfin.devices.simulator import Simulator, SimulatorServer

EPCS = [
    bytes.fromhex(h)
    for h in ("3074257BF7194E4000001A85", "E2801160600002040BE6F4A1", "300833B2DDD9014000000001")
]


class Pty:
    """A pseudo-terminal pair in raw mode; the test writes on the master as the device would."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.name = os.ttyname(self.slave)

    def write(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def close(self):
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class Collector:
    """Decodes what a PortReader passes on, from any thread."""

    def __init__(self, protocol, **options):
        self.decoder = make_decoder(protocol, **options)
        self.reads = []
        self.lock = threading.Lock()

    def __call__(self, data):
        with self.lock:
            self.reads += self.decoder.feed(data)

    def codes(self):
        with self.lock:
            return [read.code for read in self.reads]


def read_until(port, decoder, count, timeout=10.0):
    reads = []
    deadline = time.monotonic() + timeout
    while len(reads) < count and time.monotonic() < deadline:
        reads += decoder.feed(port.read(4096))
    return reads


@pytest.fixture
def pair():
    device = Pty()
    yield device
    device.close()


@pytest.mark.parametrize("protocol", sorted(CODECS))
def test_pty_partial_frames_and_corrupt_bytes(pair, protocol):
    codec = CODECS[protocol]
    port = serial.serial_for_url(pair.name, baudrate=115200, timeout=0.05)
    try:
        decoder = make_decoder(protocol)
        good = [codec.tag_frame(epc) for epc in EPCS]
        corrupt = bytearray(good[0])
        corrupt[7] ^= 0x10
        # a frame in three writes, garbage, a corrupt frame, then the others byte by byte
        frame = good[0]
        for piece in (frame[:2], frame[2:9], frame[9:]):
            pair.write(piece)
            time.sleep(0.02)
        pair.write(b"\x00\xff\x13garbage" + bytes(corrupt))
        for byte in good[1] + good[2]:
            pair.write(bytes([byte]))
        reads = read_until(port, decoder, 3)
        assert [r.code for r in reads] == [epc.hex().upper() for epc in EPCS]
        assert decoder.bad_frames == 1  # garbage and the corrupt frame touching it: one stretch
    finally:
        port.close()


def test_pty_scanner_lines(pair):
    port = serial.serial_for_url(pair.name, baudrate=9600, timeout=0.05)
    try:
        decoder = make_decoder("scanner", suffix="CRLF")
        pair.write(encode_scan("]C10109501101020917\x1d10LOT1", "CRLF")[:9])
        time.sleep(0.02)
        pair.write(encode_scan("]C10109501101020917\x1d10LOT1", "CRLF")[9:] + b"\x07bell\r\n")
        pair.write(encode_scan("]E05901234123457", "CRLF"))
        reads = read_until(port, decoder, 2)
        assert [(r.gtin, r.lot) for r in reads] == [("09501101020917", "LOT1"), ("05901234123457", None)]
        assert decoder.bad_frames == 1
    finally:
        port.close()


def test_pty_unplug_and_replug(tmp_path):
    """The reader is unplugged (the pty goes away) and plugged back (a new pty behind the same
    /dev/serial/by-id-style symlink): the PortReader reopens it and reads on."""
    link = tmp_path / "ttyREADER"
    first = Pty()
    link.symlink_to(first.name)
    collector = Collector("impinj")
    stop = threading.Event()
    reader = PortReader(str(link), collector, stop, baudrate=115200, backoff=Backoff(base=0.02, cap=0.1))
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    second = None
    try:
        assert wait_for(lambda: reader.opened == 1)
        first.write(CODECS["impinj"].tag_frame(EPCS[0]))
        assert wait_for(lambda: len(collector.codes()) == 1)
        first.close()  # unplugged
        time.sleep(0.2)
        second = Pty()
        tmp = tmp_path / "ttyREADER.new"
        tmp.symlink_to(second.name)
        os.replace(tmp, link)  # plugged back, maybe as another /dev/pts/N
        assert wait_for(lambda: reader.opened == 2)
        second.write(CODECS["impinj"].tag_frame(EPCS[1]))
        assert wait_for(lambda: len(collector.codes()) == 2)
        assert collector.codes() == [EPCS[0].hex().upper(), EPCS[1].hex().upper()]
    finally:
        stop.set()
        thread.join(5)
        first.close()
        if second:
            second.close()


@pytest.mark.parametrize("protocol", sorted(CODECS))
def test_socket_corrupt_frames_counted_exactly(protocol):
    server = SimulatorServer(Simulator(protocol, corrupt_every=5, count=100, seed=3), rate=0).start()
    port = serial.serial_for_url(server.url, timeout=0.05)
    try:
        decoder = make_decoder(protocol)
        reads = read_until(port, decoder, 80)
        reads += read_until(port, decoder, 1, timeout=0.2)  # nothing more comes
        assert len(reads) == 80
        assert decoder.bad_frames == 20
    finally:
        port.close()
        server.stop()


@pytest.mark.parametrize("protocol", [*sorted(CODECS), "scanner"])
def test_socket_flood(protocol):
    """A reader flooding as fast as the socket takes it: every frame decoded, none lost."""
    count = 10000 if protocol != "scanner" else 5000
    server = SimulatorServer(Simulator(protocol, count=count), rate=0).start()
    port = serial.serial_for_url(server.url, timeout=0.05)
    try:
        decoder = make_decoder(protocol)
        reads = read_until(port, decoder, count, timeout=20)
        assert len(reads) == count
        assert decoder.bad_frames == 0
    finally:
        port.close()
        server.stop()


def test_socket_unplug_and_replug_through_the_port_reader():
    server = SimulatorServer(Simulator("chafon", epcs=[EPCS[0].hex()], count=1), rate=0).start()
    host, port_number = server.server_address[:2]
    collector = Collector("chafon")
    stop = threading.Event()
    reader = PortReader(server.url, collector, stop, backoff=Backoff(base=0.02, cap=0.1))
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(collector.codes()) == 1)
        server.stop()  # the reader goes away: reads fail, reopening is refused for a while
        time.sleep(0.3)
        server = SimulatorServer(
            Simulator("chafon", epcs=[EPCS[1].hex()], count=1), host, port_number, rate=0
        ).start()
        assert wait_for(lambda: len(collector.codes()) == 2)
        assert collector.codes() == [EPCS[0].hex().upper(), EPCS[1].hex().upper()]
        assert reader.opened == 2
    finally:
        stop.set()
        thread.join(5)
        server.stop()
