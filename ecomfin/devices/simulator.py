# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A simulated reader on TCP, for the agent (``--port socket://127.0.0.1:PORT``) and the tests.

``python -m ecomfin.devices.simulator --protocol impinj|m100|chafon|scanner --listen 127.0.0.1:PORT
[--rate N] [--epc HEX ...] [--barcode TEXT ...] [--corrupt N] [--garbage N] [--count N]``

Each client gets the reads cycling over the EPCs (RFID protocols) or barcodes (scanner) at ``--rate``
frames per second (0: as fast as the socket takes them), in the protocol's real framing, like a reader
in continuous (auto) mode; what the client writes (inventory commands) is ignored. ``--corrupt N``
breaks the checksum (or, for a scanner, puts a control byte in the scan) of every N-th frame;
``--garbage N`` writes random bytes before every N-th frame; ``--count N`` stops after N frames and
keeps the connection open. The first frame goes 0.2 s after the client connects (pyserial drops
what comes while it opens the port).
"""

import argparse
import itertools
import random
import socketserver
import sys
import threading
import time

from .decode import parse_prefix
from .epc import encode_sgtin96
from .gs1 import encode as gs1_encode
from .rfid import CODECS
from .scanner import TERMINATORS, encode_scan

DEFAULT_EPCS = (
    "3074257BF7194E4000001A85",  # the SGTIN-96 example of the GS1 Tag Data Standard
    encode_sgtin96("09501101020917", 1, 7),
    encode_sgtin96("09501101020917", 2, 7),
    encode_sgtin96("05901234123457", 42, 7),
    "E2801160600002040BE6F4A1",  # a chip's factory EPC, not an SGTIN
)
DEFAULT_BARCODES = (
    "]E05901234123457",
    "]C1" + gs1_encode([("01", "09501101020917"), ("17", "271231"), ("10", "LOT-7"), ("37", "12")]),
    "]d2" + gs1_encode([("01", "09501101020917"), ("21", "SN0001")]),
    "]C0PALLET-0042",
)


class Simulator:
    """The frames of one simulated reader: ``frames()`` iterates over bytes, endless or ``count`` long."""

    def __init__(
        self,
        protocol,
        epcs=(),
        barcodes=(),
        corrupt_every=0,
        garbage_every=0,
        count=0,
        seed=0,
        suffix="CR",
        prefix="",
    ):
        if protocol != "scanner" and protocol not in CODECS:
            raise ValueError(f"unknown protocol {protocol!r}")
        self.protocol = protocol
        self.epcs = [bytes.fromhex(epc) for epc in (epcs or DEFAULT_EPCS)]
        self.barcodes = list(barcodes or DEFAULT_BARCODES)
        self.corrupt_every = corrupt_every
        self.garbage_every = garbage_every
        self.count = count
        self.seed = seed
        self.suffix = suffix
        self.prefix = prefix

    def clean_frames(self):
        if self.protocol == "scanner":
            return (encode_scan(text, self.suffix, self.prefix) for text in itertools.cycle(self.barcodes))
        codec = CODECS[self.protocol]
        return (
            codec.tag_frame(epc, antenna=index % 4) for index, epc in enumerate(itertools.cycle(self.epcs))
        )

    def frames(self):
        rng = random.Random(self.seed)
        numbered = enumerate(self.clean_frames(), start=1)
        for number, frame in itertools.islice(numbered, self.count or None):
            if self.garbage_every and number % self.garbage_every == 0:
                yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
            if self.corrupt_every and number % self.corrupt_every == 0:
                frame = self.corrupt(frame, rng)
            yield frame

    def corrupt(self, frame, rng):
        broken = bytearray(frame)
        if self.protocol == "scanner":
            broken.insert(len(self.prefix) + rng.randrange(1, 4), 0x07)
        else:
            broken[rng.randrange(5, len(broken) - 3)] ^= 1 << rng.randrange(8)
        return bytes(broken)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        frames = server.simulator.frames()
        rate = server.rate
        # pyserial empties its input when it opens a port (socket:// included): what a reader sent
        # before that is lost, as with a real one, so the first frames wait a little
        if server.stopping.wait(server.delay):
            return
        started = time.monotonic()
        sent = 0
        while not server.stopping.is_set():
            due = int((time.monotonic() - started) * rate) + 1 if rate > 0 else sent + 64
            chunk = b"".join(itertools.islice(frames, due - sent))
            sent = due
            if not chunk:  # nothing due yet, or --count reached
                server.stopping.wait(0.01 if rate > 0 else 0.05)
                continue
            try:
                self.request.sendall(chunk)
            except OSError:
                return  # the client went away
            if rate > 0:
                server.stopping.wait(0.01)


class SimulatorServer(socketserver.ThreadingTCPServer):
    """A TCP server of a :class:`Simulator`; ``port`` 0 takes a free one (see ``server_address``)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, simulator, host="127.0.0.1", port=0, rate=20.0, delay=0.2):
        self.simulator = simulator
        self.rate = rate
        self.delay = delay
        self.stopping = threading.Event()
        super().__init__((host, port), _Handler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"socket://{host}:{port}"

    def start(self):
        """Serve in a daemon thread; answers self."""
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="reader-simulator", daemon=True
        ).start()
        return self

    def stop(self):
        """Stop serving and drop the clients (a reader unplugged)."""
        self.stopping.set()
        self.shutdown()
        self.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ecomfin.devices.simulator", description="A simulated reader on TCP."
    )
    parser.add_argument("--protocol", required=True, choices=("scanner", *CODECS))
    parser.add_argument("--listen", required=True, help="HOST:PORT")
    parser.add_argument("--rate", type=float, default=20.0, help="frames per second (0: as fast as possible)")
    parser.add_argument(
        "--epc", action="append", default=[], help="EPC in hex (repeat); default: a few SGTIN-96"
    )
    parser.add_argument(
        "--barcode", action="append", default=[], help="scan text (repeat); default: EAN-13, GS1-128..."
    )
    parser.add_argument("--corrupt", type=int, default=0, metavar="N", help="corrupt every N-th frame")
    parser.add_argument(
        "--garbage", type=int, default=0, metavar="N", help="random bytes before every N-th frame"
    )
    parser.add_argument("--count", type=int, default=0, help="frames per connection (0: endless)")
    parser.add_argument("--suffix", choices=sorted(TERMINATORS), default="CR", help="scanner terminator")
    parser.add_argument(
        "--prefix", type=parse_prefix, default=b"", help="scanner prefix, Python escapes allowed"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--listen takes HOST:PORT, not {args.listen!r}")
    try:
        for epc in args.epc:
            if len(bytes.fromhex(epc)) % 2 or not epc:
                raise ValueError(f"{epc}: an EPC is an even number of bytes")
    except ValueError as error:
        parser.error(f"--epc: {error}")
    if args.prefix and args.protocol != "scanner":
        parser.error(f"--prefix applies to --protocol scanner, not {args.protocol}")
    if args.rate < 0 or args.corrupt < 0 or args.garbage < 0 or args.count < 0:
        parser.error("--rate, --corrupt, --garbage and --count must be >= 0")
    simulator = Simulator(
        args.protocol,
        args.epc,
        args.barcode,
        args.corrupt,
        args.garbage,
        args.count,
        args.seed,
        args.suffix,
        args.prefix,
    )
    server = SimulatorServer(simulator, host, int(port), args.rate)
    print(f"{args.protocol} reader simulated on {server.url} at {args.rate:g} frames/s", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
