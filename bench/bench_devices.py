# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Device decoder throughput, against a naive decoder measured in the same process.

    python3 bench/bench_devices.py [--frames 50000] [--chunk 4096] [--repeat 3]

For each protocol it builds a stream of N frames in the real wire format (tag reads of 12-byte
EPCs for the RFID readers, a mix of EAN-13 and GS1-128 scans for the line scanner), one frame in
50 corrupted, and measures, fed in chunks of ``--chunk`` bytes as a serial port gives them:

- naive: the framing as one writes it first (byte by byte, a ``bytes`` buffer grown by
  concatenation, the checksum checked at the end of each frame; the scanner's: ``bytes.split`` on
  the terminator), then the same per-frame work as ecomfin (EPC / GS1 decoding into ``Read``);
- ecomfin: ``make_decoder(protocol)``: framing, checksum, resync, EPC / GS1 decoding into ``Read``;
- framing: ecomfin's framing alone (frames out, no EPC / GS1 decoding).

It prints frames/s of each, best of ``--repeat`` runs, and the ratio naive time / ecomfin time.
No figure is asserted.
"""

import argparse
import platform
import random
import time

from ecomfin.devices import make_decoder
from ecomfin.devices.epc import encode_sgtin96
from ecomfin.devices.gs1 import check_digit
from ecomfin.devices.gs1 import encode as gs1_encode
from ecomfin.devices.rfid import CODECS, FrameDecoder, crc16_chafon
from ecomfin.devices.scanner import ScannerDecoder, encode_scan, read_from_text


def stream_of(protocol, frames, seed=1):
    rng = random.Random(seed)
    parts = []
    for n in range(frames):
        if protocol == "scanner":
            body = f"{rng.randrange(10**12):012d}"
            text = (
                "]E0" + body + check_digit(body)
                if n % 2
                else "]C1" + gs1_encode([("01", "0" + body + check_digit("0" + body)), ("10", f"L{n % 97}")])
            )
            frame = encode_scan(text, "CR")
        else:
            gtin = f"{rng.randrange(10**13):013d}"
            epc = bytes.fromhex(encode_sgtin96(gtin + check_digit(gtin), n, 7))
            frame = CODECS[protocol].tag_frame(epc)
        if n % 50 == 49:
            broken = bytearray(frame)
            broken[len(broken) // 2] = 0x07 if protocol == "scanner" else broken[len(broken) // 2] ^ 0x04
            frame = bytes(broken)
        parts.append(frame)
    return b"".join(parts)


def naive_impinj(chunks):
    frames, buf, state, need = [], b"", 0, 0
    for chunk in chunks:
        for byte in chunk:
            if state == 0:
                if byte == 0xA0:
                    buf, state = bytes([byte]), 1
                continue
            buf += bytes([byte])
            if state == 1:
                need, state = byte + 2, 2
            elif len(buf) == need:
                if sum(buf) & 0xFF == 0:
                    frames.append(buf)
                state = 0
    return frames


def naive_m100(chunks):
    frames, buf, state, need = [], b"", 0, 0
    for chunk in chunks:
        for byte in chunk:
            if state == 0:
                if byte == 0xBB:
                    buf, state = bytes([byte]), 1
                continue
            buf += bytes([byte])
            if state == 1 and len(buf) == 5:
                need, state = ((buf[3] << 8) | buf[4]) + 7, 2
            elif state == 2 and len(buf) == need:
                if buf[-1] == 0x7E and sum(buf[1:-2]) & 0xFF == buf[-2]:
                    frames.append(buf)
                state = 0
    return frames


def naive_chafon(chunks):
    """Takes the first byte after a frame as the next length: no resync after a bad frame (the
    stream is lost from there; fine for a baseline of speed, not of robustness)."""
    frames, buf, need = [], b"", 0
    for chunk in chunks:
        for byte in chunk:
            if not buf:
                buf, need = bytes([byte]), byte + 1
                continue
            buf += bytes([byte])
            if len(buf) == need:
                if crc16_chafon(buf[:-2]) == int.from_bytes(buf[-2:], "little"):
                    frames.append(buf)
                buf = b""
    return frames


def naive_scanner(chunks):
    frames, rest = [], b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\r")
        rest = lines.pop()
        frames += [line.decode("latin-1") for line in lines if line.isascii() and line.decode().isprintable()]
    return frames


NAIVE = {"impinj": naive_impinj, "m100": naive_m100, "chafon": naive_chafon, "scanner": naive_scanner}


def naive(protocol, chunks):
    """The naive framing, then the same per-frame work as ours (parse, EPC or GS1 decoding)."""
    frames = NAIVE[protocol](chunks)
    if protocol == "scanner":
        return len([read_from_text(text) for text in frames])
    codec = CODECS[protocol]
    return sum(len(codec.reads(codec.parse(frame))) for frame in frames)


def framing_only(protocol, chunks):
    decoder = ScannerDecoder() if protocol == "scanner" else FrameDecoder(CODECS[protocol])
    if protocol == "scanner":
        decoder._frame = lambda raw, reads: reads.append(raw)  # noqa: SLF001 (framing without GS1)
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    return count


def ours(protocol, chunks):
    decoder = make_decoder(protocol)
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    return count + len(decoder.finish())


def best(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50000)
    parser.add_argument("--chunk", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {args.frames} frames, chunks of {args.chunk} bytes")
    columns = (
        ("MB", 5),
        ("naive fr/s", 11),
        ("ecomfin fr/s", 13),
        ("ratio", 6),
        ("framing fr/s", 13),
        ("reads", 6),
    )
    print(f"{'protocol':<9} " + " ".join(f"{name:>{width}}" for name, width in columns))
    for protocol in ("impinj", "m100", "chafon", "scanner"):
        stream = stream_of(protocol, args.frames)
        chunks = [stream[i : i + args.chunk] for i in range(0, len(stream), args.chunk)]
        naive_s, _naive_reads = best(lambda p=protocol, c=chunks: naive(p, c), args.repeat)
        ours_s, reads = best(lambda p=protocol, c=chunks: ours(p, c), args.repeat)
        framing_s, _frames = best(lambda p=protocol, c=chunks: framing_only(p, c), args.repeat)
        rate = args.frames
        print(
            f"{protocol:<9} {len(stream) / 1e6:5.2f} {rate / naive_s:11,.0f} {rate / ours_s:13,.0f}"
            f" {naive_s / ours_s:5.1f}x {rate / framing_s:13,.0f} {reads:6}"
        )


if __name__ == "__main__":
    main()
