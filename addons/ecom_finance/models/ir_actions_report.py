# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import os
import subprocess
import tempfile

from odoo import models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

VOUCHER_REPORT = "ecom_finance.report_voucher"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """Vouchers are printed one wkhtmltopdf call per voucher, without header and footer.

        A voucher has neither; and wkhtmltopdf built on an unpatched Qt (Debian's package, what
        ``make run`` finds on a Debian desktop) prints one input document per call only and
        refuses the header and footer switches Odoo always passes, where the build of the
        official Docker image (0.12.6.1 "with patched qt") takes a batch: printing per voucher
        works with both, and the pages are merged in the order of the records.
        """
        report = self._get_report(report_ref) if report_ref else self
        if report.report_name != VOUCHER_REPORT:
            return super()._run_wkhtmltopdf(
                bodies,
                report_ref=report_ref,
                header=header,
                footer=footer,
                landscape=landscape,
                specific_paperformat_args=specific_paperformat_args,
                set_viewport_size=set_viewport_size,
            )
        args = self._build_wkhtmltopdf_args(
            report.get_paperformat(),
            landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
        with tempfile.TemporaryDirectory(prefix="ecom_voucher.") as workdir:
            # Qt writes its runtime files there instead of warning that it has none
            env = dict(os.environ, XDG_RUNTIME_DIR=workdir)
            pages = [
                self._ecom_print_one(args, body, workdir, index, env) for index, body in enumerate(bodies)
            ]
        return pages[0] if len(pages) == 1 else merge_pdf(pages)

    def _ecom_print_one(self, args, body, workdir, index, env):
        source = os.path.join(workdir, f"voucher{index}.html")
        target = os.path.join(workdir, f"voucher{index}.pdf")
        with open(source, "w", encoding="utf-8") as html:
            html.write(body)
        process = subprocess.run(
            [_get_wkhtmltopdf_bin(), *args, source, target],
            capture_output=True,
            encoding="utf-8",
            env=env,
            check=False,
        )
        # 1: printed, with a warning (a resource it could not load); as Odoo reads it
        if process.returncode not in (0, 1) or not os.path.exists(target):
            message = self.env._(
                "wkhtmltopdf could not print the voucher (error code %(code)s): %(message)s",
                code=process.returncode,
                message=process.stderr[-1000:],
            )
            _logger.warning(message)
            raise UserError(message)
        if process.returncode:
            _logger.warning("wkhtmltopdf: %s", process.stderr[-1000:])
        with open(target, "rb") as pdf:
            return pdf.read()
