# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The load of an order export: staged, then orders inserted or updated set-wise."""

from odoo.tools import SQL

from odoo.addons.ecom_audit.const import field_keyring

from ecomfin.errors import InputError
from ecomfin.ingest import ORDER_LINE_COLUMNS, order_rows
from ecomfin.money import money_repr

from ..import_errors import warnings_text
from .staging import check_currencies, copy_to_temp, counted, currency_named, sole

ORDERS_TABLE = "ecom_import_order_lines"
SEALED_TABLE = "ecom_import_order_sealed"
SKUS_TABLE = "ecom_import_skus"
# the columns of the staging table and their PostgreSQL types
STAGED_TYPES = {
    "line_no": "integer",
    "order_ref": "varchar",
    "order_time": "timestamp",
    "paid_time": "timestamp",
    "status": "varchar",
    "currency": "varchar",
    "amount_paid": "numeric",
    "refund_amount": "numeric",
    "sku": "varchar",
    "quantity": "numeric",
    "unit_price": "numeric",
    "line_amount": "numeric",
}
# The columns of ecom_order an order export updates on the orders already known, and the kind of
# their values in the audit trail (see order_changes_sql).
ORDER_UPDATED_COLUMNS = {
    "status": "value",
    "refund_amount": "value",
    "paid_time": "datetime",
    "last_statement_id": "many2one",
}


def _audit_json(column, kind):
    """``column`` as jsonb, as the audit trail writes a value of this kind."""
    if kind == "datetime":
        return SQL("COALESCE(to_jsonb(to_char(%s, 'YYYY-MM-DD HH24:MI:SS')), 'false'::jsonb)", column)
    if kind == "many2one":
        return SQL("CASE WHEN %s IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(%s) END", column, column)
    return SQL("to_jsonb(%s)", column)


