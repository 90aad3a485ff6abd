# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Odoo's rate of the day in SQL: one reading of ``res_currency_rate`` for the suggestions'
bands (set-wise, per line) and for the FX gap of the match an accepted suggestion makes.

It reads the rates as ``res.currency._get_rates`` does: those of the company's root company
(else those of no company), the latest at or before the day, else the first one, else 1.
Odoo's rate is how many units of the currency one unit of the company's currency is worth, so
one unit of ``A`` is worth ``rate(B) / rate(A)`` units of ``B``. The day of a channel line is
the date of its time (UTC), as the order stage compares them.
"""

from odoo.tools import SQL


def rate_sql(currency, company, day):
    """SQL of Odoo's rate of ``currency`` for the root company ``company`` on ``day`` (each an
    SQL expression or a value)."""
    return SQL(
        """COALESCE(
             (SELECT r.rate FROM res_currency_rate r
               WHERE r.currency_id = %(currency)s AND (r.company_id = %(company)s OR r.company_id IS NULL)
                 AND r.name <= %(day)s
               ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1),
             (SELECT r.rate FROM res_currency_rate r
               WHERE r.currency_id = %(currency)s AND (r.company_id = %(company)s OR r.company_id IS NULL)
               ORDER BY r.company_id NULLS LAST, r.name LIMIT 1),
             1.0)""",
        currency=currency,
        company=company,
        day=day,
    )


def conversion_sql(from_currency, to_currency, company, day):
    """SQL of what one unit of ``from_currency`` is worth in ``to_currency`` on ``day``."""
    return SQL(
        "(%s::numeric / NULLIF(%s, 0))",
        rate_sql(to_currency, company, day),
        rate_sql(from_currency, company, day),
    )


def conversion(env, from_currency, to_currency, company, day):
    """What one unit of ``from_currency`` (a record) is worth in ``to_currency`` on ``day`` (a
    date) for ``company``, as a float (1 for one currency)."""
    if from_currency == to_currency:
        return 1.0
    [(rate,)] = env.execute_query(
        SQL("SELECT %s", conversion_sql(from_currency.id, to_currency.id, company.root_id.id, day))
    )
    return float(rate or 0.0)
