# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""UHF RFID reader wire protocols as stream decoders (and encoders, for the simulator and the tests).

Three families of serial readers, each with its framing and checksum:

``impinj``: Impinj R2000-based modules (the "CMD A0" protocol): ``A0 Len Addr Cmd Data.. CS``; ``Len``
counts the bytes after it (Addr to CS); ``CS`` is the two's complement of the sum of every byte
before it (published example ``A0 04 01 89 01 D1``: real-time inventory, repeat 1, to the reader at
address 01). A tag in a real-time inventory response (Cmd 0x89, or 0x8A fast antenna switch) is
``FreqAnt(1) PC(2) EPC(2*words) RSSI(1)``, the EPC length taken from the PC word (bits 15..11).

``m100``: Magicrf M100 / R200 / QM100 modules: ``BB Type Cmd PL(2, big endian) Params.. CS 7E``; ``CS``
is the low byte of the sum from Type to the last parameter (published example ``BB 00 22 00 00 22
7E``: single inventory). A tag is a notification (Type 0x02, Cmd 0x22) with ``RSSI(1, signed dBm)
PC(2) EPC CRC(2)``, CRC the tag's CRC-16 of PC+EPC (published example ``BB 02 22 00 11 C9 34 00 30 75
1F EB 70 5C 59 04 E3 D5 0D 70 3A 76 EF 7E``).

``chafon``: Chafon UHFReader18-style readers (CF-RU5102...): ``Len Adr reCmd Status Data.. CRC(2)``;
``Len`` counts the bytes after it; CRC-16 with polynomial 0x8408 (0x1021 reflected), preset 0xFFFF, no
final xor, over Len to the last data byte, sent least significant byte first (published example, the
host command "get reader information" ``04 FF 21 19 95``). An inventory answer (reCmd 0x01, status
0x01 done / 0x02 timeout / 0x03 more to come / 0x04 buffer full) carries ``Num`` then, per tag,
``EPCLen EPC``.

The stream decoder keeps a partial frame across reads, resyncs on the next header after garbage,
and drops frames whose length or checksum is wrong. ``bad_frames`` counts the stretches of bytes it
dropped between two good frames (a corrupt frame, a run of garbage): one per stretch, however many
candidate headers it tried inside.
"""

from dataclasses import dataclass

from .epc import decode as decode_epc
from .reads import Read

# codec.check(buffer, start) answers the frame's length, or one of these
NEED_MORE = 0
BAD = -1


def sum_checksum(data):
    """Impinj R2000: two's complement of the byte sum."""
    return (-sum(data)) & 0xFF


def _crc16_reflected_table(poly):
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CHAFON_TABLE = _crc16_reflected_table(0x8408)


