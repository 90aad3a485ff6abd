from odoo import api, fields, models

from .ecom_statement import ORDER_PROFILES, PLATFORM_ORDER_PROFILE

PLATFORMS = [
    ("tmall", "Tmall"),
    ("taobao", "Taobao"),
    ("jd", "JD"),
    ("pdd", "Pinduoduo"),
    ("douyin", "Douyin"),
    ("shopify", "Shopify"),
    ("amazon", "Amazon"),
    ("other", "Other"),
]

PAYMENT_CHANNELS = [
    ("alipay", "Alipay"),
    ("wechat", "WeChat Pay"),
    ("shopify_payments", "Shopify Payments"),
    ("amazon", "Amazon Pay / Settlement"),
    ("stripe", "Stripe"),
    ("other", "Other"),
]


class EcomShop(models.Model):
    """A shop on a selling platform, paid through one payment channel.

    The anchor of e-commerce finance: imports, postings, reconciliation runs and
    access rules all hang off a shop.
    """

    _name = "ecom.shop"
    _description = "E-commerce Shop"
    _inherit = ["mail.thread", "ecom.encrypted.mixin"]
    _order = "sequence, name, id"
    _ecom_encrypted_fields = {"api_secret": "api_secret_token"}
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code of the shop, unique per company; used in references and file names.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
        help="Currency in which the platform settles this shop.",
    )
    platform = fields.Selection(PLATFORMS, required=True, default="other", tracking=True)
    payment_channel = fields.Selection(PAYMENT_CHANNELS, required=True, default="other", tracking=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        tracking=True,
        help="Warehouse the shop's orders ship from by default.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Settlement Journal",
        check_company=True,
        tracking=True,
        help="Journal receiving the settlement entries of this shop.",
    )
    clearing_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        tracking=True,
        help="Account holding the money the payment channel owes until it is paid out to the bank.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "ecom_shop_res_users_rel",
        "shop_id",
        "user_id",
        string="Allowed Users",
        help="Shop Operators see only the shops they are listed on.",
    )
    order_profile = fields.Selection(
        ORDER_PROFILES,
        compute="_compute_order_profile",
        store=True,
        readonly=False,
        help="Layout of the platform's order export; the canonical CSV works for every shop.",
    )
    bank_csv_profile_id = fields.Many2one(
        "ecom.bank.csv.profile",
        string="Bank CSV Profile",
        check_company=True,
        help="Column mapping used for bank statement CSV files imported for this shop.",
    )
    create_placeholder_products = fields.Boolean(
        help="An order import creates a placeholder product for each unknown SKU, flagged for "
        "review, instead of stopping with the list of unknown SKUs.",
    )
    api_secret = fields.Char(
        string="API Secret",
        compute="_compute_ecom_decrypted",
        inverse="_inverse_ecom_encrypted",
        groups="ecom_audit.group_ecom_manager",
        help="Secret of the platform or channel API; stored encrypted (AES-GCM), readable by Finance "
        "Managers only.",
    )
    api_secret_token = fields.Char(
        string="API Secret (encrypted)", readonly=True, copy=False, groups="base.group_system"
    )
    is_foreign_currency = fields.Boolean(
        compute="_compute_is_foreign_currency",
        help="The shop settles in another currency than its company's.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(company_id, code)",
            "The shop code must be unique per company.",
        ),
    ]

    @api.depends("platform")
    def _compute_order_profile(self):
        for shop in self:
            shop.order_profile = PLATFORM_ORDER_PROFILE.get(shop.platform, "canonical")

    @api.depends("currency_id", "company_id.currency_id")
    def _compute_is_foreign_currency(self):
        for shop in self:
            shop.is_foreign_currency = shop.currency_id != shop.company_id.currency_id
