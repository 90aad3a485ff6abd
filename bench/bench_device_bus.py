# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Scan -> bus latency at 50 scans/s from 10 devices, and decoded events/s in ``_receive``.

    python3 bench/bench_device_bus.py [--seconds 20] [--rate 50] [--devices 10] \\
        -- -d DB --db_host=127.0.0.1 --db_user=root --addons-path=...

Run it on a scratch copy of a database with ``ecom_devices`` (its devices and scans stay in the
audit trail, which is append-only). Two parts:

1. **Decoding in ``_receive``** (in this process, one transaction rolled back): a batch of 1,000
   events (RFID EPCs of products with a barcode, GS1-128 labels, EAN-13s and unknown codes) stored
   by ``ecom.scan.event._receive``, decoded and mapped to products and lots; against the same batch
   with the core decoder replaced by one that decodes nothing (the same INSERT and lookup, no
   GTIN): best of 5 each.
2. **Scan -> bus** (a real server): Odoo is started with ``--workers=2`` on a free port; 10
   devices get a token (committed: the server must see them); each device posts one event a
   request at ``rate / devices`` per second for ``--seconds``. Measured per scan: the endpoint's
   response time (client side) and the time from sending the POST to the ``NOTIFY imbus`` of the
   device's channel (what Odoo's websocket workers wait on to push the batch to the screens),
   received by a ``LISTEN imbus`` on the ``postgres`` database like Odoo's bus loop. p50 and p99.

