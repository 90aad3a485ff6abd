# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Savepoints that are rolled back take their audit entries with them, and only theirs.

Audit entries wait in the transaction's pre-commit data until they are chained
(``ecom.audit.log._flush_pending``). Odoo's flushing savepoints chain them when they open and
clear the pre-commit data when they roll back, which drops the entries of the undone changes.
A non-flushing savepoint (``cr.savepoint(flush=False)``, used by ``load`` and the import's test
run) clears nothing: without this patch, the entries of the changes it undoes would be chained
as if the changes had been made. A savepoint notes where the buffer of entries stands when it
opens; its rollback cuts the buffer back to there. When the entries were chained meanwhile
(a flush inside the savepoint), the database undid that chaining too: the entries from before
the savepoint wait again, none from after it.
"""

from odoo import SUPERUSER_ID, api
from odoo.sql_db import Savepoint

BUFFER = "ecom_audit_buffer"


def _buffer_mark(cr):
    # savepoints are also opened on plain database cursors (the tests' cursor), which hold no entry
    precommit = getattr(cr, "precommit", None)
    buffer = precommit.data.get(BUFFER) if precommit is not None else None
    return (buffer, len(buffer)) if buffer is not None else (None, 0)


def _rolled_back(cr, mark):
    if getattr(cr, "precommit", None) is None:
        return
    data = cr.precommit.data
    marked, length = mark
    buffer = data.get(BUFFER)
    if buffer is not None and buffer is marked:
        del buffer[length:]
        return
    if buffer is not None:
        buffer[:] = marked[:length] if marked is not None else []
    elif marked is not None and length:
        data[BUFFER] = marked[:length]
        cr.precommit.add(api.Environment(cr, SUPERUSER_ID, {})["ecom.audit.log"]._flush_pending)


def patch_savepoint():
    if getattr(Savepoint, "_ecom_audit_patched", False):
        return
    open_savepoint, rollback = Savepoint.__init__, Savepoint.rollback

    def __init__(self, cr):
        self._ecom_audit_mark = _buffer_mark(cr)
        open_savepoint(self, cr)

    def rollback_entries(self):
        rollback(self)
        _rolled_back(self._cr, self._ecom_audit_mark)

    Savepoint.__init__ = __init__
    Savepoint.rollback = rollback_entries
    Savepoint._ecom_audit_patched = True
