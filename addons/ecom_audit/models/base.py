# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import contextvars

from odoo import api, models, modules
from odoo.exceptions import AccessError

from ..anomaly_settings import READ_LOG_MIN_ROWS
from ..audit_entries import has_company_field
from ..const import MASK
from ..denied import mark

# What is audited besides every ecom.* model: field changes that grant or restrict rights. The
# addons above add the models they answer for (the books: journal entries and items, stock
# valuation layers) with ``_ecom_audited_fields`` on the model.
AUDITED_MODELS = {
    "res.users": {"groups_id"},
    "res.groups": {"users", "implied_ids"},
    "ir.rule": None,  # every field
    "ir.model.access": None,
}
NOT_AUDITED = {"ecom.audit.log"}
# Set while a read of the caller is being counted: the reads it makes inside (``web_read`` reads
# through ``read``) are the same rows, counted once.
_COUNTING_READ = contextvars.ContextVar("ecom_audit_counting_read", default=False)
# Values never written to the log, only the fact that they changed; the encrypted fields of
# ``ecom.encrypted.mixin`` (and their tokens and indexes) are masked too.
SENSITIVE_FIELDS = {"password", "acc_number"}
# values the trail logs as they are
PLAIN_VALUES = {str, int, float, bool, type(None)}


def _domain_fields(domain):
    """The first field of every path a domain reads (``'a.b'`` -> ``'a'``)."""
    return sorted(
        {
            leaf[0].split(".", 1)[0]
            for leaf in domain or ()
            if isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str)
        }
    )


