# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the run's reports show: the XLSX workbook (``action_export_xlsx``) and the tables of
the printed summary (``report_reconcile_run``), as plain functions of the run."""

from odoo import fields

from ecomfin.xlsx import differences_workbook


def xlsx_content(run, output=None):
    """The run as a workbook: a summary, then one sheet per kind of difference; written row by row
    to the file ``output`` when given (see ``ecomfin.xlsx.differences_workbook``), else bytes."""
    env = run.env
    kinds = dict(env["ecom.reconcile.difference"]._fields["kind"]._description_selection(env))
    states = dict(env["ecom.reconcile.difference"]._fields["state"]._description_selection(env))
    summary = [
        (env._("Shops"), ", ".join(run.shop_ids.mapped("name"))),
        (env._("Period"), f"{run.date_from} .. {run.date_to}"),
        (env._("Matched"), run.matched_count),
        (env._("Times in"), env.context.get("tz") or env.user.tz or "UTC"),
    ] + [(kinds[kind], count) for kind, count in (run.counts or {}).items() if count]
    sheets = {}

    def local(moment):
        return fields.Datetime.context_timestamp(run, moment).replace(tzinfo=None)

    for kind, label in kinds.items():
        differences = run.difference_ids.filtered(lambda d, k=kind: d.kind == k)
        if not differences:
            continue
        sheets[kind] = (
            label,
            (
                {
                    "shop": d.shop_id.code,
                    "reference": d.reference,
                    # the reader's local time, as the web client shows it (stored in UTC)
                    "date": d.date and local(d.date),
                    "expected": d.expected_amount,
                    "actual": d.actual_amount,
                    "difference": d.amount,
                    "currency": d.currency_id.name,
                    "state": states[d.state],
                    "assignee": d.user_id.name or "",
                }
                for d in differences.sorted(lambda d: (d.shop_id.code, d.reference or "", d.id))
            ),
        )
    labels = {
        "summary": env._("Summary"),
        "shop": env._("Shop"),
        "reference": env._("Reference"),
        "date": env._("Date"),
        "expected": env._("Expected"),
        "actual": env._("Actual"),
        "difference": env._("Difference"),
        "currency": env._("Currency"),
        "state": env._("State"),
        "assignee": env._("Assignee"),
        "total": env._("Total"),
    }
    return differences_workbook(run.name, summary, sheets, labels, output=output)


def totals_by_kind(run):
    """The printed summary's table: count and amount of the run's differences per kind and
    currency, over the differences the user reads (a Shop Operator's: its shops' only)."""
    Difference = run.env["ecom.reconcile.difference"]
    kinds = dict(Difference._fields["kind"]._description_selection(run.env))
    groups = Difference._read_group(
        [("run_id", "=", run.id)],
        ["kind", "currency_id"],
        ["__count", "amount:sum"],
        order="kind, currency_id",
    )
    return [
        {"kind": kinds[kind], "currency": currency, "count": count, "amount": amount}
        for kind, currency, count, amount in groups
    ]


def open_differences(run):
    """The printed summary's list: the differences nobody resolved or wrote off yet."""
    # searched, not read from difference_ids: the record rules apply whatever is in the cache
    return run.env["ecom.reconcile.difference"].search(
        [("run_id", "=", run.id), ("state", "in", ("open", "assigned"))]
    )
