# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime

from lxml import html as lxml_html

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ReconcileCase

REPORT = "ecom_reconcile.action_report_reconcile_run"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def at(day, hour=10):
    return datetime(2024, 3, day, hour, 0)


@tagged("post_install", "-at_install")
class TestRunReport(ReconcileCase):
    """The printed summary of a run: its figures, escaped user input, and only for its readers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop_own.name = f"Own shop {SCRIPT} {IMG}"
        cls._order(cls.shop_own, f"A1 {IMG}", 10.0, at(1))  # missing payment
        cls._order(cls.shop_own, "A2", 30.0, at(2))  # amount mismatch: 25 paid
        cls._lines(cls.shop_own, "alipay", [(at(2, 11), "sale", 25.0, 0.0, "A2", "")])
        cls._order(cls.shop_colleague, "B1", 20.0, at(1))
        Run = cls.env["ecom.reconcile.run"]
        both = (cls.shop_own | cls.shop_colleague).ids
        cls.run_both = Run.browse(Run.run_reconciliation(both, "2024-03-01", "2024-03-07")["run_id"])
        colleague = cls.shop_colleague.ids
        cls.run_colleague = Run.browse(
            Run.run_reconciliation(colleague, "2024-03-01", "2024-03-07")["run_id"]
        )
        difference = cls.run_both.difference_ids.filtered(lambda d: d.reference == "A2")
        difference.with_user(cls.users["accountant"]).write({"resolution": f"Buyer says {SCRIPT} and {IMG}"})

    def _render(self, user, run):
        html, report_format = self.env["ir.actions.report"].with_user(user)._render_qweb_html(REPORT, run.ids)
        self.assertEqual(report_format, "html")
        return html.decode()

    def test_summary_figures(self):
        totals = self.run_both.with_user(self.users["accountant"])._report_totals_by_kind()
        currency = self.currency
        self.assertEqual(
            [(row["kind"], row["currency"], row["count"], row["amount"]) for row in totals],
            [("Amount mismatch", currency, 1, -5.0), ("Missing payment", currency, 2, -30.0)],
        )
        html = self._render(self.users["accountant"], self.run_both)
        tree = lxml_html.fromstring(html)
        (open_table,) = tree.xpath("//table[contains(@class, 'o_ecom_run_open')]")
        references = [row.xpath("string(td[2])").strip() for row in open_table.xpath("tbody/tr")]
        self.assertEqual(sorted(references), sorted([f"A1 {IMG}", "A2", "B1"]))
        self.assertIn(self.run_both.name, html)

    def test_user_input_is_escaped(self):
        html = self._render(self.users["accountant"], self.run_both)
        for payload in (SCRIPT, IMG):
            with self.subTest(payload=payload):
                self.assertNotIn(payload, html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        tree = lxml_html.fromstring(html)
        found = tree.xpath("//script[contains(., 'alert')]")
        self.assertFalse(found, [lxml_html.tostring(e) for e in found])
        self.assertFalse(tree.xpath("//*[contains(@onerror, 'alert')]"))
        self.assertIn(f"Buyer says {SCRIPT} and {IMG}", tree.text_content(), "shown as text")
        self.assertIn(f"Own shop {SCRIPT} {IMG}", tree.text_content())

    def test_shop_operator_prints_runs_of_own_shops_only(self):
        operator = self.users["shop_operator"]
        html = self._render(operator, self.run_both)
        self.assertNotIn(self.shop_colleague.name, html)
        tree = lxml_html.fromstring(html)
        (open_table,) = tree.xpath("//table[contains(@class, 'o_ecom_run_open')]")
        references = [row.xpath("string(td[2])").strip() for row in open_table.xpath("tbody/tr")]
        self.assertEqual(sorted(references), sorted([f"A1 {IMG}", "A2"]), "not the colleague's B1")
        totals = self.run_both.with_user(operator)._report_totals_by_kind()
        self.assertEqual(sum(row["count"] for row in totals), 2)
        with self.assertRaises(AccessError):
            self._render(operator, self.run_colleague)
        with self.assertRaises(AccessError):
            self._render(self.users["warehouse_operator"], self.run_both)
