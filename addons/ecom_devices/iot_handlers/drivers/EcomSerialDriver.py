# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The ecom-finance serial devices on an Odoo IoT box (``hw_drivers``).

An IoT box loads the drivers in ``iot_handlers/drivers`` (Odoo's ``iot`` module sends it those of
the database's addons; on a box set up by hand, copy this file into
``odoo/addons/hw_drivers/iot_handlers/drivers/``). The box needs the ``ecomfin`` package
(``pip install ecomfin-<version>.whl``, built from this repository with ``pip wheel --no-deps .``).

The devices are declared in the box's ``odoo.conf`` (or the file named by ``ECOM_DEVICES_CONF``)::

    [ecom.devices]
    url = https://odoo.example.com
    port.1 = /dev/ttyUSB0 impinj <device token> window=5
    port.2 = /dev/ttyACM0 scanner <device token> suffix=CRLF

A declared RFID port is taken when its reader answers the protocol's inventory command; a declared
scanner port is taken as it is (a scanner cannot be asked). Each device then runs the agent of
``ecomfin.devices.agent`` on its port: decoding, de-duplication, a durable queue per device
(``queue_dir``, default ``~/ecom-devices``), delivery to ``POST /ecom/device/events`` with the
device's token. Each read is also shown on the box's own page (the driver's ``value``).
"""

import configparser
import logging
import os
import re
from pathlib import Path

from odoo.addons.hw_drivers.driver import Driver
from odoo.addons.hw_drivers.event_manager import event_manager
from odoo.addons.hw_drivers.tools import helpers

from ecomfin.devices.agent import box_devices, probe, serve

_logger = logging.getLogger(__name__)

SECTION = "ecom.devices"


def box_settings():
    """The ``[ecom.devices]`` section of the box's configuration, as a dict (empty when missing)."""
    path = os.environ.get("ECOM_DEVICES_CONF") or helpers.path_file("odoo.conf")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return dict(parser[SECTION]) if parser.has_section(SECTION) else {}


def declared(identifier):
    """The settings of the device declared at port ``identifier``, or None."""
    try:
        return box_devices(box_settings()).get(identifier)
    except ValueError as error:
        _logger.error("ecom-finance devices not loaded: %s", error)
        return None


class EcomSerialDriver(Driver):
    """A barcode scanner or UHF RFID reader on a serial port, sending its reads to ecom-finance."""

    connection_type = "serial"
    # tried before Odoo's serial drivers: a declared port is ours, and a scale's probe would write
    # its own commands to an RFID reader
    priority = 100

    def __init__(self, identifier, device):
        super().__init__(identifier, device)
        self.settings = declared(identifier) or {}
        protocol = self.settings.get("protocol", "scanner")
        self.device_type = "scanner" if protocol == "scanner" else "device"
        self.device_connection = "serial"
        self.device_manufacturer = "ecom-finance"
        self.device_name = f"{protocol} ({identifier})"
        self.data["status"] = "connecting"

    @classmethod
    def supported(cls, device):
        settings = declared(device["identifier"])
        if not settings:
            return False
        answered = probe(
            device["identifier"], settings["protocol"], baudrate=settings["options"].get("baudrate")
        )
        # None: a scanner, which cannot be asked
        return answered is not False

    def queue_path(self):
        folder = Path(box_settings().get("queue_dir") or Path("~/ecom-devices").expanduser())
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / (re.sub(r"[^A-Za-z0-9_.-]+", "_", self.device_identifier) + ".sqlite"))

    def run(self):
        options = dict(self.settings["options"])
        self.data["status"] = "connected"
        status = serve(
            self.device_identifier,
            self.settings["protocol"],
            self.settings["url"],
            self.settings["token"],
            self.queue_path(),
            self._stopped,
            decoder_options=self.settings["decoder"],
            on_events=self._show,
            **options,
        )
        self.data["status"] = "disconnected" if not status else f"stopped (exit status {status})"
        event_manager.device_changed(self)

    def _show(self, events):
        """The last read on the box's page and to the sessions listening to the box."""
        self.data["value"] = events[-1]["code"]
        self.data["kind"] = events[-1]["kind"]
        event_manager.device_changed(self)
