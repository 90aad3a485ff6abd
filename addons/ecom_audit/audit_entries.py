# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The entries of the audit trail before they are chained: their values and their company.

Plain functions over an environment (``ecom.audit.log`` calls them while it buffers entries).
"""

from odoo.exceptions import MissingError


def entry_ids(res_ids):
    """The record ids of an entry's ``res_ids`` text (``"1,2,3"``)."""
    return [int(part) for part in (res_ids or "").split(",") if part.strip().isdigit()]


class AuthorCache(dict):
    """Environment -> (uid, login, company, origin) for one transaction. Odoo's tests deep-copy
    the pre-commit data, which environments refuse: a copy of a cache starts empty."""

    def __deepcopy__(self, memo):
        return AuthorCache()


def has_company_field(env, model):
    """Whether ``model`` files its records under a company (a ``company_id`` to ``res.company``)."""
    Model = env.get(model)
    field = Model._fields.get("company_id") if Model is not None else None
    return bool(field) and field.type == "many2one" and field.comodel_name == "res.company"


def by_record_company(env, records, author_company_id):
    """``records`` with the company of the records they are about: an entry goes to the
    Auditors of the record's company, not of the company the author was working in.

    An entry on records of several companies is split, one per company. The models without a
    ``company_id`` (groups, rules) and the records without a company keep the author's company;
    an entry that names its company (logins, alerts) keeps it. ``env``: the trail's (the
    superuser's): the record's company is read to file the entry, not shown to the author.
    """
    ids_by_model = {}
    for record in records:
        if "company_id" not in record and has_company_field(env, record["model"]):
            ids_by_model.setdefault(record["model"], set()).update(entry_ids(record["res_ids"]))
    if not ids_by_model:
        return records
    companies = {}
    for model, ids in ids_by_model.items():
        rows = env[model].browse(sorted(ids))
        try:
            companies[model] = {row.id: row.company_id.id for row in rows}
        except MissingError:
            companies[model] = {row.id: row.company_id.id for row in rows.exists()}
    split = []
    for record in records:
        by_id = companies.get(record["model"])
        if by_id is None or "company_id" in record:
            split.append(record)
            continue
        groups = {}
        ids = entry_ids(record["res_ids"])
        for res_id in ids:
            groups.setdefault(by_id.get(res_id) or author_company_id, []).append(res_id)
        if len(groups) <= 1:
            split.append({**record, "company_id": next(iter(groups), author_company_id)})
            continue
        for company_id, group in groups.items():
            changes = record.get("changes") or {}
            if changes.get("count") == len(ids):  # an export: the count of this company's part
                changes = {**changes, "count": len(group)}
            split.append(
                {**record, "res_ids": ",".join(map(str, group)), "company_id": company_id, "changes": changes}
            )
    return split