def crc16_chafon(data, crc=0xFFFF):
    """CRC-16, polynomial 0x8408 reflected, preset 0xFFFF, no final xor (Chafon readers)."""
    table = _CHAFON_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def crc16_gen2(data):
    """EPC Gen2 tag CRC-16 (CCITT 0x1021, preset 0xFFFF, complemented) of PC + EPC."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc ^ 0xFFFF


def _epc_read(epc, rssi=None, antenna=None):
    decoded = decode_epc(epc)
    return Read(
        kind="epc", code=decoded.hex, gtin=decoded.gtin, serial=decoded.serial, rssi=rssi, antenna=antenna
    )


def _pc_for(epc):
    if len(epc) % 2 or not 0 < len(epc) <= 62:
        raise ValueError("an EPC is 2 to 62 bytes, an even number")
    return ((len(epc) // 2) << 11).to_bytes(2, "big")


@dataclass(frozen=True)
class ImpinjFrame:
    address: int
    command: int
    data: bytes = b""


@dataclass(frozen=True)
class M100Frame:
    type: int
    command: int
    params: bytes = b""


@dataclass(frozen=True)
class ChafonFrame:
    address: int
    command: int
    status: int
    data: bytes = b""


class ImpinjCodec:
    name = "impinj"
    HEAD = 0xA0
    INVENTORY = (0x89, 0x8A)

    @staticmethod
    def find_start(buf, pos):
        return buf.find(b"\xa0", pos)

    @staticmethod
    def check(buf, start):
        if len(buf) - start < 2:
            return NEED_MORE
        length = buf[start + 1]
        if length < 3:
            return BAD
        total = length + 2
        if len(buf) - start < total:
            return NEED_MORE
        if sum(buf[start : start + total]) & 0xFF:
            return BAD
        return total

    @staticmethod
    def parse(frame):
        return ImpinjFrame(frame[2], frame[3], bytes(frame[4:-1]))

    @staticmethod
    def encode(frame):
        if len(frame.data) > 0xFF - 3:
            raise ValueError("R2000 frame data too long")
        body = bytes([0xA0, len(frame.data) + 3, frame.address, frame.command]) + frame.data
        return body + bytes([sum_checksum(body)])

    def reads(self, frame):
        data = frame.data
        if frame.command not in self.INVENTORY or len(data) < 4:
            return []
        words = data[1] >> 3
        if len(data) != 4 + 2 * words or words == 0:
            return []  # the end-of-inventory summary or an error code, not a tag
        return [_epc_read(data[3:-1], rssi=data[-1], antenna=data[0] & 0x03)]

    def inventory_command(self, address=0xFF):
        """cmd_real_time_inventory, repeat 1 (``A0 04 01 89 01 D1`` at address 01)."""
        return self.encode(ImpinjFrame(address, 0x89, b"\x01"))

    def tag_frame(self, epc, rssi=0x50, antenna=0, address=1):
        return self.encode(
            ImpinjFrame(address, 0x89, bytes([antenna & 0x03]) + _pc_for(epc) + epc + bytes([rssi & 0xFF]))
        )


class M100Codec:
    name = "m100"
    MAX_PARAMS = 512

    @staticmethod
    def find_start(buf, pos):
        return buf.find(b"\xbb", pos)

    def check(self, buf, start):
        if len(buf) - start < 5:
            return NEED_MORE
        if buf[start + 1] > 0x02:
            return BAD
        length = (buf[start + 3] << 8) | buf[start + 4]
        if length > self.MAX_PARAMS:
            return BAD
        total = length + 7
        if len(buf) - start < total:
            return NEED_MORE
        if (
            buf[start + total - 1] != 0x7E
            or sum(buf[start + 1 : start + total - 2]) & 0xFF != buf[start + total - 2]
        ):
            return BAD
        return total

    @staticmethod
    def parse(frame):
        return M100Frame(frame[1], frame[2], bytes(frame[5:-2]))

    @staticmethod
    def encode(frame):
        body = bytes([frame.type, frame.command]) + len(frame.params).to_bytes(2, "big") + frame.params
        return b"\xbb" + body + bytes([sum(body) & 0xFF, 0x7E])

    @staticmethod
    def reads(frame):
        params = frame.params
        if frame.type != 0x02 or frame.command != 0x22 or len(params) < 5:
            return []
        words = params[1] >> 3
        if len(params) != 5 + 2 * words or words == 0:
            return []
        rssi = params[0] - 256 if params[0] > 127 else params[0]
        return [_epc_read(params[3:-2], rssi=rssi)]

    def inventory_command(self, address=0):
        """Single inventory, ``BB 00 22 00 00 22 7E``."""
        del address
        return self.encode(M100Frame(0x00, 0x22))

    def tag_frame(self, epc, rssi=-55, antenna=0, address=0):
        del antenna, address  # the M100 has one antenna and no bus address
        pc_epc = _pc_for(epc) + epc
        params = bytes([rssi & 0xFF]) + pc_epc + crc16_gen2(pc_epc).to_bytes(2, "big")
        return self.encode(M100Frame(0x02, 0x22, params))


class ChafonCodec:
    name = "chafon"
    INVENTORY = 0x01
    # reCmd of a reader's answers (UHFReader18: 0x01..0x3F, 0xEE for active-mode data). A frame has no
    # header byte: after garbage every byte is a candidate length, and the CRC alone lets one candidate
    # in 65,536 through, which would swallow the good frames it overlaps; the command and the layout
    # of an inventory answer are checked too.
    COMMANDS = frozenset(range(0x01, 0x40)) | {0xEE}

    @staticmethod
    def find_start(buf, pos):
        return pos if pos < len(buf) else -1

    def check(self, buf, start):
        length = buf[start]
        if length < 5:
            return BAD
        total = length + 1
        if len(buf) - start < total:
            return NEED_MORE
        if buf[start + 2] not in self.COMMANDS:
            return BAD
        crc = crc16_chafon(buf[start : start + total - 2])
        if buf[start + total - 2] != crc & 0xFF or buf[start + total - 1] != crc >> 8:
            return BAD
        if (
            buf[start + 2] == self.INVENTORY
            and _chafon_epcs(buf[start + 3], buf[start + 4 : start + total - 2]) is None
        ):
            return BAD
        return total

    @staticmethod
    def parse(frame):
        return ChafonFrame(frame[1], frame[2], frame[3], bytes(frame[4:-2]))

    @staticmethod
    def encode(frame):
        if len(frame.data) > 0xFF - 5:
            raise ValueError("Chafon frame data too long")
        body = bytes([len(frame.data) + 5, frame.address, frame.command, frame.status]) + frame.data
        return body + crc16_chafon(body).to_bytes(2, "little")

    def reads(self, frame):
        if frame.command != self.INVENTORY:
            return []
        return [_epc_read(epc) for epc in _chafon_epcs(frame.status, frame.data) or ()]

    def inventory_command(self, address=0xFF):
        """The host's inventory command ``Len Adr 01 CRC`` (a command has no status byte)."""
        body = bytes([4, address, self.INVENTORY])
        return body + crc16_chafon(body).to_bytes(2, "little")

    def tag_frame(self, epc, rssi=0, antenna=0, address=0):
        del rssi, antenna
        return self.encode(ChafonFrame(address, self.INVENTORY, 0x01, bytes([1, len(epc)]) + epc))


