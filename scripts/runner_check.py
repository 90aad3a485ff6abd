# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Background jobs through the real queue_job runner, as a person starts them (part of `make test`).

    python3 scripts/runner_check.py --url http://127.0.0.1:PORT --db DB [--rows 60000] [--timeout 300]

Odoo must run on URL with workers and the queue_job runner (``--workers=2
--load=base,web,queue_job``), on a database with the demo data. As the demo Accountant, over
XML-RPC (what the web client's buttons call):

1. imports an Alipay bill larger than the background threshold through the import wizard, and
   follows the import's progress until it is done (every row loaded, its job done at the
   first try, progress seen between 0 and 100 on the way);
2. starts a reconciliation run of that shop with *Run in Background* and follows it to done;
3. sets up (as the admin) a connector backend pulling Stripe from the bundled fake server, which
   this script serves on loopback, presses *Pull Now* and follows the pull to its end: several
   jobs one after the other on the platform's channel, every transaction imported once.

Prints one line per step and exits non-zero when a step fails or times out. The tests of the
Odoo suite run jobs inline in one transaction; only this meets the runner, its workers and
their transactions (a job once failed forever here with a serialization error).
"""

import argparse
import base64
import datetime
import json
import sys
import time
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_parsers import alipay_file  # noqa: E402

from ecomfin.connectors.fake import FakeServer, FakeShop  # noqa: E402
from ecomfin.connectors.fake.stripe import FakeStripe  # noqa: E402


def connect(url, db, login):
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(db, login, login, {})
    if not uid:
        raise SystemExit(f"runner check: cannot log in as {login} on {db}")
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(db, uid, login, model, method, list(args), kwargs)

    return call


def follow(call, model, record_id, timeout, what):
    """Poll the record until it is no longer queued; return (record, progress values seen)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (record,) = call(
            model,
            "read",
            [record_id],
            ["state", "progress", "progress_text", "job_state", "job_error", "job_stuck"],
        )
        seen.append(record["progress"])
        if record["state"] != "queued" or record["job_stuck"]:
            return record, seen
        time.sleep(0.3)
    raise SystemExit(f"runner check: {what} still queued after {timeout} s (last: {record})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()

    admin = connect(args.url, args.db, "admin")
    call = connect(args.url, args.db, "ecom_accountant")
    shop_id = admin("ir.model.data", "check_object_reference", "ecom_finance", "demo_shop_tmall")[1]
    threshold = int(admin("ir.config_parameter", "get_param", "ecom_finance.import_async_bytes") or 5_000_000)

    data = alipay_file(args.rows, seed=23)
    if len(data) <= threshold:
        raise SystemExit(f"runner check: the file ({len(data)} bytes) is under the threshold ({threshold})")
    started = time.monotonic()
    attachment_id = call(
        "ir.attachment",
        "create",
        {"name": "runner_check_alipay.csv", "datas": base64.b64encode(data).decode()},
    )
    wizard_id = call(
        "ecom.statement.import.wizard",
        "create",
        {"shop_id": shop_id, "attachment_ids": [(6, 0, [attachment_id])]},
    )
    action = call("ecom.statement.import.wizard", "action_import", [wizard_id])
    statement_id = action["params"]["next"]["res_id"]  # a notification, then the import
    statement, seen = follow(call, "ecom.statement", statement_id, args.timeout, "the import")
    (lines,) = call("ecom.statement", "read", [statement_id], ["line_count"])
    partial = [p for p in seen if 0 < p < 100]
    print(
        f"import: {len(data) / 1e6:.1f} MB, state {statement['state']}, job {statement['job_state']}, "
        f"{lines['line_count']} lines in {time.monotonic() - started:.1f} s, "
        f"{len(partial)} progress readings between 0 and 100 (max {max(partial, default=0):.0f}%)"
    )
    failures = []
    if statement["state"] != "done" or statement["job_state"] != "done":
        failures.append(f"the import did not finish: {statement}")
    if lines["line_count"] != args.rows:
        failures.append(f"the import has {lines['line_count']} lines, not {args.rows}")

    started = time.monotonic()
    run_id = call(
        "ecom.reconcile.run",
        "create",
        {"shop_ids": [(6, 0, [shop_id])], "date_from": "2024-03-01", "date_to": "2024-03-31"},
    )
    call("ecom.reconcile.run", "action_run_in_background", [run_id])
    run, _seen = follow(call, "ecom.reconcile.run", run_id, args.timeout, "the run")
    (counts,) = call("ecom.reconcile.run", "read", [run_id], ["matched_count", "difference_count"])
    print(
        f"run: state {run['state']}, job {run['job_state']}, {counts['matched_count']} matched, "
        f"{counts['difference_count']} differences in {time.monotonic() - started:.1f} s"
    )
    if run["state"] != "done" or run["job_state"] != "done":
        failures.append(f"the run did not finish: {run}")

    failures += check_pull(admin, call, args.timeout)

    jobs = admin(
        "queue.job",
        "search_read",
        [("model_name", "in", ["ecom.statement", "ecom.reconcile.run", "ecom.connector.backend"])],
        ["uuid", "state", "retry", "exc_message"],
    )
    # queue_job counts the first try as retry 1
    retried = [job for job in jobs if job["retry"] > 1 or job["state"] != "done"]
    if retried:
        failures.append(f"jobs retried or not done: {retried}")
    for failure in failures:
        print(f"runner check FAILED: {failure}")
    print("runner: ok" if not failures else "runner: failed")
    return 1 if failures else 0


def check_pull(admin, call, timeout, orders=3000):
    """Step 3: a pull of the fake Stripe through Pull Now and the runner; the failures found."""
    today = datetime.date.today()
    fake = FakeShop(orders, seed=31, days=3, today=today, currency="USD")
    expected = sum(len(fake.bill_rows(today - datetime.timedelta(days=n))) for n in (3, 2, 1))
    failures = []
    with FakeServer(FakeStripe(fake)) as server:
        shop_id = admin("ir.model.data", "check_object_reference", "ecom_finance", "demo_shop_shopify")[1]
        backend_id = admin(
            "ecom.connector.backend",
            "create",
            {
                "name": "runner check: Stripe (fake)",
                "shop_id": shop_id,
                "platform": "stripe",
                "base_url": server.url,
                "since": str(today - datetime.timedelta(days=3)),
                "credentials": json.dumps(FakeStripe.credentials),
            },
        )
        started = time.monotonic()
        call("ecom.connector.backend", "action_pull_now", [backend_id])
        backend, seen = follow(call, "ecom.connector.backend", backend_id, timeout, "the pull")
    (result,) = call(
        "ecom.connector.backend", "read", [backend_id], ["last_error", "cursor_ids", "statement_count"]
    )
    lines = admin(
        "ecom.statement.line", "search_count", [("statement_id.connector_backend_id", "=", backend_id)]
    )
    jobs = admin("queue.job", "search_count", [("model_name", "=", "ecom.connector.backend")])
    print(
        f"pull: {orders} orders, state {backend['state']}, job {backend['job_state']}, {lines} lines "
        f"(expected {expected}) in {result['statement_count']} imports by {jobs} jobs in "
        f"{time.monotonic() - started:.1f} s, {len([p for p in seen if 0 < p < 100])} progress readings"
    )
    if backend["state"] != "idle" or backend["job_state"] != "done" or result["last_error"]:
        failures.append(f"the pull did not finish: {backend} {result['last_error']}")
    if lines != expected:
        failures.append(f"the pull imported {lines} lines, not {expected}")
    if jobs < 2:
        failures.append(f"the pull ran in {jobs} job(s), not one after the other in several")
    return failures


if __name__ == "__main__":
    sys.exit(main())
