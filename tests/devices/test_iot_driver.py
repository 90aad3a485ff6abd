# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The IoT-box driver (``addons/ecom_devices/iot_handlers/drivers``) loaded as an Odoo IoT box loads
it, in Odoo's own ``hw_drivers`` (skipped where Odoo or the box's libraries are missing): the box's
``[ecom.devices]`` settings, the probe of a declared reader, and reads from a simulated reader over
``socket://`` delivered to a stub of ``/ecom/device/events`` and shown on the box."""

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from ecomfin.devices.agent import box_devices, probe
from ecomfin.devices.simulator import Simulator, SimulatorServer

DRIVER = Path(__file__).resolve().parents[2] / "addons/ecom_devices/iot_handlers/drivers/EcomSerialDriver.py"


def test_box_settings():
    devices = box_devices(
        {
            "url": "https://odoo.example.com",
            "queue_dir": "/tmp/q",
            "port.1": "/dev/ttyUSB0 impinj tok1 window=2 poll=0.5",
            "port.2": "socket://10.0.0.9:4001 scanner tok2 suffix=CRLF prefix=\\x02",
        }
    )
    assert devices["/dev/ttyUSB0"] == {
        "protocol": "impinj",
        "token": "tok1",
        "url": "https://odoo.example.com",
        "options": {"window": 2.0, "poll": 0.5},
        "decoder": {},
    }
    assert devices["socket://10.0.0.9:4001"]["decoder"] == {"suffix": "CRLF", "prefix": b"\x02"}
    for section, message in (
        ({"url": "https://x", "port.1": "/dev/ttyUSB0 impinj"}, "port.1: expected"),
        ({"url": "https://x", "port.3": "/dev/ttyUSB0 nfc t"}, "unknown protocol 'nfc'"),
        ({"port.1": "/dev/ttyUSB0 m100 t"}, "url: the Odoo URL"),
        ({"url": "https://x", "port.2": "/dev/ttyUSB0 m100 t suffix=CR"}, "bad option 'suffix=CR'"),
        ({"url": "https://x", "port.2": "/dev/ttyUSB0 m100 t window=soon"}, "bad option 'window=soon'"),
    ):
        with pytest.raises(ValueError, match=message):
            box_devices(section)


def test_probe_finds_a_reader_and_not_a_silent_port():
    reader = SimulatorServer(Simulator("m100"), rate=50).start()
    master, slave = pty.openpty()
    try:
        assert probe(reader.url, "m100") is True
        assert probe(os.ttyname(slave), "impinj", timeout=0.3) is False  # nothing answers
        assert probe("socket://127.0.0.1:9", "m100", timeout=0.3) is False  # nothing listens
        assert probe(reader.url, "scanner") is None  # a scanner cannot be asked
    finally:
        os.close(master)
        os.close(slave)
        reader.stop()


SKIP = 77


def test_driver_on_an_iot_box(tmp_path):
    """Run in a process of its own: importing ``hw_drivers`` starts the box itself (its manager
    thread, and an nginx restart through ``sudo``, kept off ``PATH`` here)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    env = {**os.environ, "PATH": str(bindir), "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("iot_box_check.py")), str(DRIVER), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode == SKIP:
        pytest.skip(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("driver ok")
