# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The load of a parsed file into an import (``ecom.statement``), once its rights are checked."""

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.ecom_audit.approval import approved_change

from ecomfin.vocab import BANK_FORMATS, ORDER_FORMAT

from .bank_statements import sync_bank_statement
from .orders import load_orders
from .statement_lines import load_lines


def load_file(Statement, shop, filename, data, sha256, parsed, options, statement):
    """Load ``parsed`` (the file ``data``) for ``shop`` into ``statement`` (a queued import), else
    into a new import; return it. ``Statement``: the model, in the importing user's environment."""
    vals = {
        "shop_id": shop.id,
        "fmt": parsed.fmt,
        "filename": filename,
        "sha256": sha256,
        "order_profile": options["order_profile"] or False,
        "bank_csv_profile_id": options["bank_profile"].id if options["bank_profile"] else False,
    }
    if statement:
        # A queued import: its row is written once, at the end (its progress goes to
        # ecom.job.progress meanwhile, see ecom.job.mixin).
        target = statement
    else:
        vals["name"] = f"{shop.code}/{parsed.fmt}/{sha256[:8]}"
        vals["state"] = "queued"
        with approved_change():  # the import's own record, rights checked in _import_data
            target = Statement.create(vals)
        Statement.env.flush_all()
    progress = statement._progress_reporter(data) if statement else None
    if parsed.fmt == ORDER_FORMAT:
        result = load_orders(target, shop, parsed, progress)
    else:
        result = load_lines(target, shop, parsed, progress)
    result.update(vals)
    result.update(state="done")
    result["name"] = statement_name(shop, parsed.fmt, result)
    # The import's own bookkeeping: nobody has the right to write imports (their content
    # is what the file said); the right to import was checked in _import_data.
    target.sudo().write(result)
    if parsed.fmt in BANK_FORMATS:
        _feed_bank_statements(target)
    return target


def _feed_bank_statements(statement):
    """The bank lines also go to Odoo's bank statement of the account's journal (bank_statements),
    as the importing user (only Accountants and Finance Managers import bank statements: Odoo's
    accounting users). A journal that cannot take them (no suspense account, say) leaves a warning
    on the import, not a failed import."""
    try:
        with statement.env.cr.savepoint():
            sync_bank_statement(statement)
    except UserError as error:
        warning = statement.env._("Not added to Odoo's bank statements: %s", error)
        # the import's own bookkeeping, like its results above
        statement.sudo().warnings = "\n".join(filter(None, [statement.sudo().warnings, warning]))


def statement_name(shop, fmt, result):
    """The name of an import: the shop, the format and the period of its lines (else today)."""
    start, end = result.get("period_start"), result.get("period_end")
    period = f"{start:%Y-%m-%d}..{end:%Y-%m-%d}" if start and end else fields.Date.today().isoformat()
    return f"{shop.code}/{fmt}/{period}"


def queue_file(Statement, shop, filename, data, sha256, fmt, order_profile, bank_profile):
    """A queued import of the file ``data``, the file attached (its job is queued by the caller)."""
    with approved_change():  # the import's own record, rights checked above
        statement = Statement.create(
            {
                "name": f"{shop.code}/{filename}",
                "shop_id": shop.id,
                "fmt": fmt or False,
                "filename": filename,
                "sha256": sha256,
                "state": "queued",
                "order_profile": order_profile or False,
                "bank_csv_profile_id": bank_profile.id if bank_profile else False,
            }
        )
    # The file is attached by the import itself (attaching to a record needs the right to
    # write it, which nobody has on imports).
    attachment = (
        Statement.env["ir.attachment"]
        .sudo()
        .create({"name": filename, "raw": data, "res_model": Statement._name, "res_id": statement.id})
    )
    # bookkeeping of the import itself, see load_file
    statement.sudo().attachment_id = attachment
    return statement


def import_result(statement):
    """What ``import_file`` answers about the import ``statement``."""
    statement.ensure_one()
    already = bool(statement.env.context.get("ecom_already_imported"))
    return {
        "statement_id": statement.id,
        "fmt": statement.fmt,
        "lines_created": 0 if already else statement.lines_created,
        "lines_skipped": statement.line_count if already else statement.lines_skipped,
        "totals": dict(statement.totals or {}),
        "already_imported": already,
        "message": statement.env._(
            "%(file)s is already imported as %(name)s.", file=statement.filename, name=statement.name
        )
        if already
        else statement.env._("%(file)s imported as %(name)s.", file=statement.filename, name=statement.name),
    }
