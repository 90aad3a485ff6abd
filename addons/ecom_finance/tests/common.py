# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.addons.ecom_audit.tests.common import EcomRolesCase


class EcomShopCase(EcomRolesCase):
    """Roles from ecom_audit plus shops in two companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Shop = cls.env["ecom.shop"]
        cls.shop_own = Shop.create(
            {
                "name": "Own Tmall Shop",
                "code": "T-OWN",
                "company_id": cls.company.id,
                "platform": "tmall",
                "payment_channel": "alipay",
                "user_ids": [(4, cls.users["shop_operator"].id)],
            }
        )
        cls.shop_colleague = Shop.create(
            {
                "name": "Colleague Douyin Shop",
                "code": "D-COL",
                "company_id": cls.company.id,
                "platform": "douyin",
                "payment_channel": "wechat",
            }
        )
        cls.shop_other_company = Shop.create(
            {
                "name": "Other Company Shopify Shop",
                "code": "S-OTH",
                "company_id": cls.other_company.id,
                "currency_id": cls.env.ref("base.USD").id,
                "platform": "shopify",
                "payment_channel": "shopify_payments",
            }
        )
