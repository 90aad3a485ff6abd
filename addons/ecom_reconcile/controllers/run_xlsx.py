# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``GET /ecom_reconcile/run/<id>/xlsx``: a run's workbook, streamed to the reader.

The workbook is written row by row to a temporary file (xlsxwriter's constant memory mode), the
file is unlinked at once (the open handle keeps it until sent) and sent in blocks: nothing stays
behind, neither in the attachments nor on disk, and a large run does not sit in memory.
"""

import os
import tempfile

from werkzeug.exceptions import NotFound
from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import content_disposition, request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RunXlsxController(http.Controller):
    @http.route("/ecom_reconcile/run/<int:run_id>/xlsx", type="http", auth="user", methods=["GET"])
    def run_xlsx(self, run_id):
        run = request.env["ecom.reconcile.run"].browse(run_id).exists()
        if not run:
            raise NotFound()
        # the reader's own rights: the record rules give a Shop Operator their shops' runs only
        run.check_access("read")
        fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="ecom-run-")
        os.close(fd)
        try:
            run._xlsx_write(path)
            handle = open(path, "rb")  # noqa: SIM115 (closed by the response once sent)
        finally:
            os.unlink(path)
        size = os.fstat(handle.fileno()).st_size
        name = f"{run.name}.xlsx".replace("/", "-")
        response = request.make_response(
            wrap_file(request.httprequest.environ, handle),
            headers=[
                ("Content-Type", XLSX),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(name)),
            ],
        )
        response.direct_passthrough = True
        return response
