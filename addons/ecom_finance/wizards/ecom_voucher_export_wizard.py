# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import base64

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.ecom_audit import roles

from ecomfin import voucher_export

LAYOUT_FILE_NAMES = {voucher_export.YONYOU: "用友U8凭证导入", voucher_export.KINGDEE: "金蝶K3凭证引入"}


def _last_month(today):
    first = today.replace(day=1) - relativedelta(months=1)
    return first, first + relativedelta(months=1, days=-1)


class EcomVoucherExportWizard(models.TransientModel):
    """A period's posted vouchers (记账凭证) as the XLSX file 用友 U8 or 金蝶 K/3 imports
    (``ecomfin.voucher_export``; the columns in readme/USAGE.md)."""

    _name = "ecom.voucher.export.wizard"
    _description = "Export Vouchers to Yonyou or Kingdee"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_dates()[0])
    date_to = fields.Date(string="To", required=True, default=lambda self: self._default_dates()[1])
    journal_ids = fields.Many2many(
        "account.journal",
        string="Journals",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        help="Only the vouchers of these journals; all journals when left empty.",
    )
    layout = fields.Selection(
        [(voucher_export.YONYOU, "用友 U8"), (voucher_export.KINGDEE, "金蝶 K/3")],
        required=True,
        default=voucher_export.YONYOU,
    )

    def _default_dates(self):
        return _last_month(fields.Date.context_today(self))

    def _ecom_check_rights(self):
        user = self.env.user
        if not self.env.su and not (user.has_group(roles.ACCOUNTANT) or user.has_group(roles.AUDITOR)):
            raise AccessError(
                self.env._(
                    "Only Accountants, Finance Managers and Auditors print or export a period's vouchers."
                )
            )

    def _ecom_voucher_domain(self):
        """The posted vouchers of the wizard's company, period and journals."""
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "posted"),
            ("voucher_number", "!=", False),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        if self.journal_ids:
            domain.append(("journal_id", "in", self.journal_ids.ids))
        return domain

    def _ecom_check_period(self):
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts."))

    def _ecom_no_voucher(self):
        return UserError(
            self.env._(
                "%(company)s has no posted voucher from %(start)s to %(end)s.",
                company=self.company_id.name,
                start=self.date_from,
                end=self.date_to,
            )
        )

    def action_print(self):
        """Print the period's vouchers (记账凭证), one per page, in voucher order: the batch print of
        a period."""
        self._ecom_check_rights()
        self.ensure_one()
        self._ecom_check_period()
        moves = self.env["account.move"].search(
            self._ecom_voucher_domain(),
            order="ecom_voucher_period, ecom_voucher_word, ecom_voucher_number, id",
        )
        if not moves:
            raise self._ecom_no_voucher()
        action = self.env.ref("ecom_finance.action_report_voucher").report_action(moves)
        # without its empty values (``data``: None), which XML-RPC cannot carry
        return {key: value for key, value in action.items() if value is not None}

    def _ecom_voucher_dicts(self):
        """The posted vouchers of the period as ``ecomfin.voucher_export`` reads them: one search_read
        of the entries, one of their lines, one read of their accounts (codes and names in the
        wizard's company), in voucher order."""
        self.ensure_one()
        company = self.company_id
        moves = self.env["account.move"].search_read(
            self._ecom_voucher_domain(),
            [
                "date",
                "ref",
                "voucher_number",
                "ecom_voucher_word",
                "ecom_voucher_period",
                "ecom_voucher_number",
                "create_uid",
                "ecom_posted_uid",
                "ecom_reviewer_names",
                "message_attachment_count",
            ],
            order="ecom_voucher_period, ecom_voucher_word, ecom_voucher_number, id",
        )
        if not moves:
            return []
        lines = self.env["account.move.line"].search_read(
            [
                ("move_id", "in", [move["id"] for move in moves]),
                ("display_type", "not in", ("line_section", "line_note")),
            ],
            [
                "move_id",
                "name",
                "account_id",
                "partner_id",
                "debit",
                "credit",
                "currency_id",
                "amount_currency",
            ],
            order="move_id, sequence, id",
        )
        account_ids = {line["account_id"][0] for line in lines if line["account_id"]}
        accounts = {
            account["id"]: account
            for account in self.env["account.account"]
            .with_company(company)
            .browse(account_ids)
            .read(["code", "name"])
        }
        by_move = {}
        for line in lines:
            account = accounts.get(line["account_id"][0]) if line["account_id"] else None
            by_move.setdefault(line["move_id"][0], []).append(
                {
                    "summary": line["name"] or "",
                    "account_code": account["code"] if account else "",
                    "account_name": account["name"] if account else "",
                    "debit": line["debit"],
                    "credit": line["credit"],
                    "partner": line["partner_id"][1] if line["partner_id"] else "",
                    "currency": line["currency_id"][1] if line["currency_id"] else "",
                    "amount_currency": line["amount_currency"],
                }
            )
        currency = company.currency_id.name
        vouchers = []
        for move in moves:
            move_lines = by_move.get(move["id"], [])
            for line in move_lines:
                line["summary"] = line["summary"] or move["ref"] or ""
            vouchers.append(
                {
                    "date": move["date"],
                    "word": move["ecom_voucher_word"],
                    "number": move["ecom_voucher_number"],
                    "period": move["ecom_voucher_period"],
                    "name": move["voucher_number"],
                    "attachments": move["message_attachment_count"],
                    "creator": move["create_uid"][1] if move["create_uid"] else "",
                    "reviewer": move["ecom_reviewer_names"] or "",
                    "poster": move["ecom_posted_uid"][1] if move["ecom_posted_uid"] else "",
                    "currency": currency,
                    "lines": move_lines,
                }
            )
        return vouchers

    def action_export(self):
        """Download the period's posted vouchers in the chosen layout (an XLSX attachment of the
        wizard)."""
        self._ecom_check_rights()
        self.ensure_one()
        self._ecom_check_period()
        vouchers = self._ecom_voucher_dicts()
        if not vouchers:
            raise self._ecom_no_voucher()
        try:
            content = voucher_export.voucher_workbook(self.layout, vouchers)
        except ValueError as error:
            raise UserError(self.env._("The vouchers cannot be exported: %s", error)) from error
        name = f"{LAYOUT_FILE_NAMES[self.layout]}_{self.date_from}_{self.date_to}.xlsx"
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