def load_orders(statement, shop, parsed, progress):
    """Insert or update the orders of ``parsed`` for ``statement`` of ``shop``; return the statement's values.

    New orders are inserted with their lines and their buyer's data encrypted; the orders
    already known have their status and refund updated (audited).
    """
    statement.ensure_one()
    env = statement.env
    # the buyer's data stays out of the temporary table: {order_ref: {field: text}}
    personal = {}
    copy_to_temp(
        env.cr,
        ORDERS_TABLE,
        ORDER_LINE_COLUMNS,
        STAGED_TYPES,
        counted(order_rows(parsed, personal), progress),
    )
    table = SQL.identifier(ORDERS_TABLE)
    check_currencies(env, ORDERS_TABLE, statement.filename)
    map_skus(statement, shop)
    sealed_columns = seal_new_orders(env, shop, personal)
    del personal
    cr = env.cr
    now = SQL("now() AT TIME ZONE 'UTC'")
    # The orders already known are updated in place: their values before the update are
    # read in the same statement (one snapshot), and the changes come back old -> new for
    # the audit trail.
    cr.execute(
        SQL(
            """
            WITH previous AS (
                SELECT o.id, %(audited)s FROM ecom_order o
                 WHERE o.shop_id = %(shop)s AND o.name IN (SELECT t.order_ref FROM %(table)s t)
            ), written AS (
            INSERT INTO ecom_order (
                id, name, shop_id, company_id, statement_id, status, currency_id, amount_paid,
                refund_amount, order_time, paid_time, %(sealed_columns)s,
                fulfilment_state, create_uid, create_date, write_uid, write_date)
            SELECT COALESCE(k.id, nextval(%(sequence)s::regclass)),
                   o.order_ref, %(shop)s, %(company)s, %(statement)s, o.status, o.currency_id,
                   o.amount_paid, o.refund_amount, o.order_time, o.paid_time, %(sealed_values)s,
                   'none',
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (SELECT DISTINCT ON (t.order_ref)
                           t.order_ref, t.status, c.id AS currency_id, t.amount_paid, t.refund_amount,
                           t.order_time, t.paid_time
                      FROM %(table)s t
                      JOIN res_currency c ON c.name = t.currency
                     ORDER BY t.order_ref, t.line_no) o
              LEFT JOIN %(sealed)s k ON k.order_ref = o.order_ref
             ORDER BY o.order_ref
            ON CONFLICT (shop_id, name) DO UPDATE
               SET status = EXCLUDED.status,
                   refund_amount = EXCLUDED.refund_amount,
                   last_statement_id = EXCLUDED.statement_id,
                   paid_time = COALESCE(EXCLUDED.paid_time, ecom_order.paid_time),
                   write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
             WHERE (ecom_order.status, ecom_order.refund_amount)
                   IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.refund_amount)
            RETURNING ecom_order.id, %(returned)s, xmax = 0 AS inserted
            )
            SELECT w.id, w.inserted, CASE WHEN NOT w.inserted THEN %(changes)s END
              FROM written w
              LEFT JOIN previous p ON p.id = w.id
             ORDER BY w.id
            """,
            table=table,
            sealed=SQL.identifier(SEALED_TABLE),
            sealed_columns=SQL(", ").join(SQL.identifier(column) for column in sealed_columns),
            sealed_values=SQL(", ").join(SQL.identifier("k", column) for column in sealed_columns),
            sequence=order_id_sequence(env),
            shop=shop.id,
            company=shop.company_id.id,
            statement=statement.id,
            uid=env.uid,
            now=now,
            audited=SQL(", ").join(SQL.identifier("o", column) for column in ORDER_UPDATED_COLUMNS),
            returned=SQL(", ").join(SQL.identifier("ecom_order", column) for column in ORDER_UPDATED_COLUMNS),
            changes=order_changes_sql("p", "w"),
        )
    )
    written = cr.fetchall()
    created_ids = [order_id for order_id, inserted, _changes in written if inserted]
    audit_order_updates(
        env, shop, [(order_id, changes) for order_id, inserted, changes in written if not inserted]
    )
    cr.execute(
        SQL(
            """
            INSERT INTO ecom_order_line (
                order_id, company_id, line_no, sku, product_id, quantity, unit_price, subtotal,
                create_uid, create_date, write_uid, write_date)
            SELECT o.id, %(company)s, t.line_no, t.sku, s.product_id, t.quantity, t.unit_price,
                   t.line_amount, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM %(table)s t
              JOIN ecom_order o ON o.shop_id = %(shop)s AND o.name = t.order_ref
              JOIN %(skus)s s ON s.sku = t.sku
             WHERE o.id = ANY(%(created)s)
             ORDER BY t.line_no
            """,
            table=table,
            skus=SQL.identifier(SKUS_TABLE),
            shop=shop.id,
            company=shop.company_id.id,
            created=created_ids,
            uid=env.uid,
            now=now,
        )
    )
    lines_created = cr.rowcount
    ((rows, orders, first, last, currencies),) = env.execute_query(
        SQL(
            """SELECT count(*), count(DISTINCT order_ref), min(order_time), max(order_time),
                      array_agg(DISTINCT currency) FROM %s""",
            table,
        )
    )
    totals = env.execute_query(
        SQL(
            """SELECT status, sum(amount_paid) FROM (
                   SELECT DISTINCT ON (order_ref) status, amount_paid FROM %s ORDER BY order_ref, line_no
               ) o GROUP BY status ORDER BY status""",
            table,
        )
    )
    env["ecom.order"].invalidate_model()
    env["ecom.order.line"].invalidate_model()
    currency = currency_named(env, sole(currencies))
    return {
        "line_count": rows,
        "lines_created": lines_created,
        "lines_skipped": rows - lines_created,
        "orders_created": len(created_ids),
        "orders_updated": len(written) - len(created_ids),
        "period_start": first,
        "period_end": last,
        "currency_id": currency.id,
        "totals": {status: money_repr(amount, currency.name) for status, amount in totals},
        "warnings": "\n".join(
            text
            for text in (
                parsed.skipped_rows
                and env._("%s rows skipped by the profile (e.g. unpaid orders).", parsed.skipped_rows),
                warnings_text(env, parsed.warnings),
            )
            if text
        )
        or False,
    }


def order_changes_sql(old, new):
    """A jsonb ``{column: [old, new]}`` of the columns an import changes on a known order
    (``ORDER_UPDATED_COLUMNS``) between rows ``old`` and ``new``, the unchanged ones left out.

    The values are written as the audit trail writes an ORM change (``_ecom_audit_value`` of
    ``ecom_audit``): selections and amounts as they are, times as text, a many2one as the
    list of its id.
    """
    pairs = []
    for column, kind in ORDER_UPDATED_COLUMNS.items():
        before, after = SQL.identifier(old, column), SQL.identifier(new, column)
        pairs.append(
            SQL(
                "%s, CASE WHEN %s IS DISTINCT FROM %s THEN jsonb_build_array(%s, %s) END",
                column,
                before,
                after,
                _audit_json(before, kind),
                _audit_json(after, kind),
            )
        )
    return SQL("jsonb_strip_nulls(jsonb_build_object(%s))", SQL(", ").join(pairs))