Nothing is asserted; the devices are archived at the end and their scans stay.
"""

import argparse
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg2
import requests

from ecomfin.devices.epc import encode_sgtin96

BATCH = 1000


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[index]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def batch_events(barcodes, prefix):
    """1,000 ``(uid, kind, code, scanned_at)``: EPCs of the products' GTINs, GS1-128 labels with a
    lot, the EAN-13s as scanned, and 10% unknown codes."""
    start = datetime(2026, 12, 7, 8, 0, 0)
    events = []
    for index in range(BATCH):
        barcode = barcodes[index % len(barcodes)]
        kind, code = "epc", encode_sgtin96(barcode, index + 1, 7)
        if index % 10 == 1:
            kind, code = "barcode", f"]C1\x1d01{barcode.zfill(14)}10LOT{index % 7}\x1d17271231"
        elif index % 10 == 2:
            kind, code = "barcode", barcode
        elif index % 10 == 3:
            kind, code = "barcode", f"UNKNOWN-{index}"
        events.append((f"{prefix}-{index}", kind, code, start + timedelta(milliseconds=index)))
    return events


def decode_part(registry):
    """events/s of _receive with and without decoding, best of 5, rolled back."""
    import odoo

    from odoo.addons.ecom_devices.models import ecom_scan_event

    decoder = ecom_scan_event.identify
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        products = env["product.product"].search([("barcode", "!=", False)], limit=50)
        barcodes = [p.barcode for p in products if p.barcode.isdigit() and len(p.barcode) == 13]
        device = env["ecom.device"].search([("warehouse_id", "!=", False)], limit=1)
        for label, identify in (("decoded", decoder), ("not decoded", lambda kind, code: (None, ()))):
            best = None
            for run in range(5):
                events = batch_events(barcodes, f"bench-{label[:3]}-{run}")
                ecom_scan_event.identify = identify
                try:
                    cr.execute("SAVEPOINT bench_receive")
                    start = time.perf_counter()
                    new, _duplicates = env["ecom.scan.event"]._receive(device, events)
                    env.cr.flush()
                    seconds = time.perf_counter() - start
                    known = len(new.filtered(lambda e: e.product_id))
                    cr.execute("ROLLBACK TO SAVEPOINT bench_receive")
                    env.invalidate_all()
                finally:
                    ecom_scan_event.identify = decoder
                best = seconds if best is None else min(best, seconds)
            results[label] = (best, known)
        cr.rollback()
    decoded, plain = results["decoded"], results["not decoded"]
    print(f"_receive of {BATCH} events, best of 5 (rolled back):")
    for label, (seconds, mapped) in (("decoded", decoded), ("not decoded", plain)):
        print(f"  {label:12} {seconds * 1000:8.1f} ms  {BATCH / seconds:9,.0f} events/s  ({mapped} mapped)")
    print(f"  ratio        {decoded[0] / plain[0]:.2f}x")


def make_devices(registry, count):
    """``count`` devices with tokens, committed (the server reads them): ``[(id, token)]``."""
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        warehouse = env["stock.warehouse"].search([], limit=1)
        stamp = int(time.time())
        devices = env["ecom.device"].create(
            [
                {
                    "name": f"Bench reader {index}",
                    "serial": f"BENCH-{stamp}-{index}",
                    "device_type": "rfid_reader",
                    "warehouse_id": warehouse.id,
                    "company_id": warehouse.company_id.id,
                }
                for index in range(count)
            ]
        )
        tokens = [(device.id, device.action_rotate_token()["token"]) for device in devices]
        # committed on purpose: the server under test must find the devices and their tokens
        cr.commit()
    return tokens


def archive_devices(registry, ids):
    import odoo

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        devices = env["ecom.device"].browse(ids)
        devices.action_revoke_token()
        devices.action_archive()
        cr.commit()  # the benchmark's own devices, revoked and archived for good


def start_server(odoo_args, db, port):
    command = [
        "odoo",
        *odoo_args,
        f"--db-filter=^{db}$",
        "--workers=2",
        "--max-cron-threads=0",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--log-level=warn",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(f"{url}/web/health", timeout=1).status_code == 200:
                return server, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the Odoo server did not start")


def listen(db_args, db, devices, stop, notified):
    """LISTEN imbus on the postgres database (like Odoo's bus loop): the time each device's
    channel is notified, in order."""
    conn = psycopg2.connect(dbname="postgres", **db_args)
    conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    conn.cursor().execute("LISTEN imbus")
    wanted = {device_id for device_id, _token in devices}
    while not stop.is_set():
        if select.select([conn], [], [], 0.2)[0]:
            conn.poll()
            now = time.perf_counter()
            while conn.notifies:
                for channel in json.loads(conn.notifies.pop(0).payload):
                    if (
                        isinstance(channel, list)
                        and len(channel) == 3
                        and channel[0] == db
                        and channel[1] == "ecom.device"
                        and channel[2] in wanted
                    ):
                        notified[channel[2]].append(now)
    conn.close()


def post_part(url, devices, rate, seconds):
    """Each device posts one event a request at rate/len(devices) per second."""
    interval = len(devices) / rate
    sent = {device_id: [] for device_id, _token in devices}
    answered = {device_id: [] for device_id, _token in devices}
    errors = []
    start = time.perf_counter() + 0.5

    def run(index, device_id, token):
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        n = int(seconds / interval)
        for k in range(n):
            due = start + k * interval + index * interval / len(devices)
            time.sleep(max(0.0, due - time.perf_counter()))
            at = datetime.now(timezone.utc).isoformat()
            body = json.dumps(
                {
                    "events": [
                        {
                            "id": f"b{device_id}-{k}",
                            "kind": "epc",
                            "code": encode_sgtin96("6920202600010", k + 1, 7),
                            "at": at,
                        }
                    ]
                }
            )
            sent[device_id].append(time.perf_counter())
            response = session.post(f"{url}/ecom/device/events", data=body, headers=headers, timeout=30)
            answered[device_id].append(time.perf_counter())
            if response.status_code != 200:
                errors.append(response.status_code)

    threads = [
        threading.Thread(target=run, args=(index, device_id, token))
        for index, (device_id, token) in enumerate(devices)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, answered, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=50.0, help="scans per second, all devices")
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER, help="-- then Odoo options")
    args = parser.parse_args()
    odoo_args = [a for a in args.odoo_args if a != "--"]

    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args)
    db = config["db_name"].split(",")[0]
    registry = odoo.modules.registry.Registry(db)
    decode_part(registry)

    devices = make_devices(registry, args.devices)
    db_args = {
        key: value
        for key, value in {
            "host": config["db_host"],
            "port": config["db_port"],
            "user": config["db_user"],
            "password": config["db_password"],
        }.items()
        if value
    }
    notified = {device_id: [] for device_id, _token in devices}
    stop = threading.Event()
    listener = threading.Thread(target=listen, args=(db_args, db, devices, stop, notified))
    listener.start()
    server, url = start_server(odoo_args, db, free_port())
    try:
        sent, answered, errors = post_part(url, devices, args.rate, args.seconds)
        time.sleep(1.0)
    finally:
        stop.set()
        listener.join()
        server.terminate()
        server.wait(timeout=30)
        archive_devices(registry, [device_id for device_id, _token in devices])
    response_ms, bus_ms, missing = [], [], 0
    for device_id, _token in devices:
        response_ms += [(b - a) * 1000 for a, b in zip(sent[device_id], answered[device_id], strict=True)]
        times = notified[device_id]
        missing += max(0, len(sent[device_id]) - len(times))
        bus_ms += [(b - a) * 1000 for a, b in zip(sent[device_id], times, strict=False)]
    total = sum(len(v) for v in sent.values())
    span = max(max(v) for v in sent.values()) - min(min(v) for v in sent.values())
    rate = total / span
    print(
        f"\nscan -> bus, {args.devices} devices, {total} scans in {span:.1f} s ({rate:.1f}/s), --workers=2:"
    )
    for label, values in (("endpoint response", response_ms), ("POST -> bus NOTIFY", bus_ms)):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"  {label:19} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
    mean = statistics.mean(response_ms)
    print(f"  mean response {mean:.1f} ms; non-200: {len(errors)}; scans without notification: {missing}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
