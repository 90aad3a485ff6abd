# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class EcomWritingReadsMixin(models.AbstractModel):
    """Reads that write: the web client's reads of this model take read/write cursors.

    Odoo 18 serves the web client's reads (the ``@api.readonly`` methods) on read-only cursors
    and retries a request that wrote on a read/write one, with a WARNING. A model whose reads
    write (decrypting a field writes its audit entry; a report table brings itself up to date)
    inherits this: ``_readonly = False`` on each read method is what the web client's
    ``call_kw`` route looks up.
    """

    _name = "ecom.writing.reads.mixin"
    _description = "Reads That Write"

    def read(self, fields=None, load="_classic_read"):
        return super().read(fields=fields, load=load)

    read._readonly = False

    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        return super().search_read(
            domain=domain, fields=fields, offset=offset, limit=limit, order=order, **read_kwargs
        )

    search_read._readonly = False

    @api.model
    def search_count(self, domain, limit=None):
        return super().search_count(domain, limit=limit)

    search_count._readonly = False

    def web_read(self, specification):
        return super().web_read(specification)

    web_read._readonly = False

    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    web_search_read._readonly = False

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        return super().read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
        )

    read_group._readonly = False

    @api.model
    def web_read_group(self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True):
        return super().web_read_group(
            domain, fields, groupby, limit=limit, offset=offset, orderby=orderby, lazy=lazy
        )

    web_read_group._readonly = False