def audit_order_updates(env, shop, changes):
    """One entry of the audit trail per known order the import changed: ``changes`` are
    (order id, {column: [old, new]}). The ORM audits its own writes; the import writes in SQL."""
    # the trail's buffer, written as ecom_audit's ORM hooks write it (nobody writes the trail)
    env["ecom.audit.log"].sudo()._append(
        [
            {
                "model": "ecom.order",
                "res_ids": str(order_id),
                "operation": "write",
                "changes": values,
                "company_id": shop.company_id.id,
            }
            for order_id, values in changes
            if values
        ]
    )


def order_id_sequence(env):
    return env.execute_query(SQL("SELECT pg_get_serial_sequence('ecom_order', 'id')"))[0][0]


def seal_new_orders(env, shop, personal):
    """Encrypt the buyer's data of the orders this import creates into temporary ``SEALED_TABLE``.

    A token is bound to its order's id, so the ids of the new orders that have buyer
    data are drawn from their sequence first and encrypted for; the INSERT then uses
    them (the others draw theirs as they are inserted). Orders already imported keep
    what they have. ``personal``: {order_ref: {field: plaintext}} of the file's orders.
    Returns the token and index columns of ``ecom.order`` the table holds.
    """
    Order = env["ecom.order"]
    sealed_columns = [
        *Order._ecom_encrypted_fields.values(),
        *(index_field for index_field, _normalize in Order._ecom_blind_indexes.values()),
    ]
    rows = []
    if personal:
        new_refs = sorted(
            ref
            for (ref,) in env.execute_query(
                SQL(
                    """SELECT DISTINCT t.order_ref FROM %s t
                        WHERE NOT EXISTS (SELECT FROM ecom_order o
                                           WHERE o.shop_id = %s AND o.name = t.order_ref)""",
                    SQL.identifier(ORDERS_TABLE),
                    shop.id,
                )
            )
            if ref in personal
        )
        if new_refs:
            keyring = field_keyring(env)
            ids = env.execute_query(
                SQL(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    order_id_sequence(env),
                    len(new_refs),
                )
            )
            for ref, (order_id,) in zip(new_refs, ids, strict=True):
                sealed = Order._ecom_sealed_values(keyring, order_id, personal[ref])
                rows.append((ref, order_id, *(sealed[column] for column in sealed_columns)))
    types = {"order_ref": "varchar", "id": "integer", **dict.fromkeys(sealed_columns, "varchar")}
    copy_to_temp(env.cr, SEALED_TABLE, ("order_ref", "id", *sealed_columns), types, rows)
    return sealed_columns


def map_skus(statement, shop):
    """Resolve the SKUs of the staged order lines to products of the shop's company.

    Unknown SKUs stop the import with their list, unless the shop creates placeholder
    products for them.
    """
    env = statement.env
    cr = env.cr
    company = shop.company_id.id
    env.flush_all()
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(SKUS_TABLE)))
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE %(skus)s ON COMMIT DROP AS
            SELECT t.sku, min(pp.id) AS product_id
              FROM (SELECT DISTINCT sku FROM %(table)s) t
              LEFT JOIN (product_product pp
                         JOIN product_template pt
                           ON pt.id = pp.product_tmpl_id
                          AND pt.active
                          AND (pt.company_id IS NULL OR pt.company_id = %(company)s))
                     ON pp.default_code = t.sku AND pp.active
             GROUP BY t.sku
            """,
            skus=SQL.identifier(SKUS_TABLE),
            table=SQL.identifier(ORDERS_TABLE),
            company=company,
        )
    )
    unknown = [
        row[0]
        for row in env.execute_query(
            SQL("SELECT sku FROM %s WHERE product_id IS NULL ORDER BY sku", SQL.identifier(SKUS_TABLE))
        )
    ]
    if not unknown:
        return
    if not shop.create_placeholder_products:
        shown = ", ".join(unknown[:50]) + (" ..." if len(unknown) > 50 else "")
        raise InputError(
            "unknown_skus",
            {"count": len(unknown), "skus": shown},
            filename=statement.filename,
            column="sku",
        )
    # The shop's configuration (set by a Finance Manager) asks for placeholders: they are
    # created whatever the importing user's rights on products, and flagged for review.
    products = (
        env["product.product"]
        .sudo()
        .create(
            [
                {
                    "name": sku,
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                    "company_id": company,
                    "ecom_placeholder": True,
                }
                for sku in unknown
            ]
        )
    )
    env.flush_all()
    cr.execute(
        SQL(
            """UPDATE %s s SET product_id = p.id
                 FROM product_product p
                WHERE p.id = ANY(%s) AND p.default_code = s.sku AND s.product_id IS NULL""",
            SQL.identifier(SKUS_TABLE),
            products.ids,
        )
    )
    statement.message_post(
        body=env._("%s placeholder products created for unknown SKUs.", len(products)),
    )