class Base(models.AbstractModel):
    """Writes an audit entry for every create, write and unlink of the audited models.

    No context key turns it off: entries are written in the same transaction as the
    change, whatever path (web client, RPC, import, cron) the change took.
    """

    _inherit = "base"
    # the audited fields of a model outside ``ecom.*`` (a set of names, or True for all)
    _ecom_audited_fields = None

    @api.model
    def _ecom_audit_fields(self):
        """None when the model is not audited, else the audited field names (all: ``True``)."""
        if self._transient or self._abstract or self._name in NOT_AUDITED:
            return None
        if self._name.startswith("ecom."):
            return True
        if self._name in AUDITED_MODELS:
            return AUDITED_MODELS[self._name] or True
        return self._ecom_audited_fields

    # ------------------------------------------------------------------
    # Restricted relations of the ecom models
    # ------------------------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Odoo checks the groups of a field in a domain when it reads the field's column; a
        # many2many has none, so a Shop Operator could find an ecom record by finance data it
        # cannot read (the journal entries of a settlement, ``('move_ids', 'in', ids)``).
        if self._name.startswith("ecom.") and not self.env.su:
            self.check_field_access_rights("read", _domain_fields(domain))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        # grouping by a many2many is not checked either, and it names the groups' records
        if self._name.startswith("ecom.") and not self.env.su:
            self.check_field_access_rights("read", [spec.split(":")[0].split(".")[0] for spec in groupby])
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    # ------------------------------------------------------------------
    # Refusals: noted on the error, logged if it reaches the caller (denied.py)
    # ------------------------------------------------------------------

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result is None or self._ecom_audit_fields() is None:
            return result
        # the error Odoo makes of a refusal (``check_access`` raises it) names what was refused
        refused, make_error = result

        def make_noted_error(*args, **kwargs):
            return mark(make_error(*args, **kwargs), self.env, self._name, refused.ids, operation)

        return refused, make_noted_error

    @api.model
    def check_field_access_rights(self, operation, field_names):
        try:
            return super().check_field_access_rights(operation, field_names)
        except AccessError as error:
            if self._ecom_audit_fields() is not None:
                mark(error, self.env, self._name, self.ids, operation)
            raise

    @api.model
    def _ecom_audit_exports(self):
        """Whether exports of this model are logged: the audited models and the trail itself."""
        return self._name in NOT_AUDITED or self._ecom_audit_fields() is not None

    def _ecom_audit_masked(self):
        """The fields whose values the trail never holds: a change of one is logged as masked
        (``***``). Models add theirs (secrets, encrypted values, token hashes)."""
        return SENSITIVE_FIELDS

    def _ecom_audit_value(self, name, value):
        if name in self._ecom_audit_masked():
            return MASK if value else value
        field = self._fields.get(name)
        if field is None:
            return value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if field.type in ("many2one", "one2many", "many2many"):
            return sorted(value.ids) if isinstance(value, models.BaseModel) else value
        if field.type in ("date", "datetime"):
            return field.to_string(value) if value else False
        if field.type in ("binary", "html"):
            return f"<{field.type}>" if value else False
        if isinstance(value, str | int | float | bool | type(None) | dict | list):
            return value
        return str(value)

    def _ecom_audit_names(self, audited, names):
        stored = [
            n
            for n in names
            if n in self._fields and (self._fields[n].store or self._fields[n].type == "many2many")
        ]
        return stored if audited is True else [n for n in stored if n in audited]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        audited = self._ecom_audit_fields()
        if audited is not None and records:
            entries = []
            # each record's company, or the author's (as in ``write``)
            companies = records.sudo()._ecom_audit_companies()
            for index, (record, vals) in enumerate(zip(records, vals_list, strict=False)):
                names = self._ecom_audit_names(audited, list(vals))
                changes = {n: [None, record._ecom_audit_value(n, record[n])] for n in names}
                entry = {
                    "model": self._name,
                    "res_ids": str(record.id),
                    "operation": "create",
                    "changes": changes,
                }
                if companies is not None:
                    entry["company_id"] = companies[index]
                entries.append(entry)
            self.env["ecom.audit.log"].sudo()._append(entries)
        return records

    def write(self, vals):
        audited = self._ecom_audit_fields()
        if audited is None or not self:
            return super().write(vals)
        names = self._ecom_audit_names(audited, vals)
        if not names:
            return super().write(vals)
        # this runs for every audited write, set-wise ones included: the values are read column
        # by column (a scalar field's ``mapped`` reads the cache in bulk), not record by record
        records = self.sudo()
        # a masked value is compared unmasked: its change is logged, never its value
        masked = self._ecom_audit_masked()
        secret = [n for n in names if n in masked]
        names = [n for n in names if n not in masked]
        before = [records._ecom_audit_column(name) for name in names]
        secret_before = [records._ecom_audit_column(name, raw=True) for name in secret]
        result = super().write(vals)
        after = [records._ecom_audit_column(name) for name in names]
        secret_after = [records._ecom_audit_column(name, raw=True) for name in secret]
        companies = records._ecom_audit_companies()
        entries = []
        for index, record_id in enumerate(records.ids):
            changes = {}
            for name, old_values, new_values in zip(names, before, after, strict=True):
                old, new = old_values[index], new_values[index]
                if new != old:
                    changes[name] = [old, new]
            for name, old_values, new_values in zip(secret, secret_before, secret_after, strict=True):
                old, new = old_values[index], new_values[index]
                if new != old:
                    changes[name] = [MASK if old else old, MASK if new else new]
            if changes:
                entry = {
                    "model": self._name,
                    "res_ids": str(record_id),
                    "operation": "write",
                    "changes": changes,
                }
                if companies is not None:
                    entry["company_id"] = companies[index]
                entries.append(entry)
        self.env["ecom.audit.log"].sudo()._append(entries)
        return result

    def _ecom_audit_column(self, name, raw=False):
        """The values of field ``name`` of ``self`` as the trail logs them (``_ecom_audit_value``),
        one per record in order; ``raw``: as they are (a masked field's, to compare them). Plain
        values are taken as they are (a model masks a field through ``_ecom_audit_masked``)."""
        field = self._fields[name]
        if field.type in ("many2one", "one2many", "many2many"):
            values = [record[name] for record in self]
        else:
            values = self.mapped(name)
        if raw:
            return values
        if name in self._ecom_audit_masked() or field.type in (
            "many2one",
            "one2many",
            "many2many",
            "date",
            "datetime",
        ):
            return [self._ecom_audit_value(name, value) for value in values]
        if field.type in ("binary", "html"):
            return [f"<{field.type}>" if value else False for value in values]
        return [
            value if type(value) in PLAIN_VALUES else self._ecom_audit_value(name, value) for value in values
        ]

    def _ecom_audit_companies(self):
        """The company each record of ``self`` is filed under in the trail, in order: its own, or
        the author's when it has none (as ``by_record_company`` does); None when the model has no
        company. The records of one company (the usual write) are not read one by one."""
        if not has_company_field(self.env, self._name):
            return None
        author_company = self.env.company.id
        found = self.mapped("company_id")
        if not found or found.ids == [author_company]:
            return [author_company] * len(self)
        return [record.company_id.id or author_company for record in self]

    def export_data(self, fields_to_export):
        """Log the export (records, count, field names; never the values) with the change entries.

        The web client's export (``/web/export/csv``, ``/web/export/xlsx``, grouped or not) and
        RPC both come through here; like the other entries, no context key skips it.
        """
        # Odoo exports what it is given: the external ids of records the caller cannot read
        # (``['id']``) would come out, and be created, without a look at the caller's rights
        self.check_access("read")
        result = super().export_data(fields_to_export)
        if self and self._ecom_audit_exports():
            self.env["ecom.audit.log"].sudo()._append(
                [
                    {
                        "model": self._name,
                        "res_ids": ",".join(map(str, self.ids)),
                        "operation": "export",
                        "changes": {"fields": list(fields_to_export), "count": len(self)},
                    }
                ]
            )
        return result

    # ------------------------------------------------------------------
    # Large reads: a scraper's search_read is an export by another name
    # ------------------------------------------------------------------

    def _ecom_audit_large_read(self, method, rows, fields_read):
        """Log a read of more than ``READ_LOG_MIN_ROWS`` rows of an audited model made through a
        request (web client or RPC) by a user (not the system), like an export: the records,
        their count and the field names, with the method (``changes.method``)."""
        if len(rows) <= READ_LOG_MIN_ROWS or self.env.su or not self._ecom_audit_exports():
            return
        Log = self.env["ecom.audit.log"].sudo()
        if Log._change_origin() not in ("web", "rpc"):
            return
        entry = {
            "model": self._name,
            "res_ids": ",".join(str(row["id"]) for row in rows if "id" in row),
            "operation": "export",
            "changes": {"method": method, "fields": sorted(fields_read or []), "count": len(rows)},
        }
        if self.env.cr.readonly and not modules.module.current_test:
            # Odoo 18 serves the web client's reads on read-only cursors: the entry is chained at
            # once, in a transaction of its own (what was read stays read; Odoo would otherwise
            # run the whole request again on a read/write cursor, with a WARNING)
            with self.env.registry.cursor() as cr:
                Log.with_env(Log.env(cr=cr))._append([entry])
            return
        Log._append([entry])

    def _ecom_counted_read(self, method, read, fields_read):
        if _COUNTING_READ.get():
            return read()
        token = _COUNTING_READ.set(True)
        try:
            rows = read()
        finally:
            _COUNTING_READ.reset(token)
        self._ecom_audit_large_read(method, rows, fields_read)
        return rows

    @api.readonly
    def read(self, fields=None, load="_classic_read"):
        # the web client's lists and forms (web_search_read, web_read) read through here
        return self._ecom_counted_read("read", lambda: super(Base, self).read(fields, load=load), fields)

    @api.model
    @api.readonly
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        return self._ecom_counted_read(
            "search_read",
            lambda: super(Base, self).search_read(
                domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
            ),
            fields,
        )

    def unlink(self):
        audited = self._ecom_audit_fields()
        if audited is not None and self:
            self.env["ecom.audit.log"].sudo()._append(
                [
                    {
                        "model": self._name,
                        "res_ids": ",".join(map(str, self.ids)),
                        "operation": "unlink",
                        "changes": {},
                    }
                ]
            )
        return super().unlink()
