from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    ecom_statement_id = fields.Many2one(
        "ecom.statement",
        string="E-commerce Settlement",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
        help="The imported settlement this entry summarises.",
    )
    ecom_period_start = fields.Date(string="Settlement From", readonly=True)
    ecom_period_end = fields.Date(string="Settlement To", readonly=True)

    def _ecom_live_postings(self):
        """The settlement entries that are posted and neither a reversal nor reversed."""
        return self.filtered(
            lambda move: move.state == "posted" and not move.reversed_entry_id and not move.reversal_move_ids
        )
