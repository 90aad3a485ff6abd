# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The finance roles, by xml id, for the addons above ``ecom_audit`` (import these, never
another addon's ``models``)."""

SHOP_OPERATOR = "ecom_audit.group_ecom_shop_operator"
WAREHOUSE_OPERATOR = "ecom_audit.group_ecom_warehouse_operator"
ACCOUNTANT = "ecom_audit.group_ecom_accountant"
MANAGER = "ecom_audit.group_ecom_manager"
AUDITOR = "ecom_audit.group_ecom_auditor"
PARTNER_API = "ecom_audit.group_ecom_partner_api"
# who may read the accounting side of the records (costs, entries, bank data): a ``groups=`` value
FINANCE_READERS = f"{ACCOUNTANT},{AUDITOR}"
