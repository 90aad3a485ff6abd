# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from itertools import islice

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ecomfin.errors import InputError
from ecomfin.vocab import FORMAT_LABELS, ORDER_FORMAT, ORDER_PROFILE_LABELS

from ..import_errors import import_error_text
from ..imports.reading import check_size, parse_file, parse_options

ASYNC_BYTES_PARAM = "ecom_finance.import_async_bytes"
ASYNC_BYTES_DEFAULT = 5_000_000
PREVIEW_ROWS = 10


class EcomStatementImportWizard(models.TransientModel):
    """Upload one or many files (or a zip), check a preview, import.

    Files above ``ecom_finance.import_async_bytes`` (default 5 MB) are imported by a
    background job; their statements show the progress. Files above
    ``ecom_finance.import_max_bytes`` (default 200 MB), and zips unpacking to more, are refused;
    so is a format the user may not import (``ecom.statement._check_import_format``), at the
    preview already.
    """

    _name = "ecom.statement.import.wizard"
    _description = "Import E-commerce Files"

    shop_id = fields.Many2one("ecom.shop", required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files", required=True)
    fmt = fields.Selection(FORMAT_LABELS, string="Format", help="Leave empty to detect it from each file.")
    order_profile = fields.Selection(
        ORDER_PROFILE_LABELS, help="Layout of an order export; default: the shop's."
    )
    bank_csv_profile_id = fields.Many2one("ecom.bank.csv.profile", string="Bank CSV Profile")
    state = fields.Selection([("upload", "Upload"), ("preview", "Preview")], default="upload")
    preview = fields.Html(readonly=True, sanitize=True)

    @api.onchange("shop_id")
    def _onchange_shop_id(self):
        self.order_profile = self.shop_id.order_profile
        # a shop's bank CSV profile is accounting setup: bank statements are imported by
        # accounting roles, the only ones who read it
        if self.shop_id._fields["bank_csv_profile_id"].is_accessible(self.env):
            self.bank_csv_profile_id = self.shop_id.bank_csv_profile_id

    def _async_bytes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ASYNC_BYTES_PARAM)
        return int(value) if value else ASYNC_BYTES_DEFAULT

    def _parse_options(self, attachment):
        return parse_options(
            self.env,
            self.shop_id,
            self.fmt or None,
            attachment.name,
            attachment.raw,
            self.order_profile,
            self.bank_csv_profile_id,
        )

    def action_preview(self):
        self.ensure_one()
        self.env["ecom.statement"]._check_import_access(self.shop_id)
        sections = [self._preview_file(attachment) for attachment in self.attachment_ids]
        self.write({"preview": Markup("").join(sections), "state": "preview"})
        return self._reopen()

    def _preview_file(self, attachment):
        Statement = self.env["ecom.statement"]
        data = attachment.raw
        check_size(self.env, attachment.name, len(data))
        large = len(data) > self._async_bytes()
        options = self._parse_options(attachment)
        try:
            parsed = parse_file(self.env, attachment.name, data, options)
            # refused at the preview already: what the file is decides who may import it
            Statement._check_import_access(self.shop_id, parsed.fmt, attachment.name)
            stream = iter(parsed)
            first = list(islice(stream, PREVIEW_ROWS))
            if not large:
                for _line in stream:  # reads the rest, checking the file's own totals
                    pass
        except InputError as exc:
            raise UserError(import_error_text(self.env, exc)) from exc
        head = Markup("<h5>%s <small>(%s)</small></h5>") % (attachment.name, parsed.fmt)
        if parsed.fmt == ORDER_FORMAT:
            columns = [
                self.env._("Order"),
                self.env._("Status"),
                self.env._("SKU"),
                self.env._("Quantity"),
                self.env._("Unit Price"),
                self.env._("Paid"),
            ]
            rows = [
                (line.order_ref, line.status, line.sku, line.quantity, line.unit_price, line.amount_paid)
                for line in first
            ]
            totals = Markup("")
        else:
            columns = [
                self.env._("Date"),
                self.env._("Type"),
                self.env._("Order"),
                self.env._("Gross"),
                self.env._("Fee"),
                self.env._("Net"),
            ]
            rows = [
                (
                    f"{line.occurred_at:%Y-%m-%d %H:%M}",
                    line.line_type,
                    line.merchant_order_ref or line.order_ref or "",
                    line.gross,
                    line.fee,
                    line.net,
                )
                for line in first
            ]
            totals = self._totals_table(parsed, large)
        table = Markup(
            '<table class="table table-sm o_ecom_preview"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>'
        ) % (
            Markup("").join(Markup("<th>%s</th>") % c for c in columns),
            Markup("").join(
                Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % escape(str(v)) for v in row)
                for row in rows
            ),
        )
        note = (
            Markup("<p><em>%s</em></p>")
            % self.env._("Large file: it will be imported in the background; totals follow.")
            if large
            else Markup("")
        )
        return head + table + totals + note

    def _totals_table(self, parsed, large):
        if large:
            return Markup("")
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % (line_type, count, amount)
            for line_type, (count, amount) in sorted(parsed.totals.items())
        )
        return Markup(
            '<table class="table table-sm"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>'
            "<tbody>%s</tbody></table>"
        ) % (
            self.env._("Type"),
            self.env._("Rows"),
            self.env._("Gross"),
            rows,
        )

    def action_import(self):
        self.ensure_one()
        Statement = self.env["ecom.statement"]
        statements = Statement
        messages = []
        limit = self._async_bytes()
        for attachment in self.attachment_ids:
            data = attachment.raw
            kwargs = {
                "fmt": self.fmt or None,
                "order_profile": self.order_profile,
                "bank_profile": self.bank_csv_profile_id,
            }
            if len(data) > limit:
                statement = Statement._enqueue_import(self.shop_id, attachment.name, data, **kwargs)
            else:
                statement = Statement._import_data(self.shop_id, attachment.name, data, **kwargs)
            statements |= statement
            if statement.env.context.get("ecom_already_imported"):
                messages.append(
                    self.env._(
                        "%(file)s is already imported as %(name)s: nothing was added.",
                        file=attachment.name,
                        name=statement.name,
                    )
                )
            elif statement.state == "queued":
                messages.append(
                    self.env._(
                        "%s is imported in the background: its progress shows on the import.", attachment.name
                    )
                )
            else:
                messages.append(
                    self.env._(
                        "%(file)s imported as %(name)s: %(created)s new lines, %(skipped)s already known.",
                        file=attachment.name,
                        name=statement.name,
                        created=statement.lines_created,
                        skipped=statement.lines_skipped,
                    )
                )
        action = self.env["ir.actions.act_window"]._for_xml_id("ecom_finance.ecom_statement_action")
        if len(statements) == 1:
            action.update(res_id=statements.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", statements.ids)]
        # say what happened (a file imported again said nothing), then open the imports
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import"),
                "message": "\n".join(messages),
                "type": "success",
                "sticky": False,
                "next": action,
            },
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import Files"),
        }
