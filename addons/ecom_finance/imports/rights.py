# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Who may import what: decided by the format of a file (read from its content)."""

from odoo.exceptions import AccessError

from odoo.addons.ecom_audit.roles import ACCOUNTANT, SHOP_OPERATOR

from ecomfin.vocab import BANK_FORMATS, ORDER_FORMAT, PAYMENT_CHANNEL_FORMATS


def check_format(env, shop, fmt, filename):
    """Refuse a format the user may not import for ``shop`` (an AccessError naming it and who may).

    - Bank statements (``BANK_FORMATS``): Accountants and Finance Managers only. A bank
      credit is what reconciliation takes as the proof that a payout arrived: it posts the
      payout entry and reconciles the clearing items.
    - Order exports: also the shop's Shop Operators; never a Partner API user. An export
      rewrites the status and refund of the orders already known, which fulfilment follows
      (returns, cancellations, refund approvals); and the key of a payment channel has no
      business creating sales of a shop either, which reconciliation would then report as
      missing payments.
    - A payment channel's bills: also the shop's Shop Operators and Partner API users, for
      the shop's own channel (``PAYMENT_CHANNEL_FORMATS``); a shop whose channel is *Other*
      has its bills imported by accounting roles.

    Called with the format read from the file (``ecom.statement._import_data``); a format given by the
    caller is checked too, to refuse at once.
    """
    if not fmt or env.su or env.user.has_group(ACCOUNTANT):
        return
    labels = dict(env["ecom.statement"]._fields["fmt"]._description_selection(env))
    label = labels.get(fmt, fmt)
    if fmt in BANK_FORMATS:
        raise AccessError(
            env._(
                "%(file)s is a bank statement (%(format)s): only Accountants and Finance Managers "
                "import bank statements.",
                file=filename,
                format=label,
            )
        )
    if fmt == ORDER_FORMAT:
        if env.user.has_group(SHOP_OPERATOR):
            return
        raise AccessError(
            env._(
                "%(file)s is an order export (%(format)s): order exports are imported by the "
                "shop's Shop Operators, Accountants and Finance Managers, not over the Partner API.",
                file=filename,
                format=label,
            )
        )
    if fmt not in PAYMENT_CHANNEL_FORMATS.get(shop.payment_channel, ()):
        channels = dict(shop._fields["payment_channel"]._description_selection(env))
        raise AccessError(
            env._(
                "%(file)s is a file of the format %(format)s, which is not a bill of the payment "
                "channel of shop %(shop)s (%(channel)s): only Accountants and Finance Managers "
                "import it.",
                file=filename,
                format=label,
                shop=shop.display_name,
                channel=channels.get(shop.payment_channel, shop.payment_channel),
            )
        )
