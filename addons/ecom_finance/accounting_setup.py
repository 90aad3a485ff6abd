# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Set Up Accounting of shops: what posting needs, created where missing (plain functions)."""

from odoo.exceptions import UserError

from odoo.addons.ecom_audit.approval import approved_change

from .posting_defaults import CHANNEL_SUFFIX, CLEARING_PREFIX, EVENT_ACCOUNTS, EXTRA_ACCOUNTS


def setup_accounting(shops):
    """Give the shops what posting needs, keeping whatever is already set.

    The e-commerce journal of the company, a clearing account per payment channel, the
    channel as a partner, and the company's default posting rules on its chart of
    accounts (Odoo's generic chart or the Chinese one).
    """
    env = shops.env
    done = []
    for shop in shops:
        company = shop.company_id
        chart = company.chart_template
        if chart not in EVENT_ACCOUNTS:
            raise UserError(
                env._(
                    "No default posting accounts for the chart %(chart)s of %(company)s: create the "
                    "posting rules by hand.",
                    chart=chart or "-",
                    company=company.display_name,
                )
            )
        for code, (name, account_type, reconcile) in EXTRA_ACCOUNTS[chart].items():
            account_by_code(shop, code, name, account_type, reconcile)
        channel = dict(shops._fields["payment_channel"]._description_selection(env))[shop.payment_channel]
        vals = {}
        if not shop.clearing_account_id:
            vals["clearing_account_id"] = account_by_code(
                shop,
                CLEARING_PREFIX[chart] + CHANNEL_SUFFIX[shop.payment_channel],
                env._("%s Clearing", channel),
                "asset_receivable",
                True,
            ).id
        if not shop.journal_id:
            vals["journal_id"] = ecom_journal(shop).id
        if not shop.partner_id:
            vals["partner_id"] = channel_partner(shop, channel).id
        shop.write(vals)
        company_rules = [("company_id", "=", company.id), ("shop_id", "=", False)]
        rules_before = env["ecom.posting.rule"].search_count(company_rules)
        create_default_rules(shop, chart)
        done.append(
            env._(
                "%(shop)s: journal %(journal)s, clearing account %(account)s, partner %(partner)s, "
                "%(rules)s default posting rules added to the company.",
                shop=shop.name,
                journal=shop.journal_id.display_name,
                account=shop.clearing_account_id.display_name,
                partner=shop.partner_id.display_name,
                rules=env["ecom.posting.rule"].search_count(company_rules) - rules_before,
            )
        )
    # say what the shops now have (it said nothing)
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "title": env._("Accounting set up"),
            "message": "\n".join(done),
            "type": "success",
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }


def account_by_code(shop, code, name=None, account_type=None, reconcile=False):
    """The company's account of this code; created when a name is given, else an error."""
    env = shop.env
    company = shop.company_id
    Account = env["account.account"].with_company(company)
    account = Account.search([("code", "=", code), ("company_ids", "in", company.id)], limit=1)
    if not account and not name:
        raise UserError(
            env._(
                "%(company)s has no account %(code)s for the default posting rules.",
                company=company.display_name,
                code=code,
            )
        )
    if not account:
        account = Account.create(
            {
                "code": code,
                "name": name,
                "account_type": account_type,
                "reconcile": reconcile,
                "company_ids": [company.id],
            }
        )
    return account


def ecom_journal(shop):
    """The e-commerce journal (code ECOM) of the shop's company, created if it has none."""
    env = shop.env
    company = shop.company_id
    Journal = env["account.journal"]
    journal = Journal.search([("company_id", "=", company.id), ("code", "=", "ECOM")], limit=1)
    return journal or Journal.create(
        {
            "name": env._("E-commerce Settlements"),
            "code": "ECOM",
            "type": "general",
            "company_id": company.id,
        }
    )


def channel_partner(shop, channel):
    """The partner of the shop's payment channel (named ``channel``), created if there is none."""
    env = shop.env
    ref = f"ecom-channel-{shop.payment_channel}"
    Partner = env["res.partner"]
    return Partner.search([("ref", "=", ref)], limit=1) or Partner.create(
        {"name": channel, "ref": ref, "is_company": True}
    )


def create_default_rules(shop, chart):
    """The company's default posting rules of ``chart``, for the events without one."""
    env = shop.env
    Rule = env["ecom.posting.rule"]
    company = shop.company_id
    existing = set(
        Rule.search([("company_id", "=", company.id), ("shop_id", "=", False)]).mapped("event_type")
    )
    # The shipped defaults of posting_defaults.py, only for events without a rule, by a Finance
    # Manager (Set Up Accounting): no approval. Any other rule change goes through one.
    vals_list = [
        {"company_id": company.id, "event_type": event, "account_id": account_by_code(shop, code).id}
        for event, code in EVENT_ACCOUNTS[chart].items()
        if event not in existing
    ]
    with approved_change():
        Rule.create(vals_list)
