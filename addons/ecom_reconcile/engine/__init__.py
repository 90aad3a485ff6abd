# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The reconciliation engine: plain functions taking the run (and its rules), no models.

- ``scope``: the period, the imports read and what changed since the last run;
- ``order_pass``: orders against the channel's payments, set-wise in PostgreSQL;
- ``payout_pass``: settlements against bank credits (``ecomfin.matching``);
- ``results``: how the run's differences replace those of its last run;
- ``payout_entries``: the accounting of matched payouts (payout entries of bank credits).
"""
