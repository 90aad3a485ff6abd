# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The load of a statement's lines: staged, then inserted set-wise with their keys."""

from odoo.tools import SQL

from ecomfin.ingest import LINE_COLUMNS, statement_rows
from ecomfin.money import money_repr

from ..import_errors import warnings_text
from .staging import check_currencies, copy_to_temp, counted, currency_named, sole

LINES_TABLE = "ecom_import_lines"
# the columns of the staging table and their PostgreSQL types
STAGED_TYPES = {
    "line_no": "integer",
    "dedup_base": "varchar",
    "provider_txn_id": "varchar",
    "order_ref": "varchar",
    "merchant_order_ref": "varchar",
    "counterparty": "varchar",
    "line_type": "varchar",
    "gross": "numeric",
    "fee": "numeric",
    "net": "numeric",
    "currency": "varchar",
    "occurred_at": "timestamp",
    "payout_ref": "varchar",
    "memo": "varchar",
    "raw": "jsonb",
}


def load_lines(statement, shop, parsed, progress):
    """Insert the lines of ``parsed`` into ``statement`` of ``shop``; return the statement's values.

    A line already imported for the shop (same key) is skipped; identical keys inside the
    file are numbered (see ``ecomfin.ingest``) and flagged.
    """
    statement.ensure_one()
    env = statement.env
    copy_to_temp(
        env.cr, LINES_TABLE, LINE_COLUMNS, STAGED_TYPES, counted(statement_rows(parsed, parsed.fmt), progress)
    )
    table = SQL.identifier(LINES_TABLE)
    check_currencies(env, LINES_TABLE, statement.filename)
    env.cr.execute(
        SQL(
            """
            WITH numbered AS (
                SELECT t.*,
                       row_number() OVER (PARTITION BY t.dedup_base ORDER BY t.line_no) - 1 AS occurrence,
                       count(*) OVER (PARTITION BY t.dedup_base) AS same_key
                  FROM %(table)s t
            )
            INSERT INTO ecom_statement_line (
                statement_id, shop_id, company_id, line_no, provider_txn_id, order_ref,
                merchant_order_ref, counterparty, line_type, currency_id, gross, fee, net,
                occurred_at, payout_ref, memo, raw, dedup_key, fingerprint_collision,
                create_uid, create_date, write_uid, write_date)
            SELECT %(statement)s, %(shop)s, %(company)s, n.line_no, n.provider_txn_id, n.order_ref,
                   n.merchant_order_ref, n.counterparty, n.line_type, c.id, n.gross, n.fee, n.net,
                   n.occurred_at, n.payout_ref, n.memo, n.raw,
                   CASE WHEN n.occurrence = 0 THEN n.dedup_base
                        ELSE n.dedup_base || ':' || n.occurrence END,
                   n.same_key > 1,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM numbered n
              JOIN res_currency c ON c.name = n.currency
             ORDER BY n.line_no
            ON CONFLICT (shop_id, dedup_key) DO NOTHING
            """,
            table=table,
            statement=statement.id,
            shop=shop.id,
            company=shop.company_id.id,
            uid=env.uid,
        )
    )
    created = env.cr.rowcount
    totals = env.execute_query(
        SQL(
            "SELECT line_type, count(*), sum(gross) FROM %s GROUP BY line_type ORDER BY line_type",
            table,
        )
    )
    ((count, first, last, collisions, currencies),) = env.execute_query(
        SQL(
            """SELECT count(*), min(occurred_at), max(occurred_at),
                      count(*) FILTER (WHERE same_key > 1), array_agg(DISTINCT currency)
                 FROM (SELECT *, count(*) OVER (PARTITION BY dedup_base) AS same_key FROM %s) t""",
            table,
        )
    )
    env["ecom.statement.line"].invalidate_model()
    currency_code = parsed.currency or sole(currencies)
    currency = currency_named(env, currency_code)
    return {
        "line_count": count,
        "lines_created": created,
        "lines_skipped": count - created,
        "collision_count": collisions,
        "period_start": first,
        "period_end": last,
        "currency_id": currency.id,
        "account": parsed.account or False,
        "totals": {line_type: money_repr(amount, currency_code) for line_type, _n, amount in totals},
        "warnings": warnings_text(env, parsed.warnings),
    }
