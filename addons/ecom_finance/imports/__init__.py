# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The set-wise load of a parsed file (plain functions over ``env``/``cr`` and records).

``staging``: COPY of the parsed rows into a temporary table; ``statement_lines`` and
``orders``: the ``INSERT ... SELECT`` from it into ``ecom_statement_line`` and
``ecom_order``/``ecom_order_line``. The rights are checked by ``ecom.statement`` before.
"""
