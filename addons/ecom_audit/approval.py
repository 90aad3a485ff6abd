# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the approval models share with the addons they guard, outside the ORM.

Two context variables (``contextvars``, per thread and per task), set only by Python code of
the addons and never from a request: an RPC caller cannot reach them, unlike the context of
a call (``with_context``), which every caller controls.
"""

import contextlib
import contextvars

from odoo.exceptions import AccessError

from ecomfin.canonical import canonical_fixed, fixed_hash

# Set while an approval request changes its own state and decisions (its write() refuses
# every other writer).
_REQUEST_WRITE = contextvars.ContextVar("ecom_approval_request_write", default=False)
# Set while an approved change is applied, or while a system path of the addons (settlement
# posting, the default posting rules of a shop's setup) makes what the guards otherwise hold
# for an approval.
_APPROVED = contextvars.ContextVar("ecom_approval_approved", default=False)


@contextlib.contextmanager
def _set(var):
    token = var.set(True)
    try:
        yield
    finally:
        var.reset(token)


def request_write():
    return _set(_REQUEST_WRITE)


def approved_change():
    """Run the block as an approved change (Python callers only: apply methods, system paths)."""
    return _set(_APPROVED)


def in_request_write():
    return _REQUEST_WRITE.get()


def in_approved_change():
    return _APPROVED.get()


def protected_in(vals_list, protected, creating=False, defaults=None):
    """The protected field names that ``vals_list`` sets, when not written by the model's own code.

    One rule for ``create`` (``copy`` and ``load`` create through it) and ``write``: outside an
    approved change a protected field is refused, except, when creating, an empty value or the
    field's default in ``defaults`` (``{"state": "draft"}`` unless given: what the web client
    sends as defaults).
    """
    if in_approved_change():
        return set()
    defaults = {"state": "draft"} if defaults is None else defaults
    found = set()
    for vals in vals_list:
        found |= {
            name
            for name in protected & set(vals)
            if not creating or (vals[name] and not (name in defaults and vals[name] == defaults[name]))
        }
    return found


class OwnFields:
    """The fields a model's own code writes and nobody else. The model's code writes them inside
    ``guard.writing()``; its ``create`` and ``write`` refuse what ``guard.found(vals_list,
    creating)`` names (anything else: RPC, a form, ``copy``, ``load``), with its own message
    (``guard.refuse``)."""

    def __init__(self, name, fields, defaults=None):
        self._writing = contextvars.ContextVar(name, default=False)
        self.fields = frozenset(fields)
        self.defaults = defaults

    def writing(self):
        return _set(self._writing)

    def is_writing(self):
        return self._writing.get()

    def found(self, vals_list, creating=False):
        """The guarded field names ``vals_list`` sets from outside the model's own code."""
        if self._writing.get():
            return set()
        return protected_in(vals_list, self.fields, creating=creating, defaults=self.defaults)

    def refuse(self, vals_list, message, creating=False):
        """Raise an ``AccessError`` when ``vals_list`` sets guarded fields from outside the model's
        own code: ``message(names)`` words it, ``names`` the fields found, sorted and joined."""
        found = self.found(vals_list, creating=creating)
        if found:
            raise AccessError(message(", ".join(sorted(found))))


def canonical_json(substance):
    """The substance of a request as canonical JSON (sorted keys, compact, fixed decimals)."""
    return canonical_fixed(substance)


def substance_hash(substance):
    return fixed_hash(substance)