def _chafon_epcs(status, data):
    """The EPCs of a Chafon inventory answer's data (``Num`` then ``EPCLen EPC`` each); None when the
    layout does not add up. Statuses other than 1..4 (e.g. 0xFB, no tag) carry no EPC."""
    if status not in (1, 2, 3, 4):
        return []
    if not data:
        return None
    epcs, pos = [], 1
    for _ in range(data[0]):
        if pos >= len(data) or not data[pos] or pos + 1 + data[pos] > len(data):
            return None
        epcs.append(bytes(data[pos + 1 : pos + 1 + data[pos]]))
        pos += 1 + data[pos]
    return epcs if pos == len(data) else None


CODECS = {codec.name: codec for codec in (ImpinjCodec(), M100Codec(), ChafonCodec())}


class FrameDecoder:
    """Bytes in, frames out, across reads: ``feed(bytes) -> [frame]``, ``finish() -> [frame]``."""

    def __init__(self, codec):
        self.codec = codec
        self.bad_frames = 0
        self.frames = 0
        self._buffer = bytearray()
        self._dropping = False

    def _drop(self):
        if not self._dropping:
            self.bad_frames += 1
            self._dropping = True

    def feed(self, data):
        buffer = self._buffer
        buffer += data
        codec = self.codec
        frames = []
        pos = 0
        while True:
            start = codec.find_start(buffer, pos)
            if start < 0:
                if pos < len(buffer):
                    self._drop()
                pos = len(buffer)
                break
            if start > pos:
                self._drop()
            pos = start
            length = codec.check(buffer, start)
            if length == NEED_MORE and not self._frame_after(start):
                break
            if length == NEED_MORE:  # a complete frame starts inside this one: its header was garbage
                length = BAD
            if length == BAD:
                self._drop()
                pos = start + 1
                continue
            frames.append(codec.parse(buffer[start : start + length]))
            self.frames += 1
            self._dropping = False
            pos = start + length
        del buffer[:pos]
        return frames

    def _frame_after(self, start):
        """Whether a complete, valid frame starts after ``start`` in the buffer (a false header in
        garbage, whose length runs past it, must not hold that frame back)."""
        buffer, codec = self._buffer, self.codec
        pos = codec.find_start(buffer, start + 1)
        while pos >= 0:
            if codec.check(buffer, pos) > 0:
                return True
            pos = codec.find_start(buffer, pos + 1)
        return False

    def finish(self):
        """End of stream: what waits for more bytes is dropped, frames found after it are kept."""
        frames = []
        while self._buffer:
            self._drop()
            del self._buffer[:1]
            frames += self.feed(b"")
        return frames


class ReadDecoder:
    """Bytes in, :class:`Read` out, for one RFID protocol (see ``make_decoder``)."""

    def __init__(self, codec):
        self.codec = codec
        self._frames = FrameDecoder(codec)

    @property
    def bad_frames(self):
        return self._frames.bad_frames

    @property
    def frames(self):
        return self._frames.frames

    def _reads(self, frames):
        reads = []
        for frame in frames:
            reads += self.codec.reads(frame)
        return reads

    def feed(self, data):
        return self._reads(self._frames.feed(data))

    def finish(self):
        return self._reads(self._frames.finish())
