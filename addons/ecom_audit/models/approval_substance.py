# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The substance of an approval request in words, for the people who decide on it.

The substance is what is hashed (``ecom_audit.approval``): ids, codes, UTC datetimes, as each
addon's ``_ecom_approval_substance`` writes it. Shown to an approver, it is read against the field
definitions of the target model, so that a new operation needs no code here:

- a key names a field of the target (``account_id``), or is the short name of one (``user`` for
  ``user_id``, ``from`` for ``date_from``, ``uom`` for the only field ending in ``_uom_id``); a key
  naming the target's model (``grant`` on ``ecom.access.grant``) is the record itself;
- many2one ids become display names (an account: code and name; a group: its full name; a user:
  their name), many2many lists and commands names, monetary amounts an amount with its currency,
  selections their label, datetimes the approver's local time, booleans yes or no;
- a change (``vals`` and ``before``, ``ecom.approval.mixin``) is shown before and after, side by
  side;
- a list of rows (the lines of a manual entry) is a table of raw values, unless the target model
  names their columns: ``_ecom_approval_substance_columns = {"lines": ("account.move.line",
  (None, "account_id", "partner_id", "debit", ...))}`` (None: a column not shown).

Every value is escaped with ``markupsafe``: the substance holds user input (reasons, labels).
"""

from copy import copy

from markupsafe import Markup

from odoo.tools.misc import format_amount, format_date, format_datetime, formatLang

RELATIONAL = ("many2one", "one2many", "many2many")
# the value types each field type shows in words; another value is shown as it is
ACCEPTS = {
    "many2one": (int, list),
    "one2many": (list,),
    "many2many": (list,),
    "selection": (str, int),
    "date": (str,),
    "datetime": (str,),
    "monetary": (int, float),
    "float": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "char": (str,),
    "text": (str,),
    "html": (str,),
}


class SubstanceView:
    """One request's substance as an HTML table (``html()``), read against its target model."""

    def __init__(self, request):
        self.env = request.env
        self.request = request
        self.substance = request.substance or {}
        # Names are read as the system: the approver sees what they decide on (the request shows
        # its substance anyway), even without rights on the records it names (an Accountant
        # approving a scrap and its location, a Finance Manager a grant and its group).
        self.Model = self.env[request.res_model].sudo() if request.res_model in self.env else None
        target = self.Model.browse(request.res_id) if self.Model is not None and request.res_id else None
        self.target = target.exists() if target is not None else None
        self.tz = self.env.context.get("tz") or self.env.user.tz or False

    # ------------------------------------------------------------------
    # Keys and fields
    # ------------------------------------------------------------------

    def field_for(self, key):
        """The field of the target model that ``key`` stands for, or None."""
        if self.Model is None or not isinstance(key, str):
            return None
        model_fields = self.Model._fields
        for name in (key, f"{key}_id", f"{key}_ids", f"date_{key}", f"{key}_date"):
            if name in model_fields:
                return model_fields[name]
        candidates = [
            field
            for name, field in model_fields.items()
            if name.endswith((f"_{key}_id", f"_{key}_ids")) or name.startswith(f"{key}_")
        ]
        return candidates[0] if len(candidates) == 1 else None

    def is_target(self, key, value):
        """Whether ``key`` names the target record itself (``"grant": 7`` on an access grant)."""
        return (
            self.target is not None
            and self.field_for(key) is None
            and value == self.request.res_id
            and key == self.request.res_model.rsplit(".", 1)[-1]
        )

    def label(self, key, field):
        if field is not None:
            return field._description_string(self.env)
        if self.target is not None and key == self.request.res_model.rsplit(".", 1)[-1]:
            return self.env["ir.model"]._get(self.request.res_model).name
        return str(key).replace("_", " ").capitalize()

    def ordered(self, keys):
        """Keys in the order of the model's fields, then the others by name."""
        names = self.Model._fields if self.Model is not None else {}
        order = {name: index for index, name in enumerate(names)}

        def rank(key):
            field = self.field_for(key)
            return (0, order[field.name], "") if field is not None else (1, 0, str(key))

        return sorted(keys, key=rank)

    # ------------------------------------------------------------------
    # Values
    # ------------------------------------------------------------------

    def currency(self, field, values):
        """The currency of a monetary ``field``: the one the substance names, else the target's,
        else the request's."""
        name = field.get_currency_field(self.Model) if hasattr(field, "get_currency_field") else None
        Currency = self.env["res.currency"].sudo()
        if name and isinstance(values.get(name), int) and values[name]:
            return Currency.browse(values[name]).exists() or self.request.currency_id
        for key in ("currency", "currency_id"):
            if isinstance(self.substance.get(key), str) and self.substance[key]:
                found = Currency.with_context(active_test=False).search([("name", "=", self.substance[key])])
                if found:
                    return found[:1]
        if name and self.target is not None and name in self.target._fields and self.target[name]:
            return self.target[name]
        return self.request.currency_id

    def names(self, comodel, ids):
        records = self.env[comodel].sudo().browse(ids)
        existing = records.exists()
        names = [record.display_name for record in existing]
        names += [
            self.env._("%(model)s #%(id)s (deleted)", model=comodel, id=record_id)
            for record_id in ids
            if record_id not in existing.ids
        ]
        return ", ".join(names)

    def relational(self, field, value):
        """A many2one id, a list of ids, or x2many commands, in names."""
        ids = value if isinstance(value, list) else [value]
        if not ids or not all(isinstance(item, list | tuple) for item in ids):
            return self.names(field.comodel_name, [item for item in ids if isinstance(item, int) and item])
        # commands, as the web client sends them: (6, 0, ids), (4, id), (3, id), (5,)
        parts = []
        for command in ids:
            code = command[0] if command else None
            if code == 6:
                parts.append(self.names(field.comodel_name, list(command[2])))
            elif code == 4:
                parts.append("+ " + self.names(field.comodel_name, [command[1]]))
            elif code in (2, 3):
                parts.append("- " + self.names(field.comodel_name, [command[1]]))
            elif code == 5:
                parts.append(self.env._("(none)"))
            else:
                parts.append(self.raw(command))
        return "; ".join(parts)

    def text(self, key, value, values):
        """``value`` of ``key`` in words (a str, or Markup for nested tables)."""
        field = self.field_for(key)
        if self.is_target(key, value):
            return self.target.display_name
        if value is None or (value is False and (field is None or field.type != "boolean")):
            return ""
        columns = self.columns(key, value)
        if columns:
            return self.table(*columns, value)
        if field is None or not isinstance(value, ACCEPTS.get(field.type, (object,))):
            return self.raw(value)
        if isinstance(value, bool) and field.type != "boolean":
            return self.raw(value)
        kind = field.type
        if kind in RELATIONAL:
            return self.relational(field, value)
        if kind == "selection":
            labels = dict(field._description_selection(self.env))
            return labels.get(value, str(value))
        if kind == "datetime":
            return format_datetime(self.env, value, tz=self.tz) if value else ""
        if kind == "date":
            return format_date(self.env, value) if value else ""
        if kind == "monetary":
            return format_amount(self.env, value, self.currency(field, values))
        if kind == "float":
            digits = field.get_digits(self.env)
            return formatLang(self.env, value, digits=digits[1] if digits else 2)
        if kind == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        return str(value)

    def columns(self, key, value):
        """(view of the rows' model, column names) of a list of rows the target model describes in
        ``_ecom_approval_substance_columns`` (``{key: (model, (field or None, ...))}``), else None."""
        spec = getattr(self.Model, "_ecom_approval_substance_columns", None) or {}
        if key not in spec or not isinstance(value, list) or not all(isinstance(row, list) for row in value):
            return None
        model, names = spec[key]
        if model not in self.env:
            return None
        rows = copy(self)
        rows.Model, rows.target, rows.substance = self.env[model].sudo(), None, {}
        return rows, names

    def table(self, rows, names, value):
        """Rows of values as a table, a column per named field (None: not shown)."""
        shown = [index for index, name in enumerate(names) if name]
        head = Markup("").join(
            Markup("<th>{}</th>").format(rows.label(names[index], rows.field_for(names[index])))
            for index in shown
        )
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(
                Markup("").join(
                    Markup("<td>{}</td>").format(
                        rows.text(names[index], row[index], dict(zip(names, row, strict=False)))
                        if index < len(row)
                        else ""
                    )
                    for index in shown
                )
            )
            for row in value
        )
        return Markup(
            '<table class="table table-sm mb-0"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>'
        ).format(head, body)

    def raw(self, value):
        """A value no field describes: numbers formatted, lists and mappings laid out."""
        if isinstance(value, bool):
            return self.env._("Yes") if value else self.env._("No")
        if isinstance(value, float):
            return formatLang(self.env, value)
        if isinstance(value, dict):
            return Markup("<br/>").join(
                Markup("{}: {}").format(self.label(key, self.field_for(key)), self.text(key, item, value))
                for key, item in sorted(value.items())
            )
        if isinstance(value, list):
            if value and all(isinstance(item, list) for item in value):
                rows = Markup("").join(
                    Markup("<tr>{}</tr>").format(
                        Markup("").join(Markup("<td>{}</td>").format(self.raw(cell)) for cell in item)
                    )
                    for item in value
                )
                return Markup('<table class="table table-sm mb-0"><tbody>{}</tbody></table>').format(rows)
            return ", ".join(str(self.raw(item)) for item in value)
        return "" if value is None else str(value)

    # ------------------------------------------------------------------
    # The table
    # ------------------------------------------------------------------

    def rows(self):
        """(header, [(label, cells, changed)]) of the substance."""
        substance = self.substance
        if isinstance(substance.get("vals"), dict) and substance.get("op") in ("create", "write", "unlink"):
            before = substance.get("before") or {}
            vals = substance["vals"]
            if substance["op"] == "write":
                after = {**before, **vals}
                keys = self.ordered(set(vals) | set(before))
                rows = []
                for key in keys:
                    old, new = self.text(key, before.get(key), before), self.text(key, after.get(key), after)
                    rows.append((self.label(key, self.field_for(key)), [old, new], old != new))
                return [self.env._("Field"), self.env._("Before"), self.env._("After")], rows
            shown = vals if substance["op"] == "create" else before
            return (
                [self.env._("Field"), self.env._("Value")],
                [
                    (self.label(key, self.field_for(key)), [self.text(key, shown[key], shown)], False)
                    for key in self.ordered(shown)
                ],
            )
        return (
            [self.env._("Field"), self.env._("Value")],
            [
                (self.label(key, self.field_for(key)), [self.text(key, substance[key], substance)], False)
                for key in self.ordered(substance)
            ],
        )

    def html(self):
        header, rows = self.rows()
        head = Markup("").join(Markup("<th>{}</th>").format(title) for title in header)
        body = Markup("").join(
            Markup('<tr{}><th scope="row">{}</th>{}</tr>').format(
                Markup(' class="table-warning"') if changed else "",
                label,
                Markup("").join(Markup("<td>{}</td>").format(cell) for cell in cells),
            )
            for label, cells, changed in rows
        )
        return Markup(
            '<table class="table table-sm table-bordered o_ecom_approval_substance">'
            "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
        ).format(head, body)


def substance_html(request):
    """The substance of ``request`` in words, as escaped HTML (False without a substance)."""
    if not request.substance:
        return False
    return SubstanceView(request).html()
