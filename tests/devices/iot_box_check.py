# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``python iot_box_check.py DRIVER_FILE TMP_DIR``: load the ecom-finance driver into Odoo's IoT-box
package (``hw_drivers``) as a box does, and run a declared simulated reader through it to a stub of
``/ecom/device/events``. Prints ``driver ok`` (exit 0); exit 77 with the reason when ``hw_drivers``
cannot run here (no Odoo, no ``netifaces``, no box user ``pi``). Run by test_iot_driver.py in a
process of its own."""

import importlib.util
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stubs import EventsStub, wait_for  # noqa: E402 (this folder is not a package)

from ecomfin.devices.simulator import Simulator, SimulatorServer  # noqa: E402

SKIP = 77


def main(driver_file, tmp):
    tmp = Path(tmp)
    try:
        from odoo.addons.hw_drivers.event_manager import event_manager
        from odoo.addons.hw_drivers.main import drivers, iot_devices
    except ImportError as error:  # no Odoo here, or not the box's libraries (netifaces)
        print(f"Odoo's hw_drivers cannot be imported here: {error}")
        return SKIP
    except RuntimeError as error:  # it reads the box's settings at import, in the home of user `pi`
        print(f"Odoo's hw_drivers needs an IoT box's user `pi` here: {error}")
        return SKIP
    spec = importlib.util.spec_from_file_location(
        "odoo.addons.hw_drivers.iot_handlers.drivers.EcomSerialDriver", driver_file
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    Driver = module.EcomSerialDriver
    assert Driver in drivers, "not registered like the box's own drivers"

    reader = SimulatorServer(Simulator("impinj"), rate=100).start()
    odoo = EventsStub(token="tok-a").start()
    conf = tmp / "odoo.conf"
    conf.write_text(
        "[options]\nlog_level = info\n\n[ecom.devices]\n"
        f"url = {odoo.url}\nqueue_dir = {tmp / 'queues'}\n"
        f"port.1 = {reader.url} impinj tok-a window=3600\n",
        encoding="utf-8",
    )
    os.environ["ECOM_DEVICES_CONF"] = str(conf)
    try:
        assert not Driver.supported({"identifier": "/dev/ttyS9"}), "an undeclared port was taken"
        assert Driver.supported({"identifier": reader.url}), "the declared reader was not recognised"
        driver = Driver(reader.url, {"identifier": reader.url})
        assert (driver.device_type, driver.device_connection) == ("device", "serial")
        driver.daemon = True
        iot_devices[reader.url] = driver
        driver.start()
        expected = {epc.hex().upper() for epc in reader.simulator.epcs}
        assert wait_for(lambda: set(odoo.accepted_codes()) >= expected), odoo.accepted_codes()
        # each read is shown on the box too
        assert wait_for(lambda: driver.data.get("value") in expected), driver.data
        assert any(event["device_identifier"] == reader.url for event in event_manager.events)
        assert (tmp / "queues").is_dir()
        driver.disconnect()
        driver.join(10)
        assert not driver.is_alive() and reader.url not in iot_devices
        assert driver.data["status"] == "disconnected", driver.data
    finally:
        odoo.stop()
        reader.stop()
    print("driver ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
