# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Settlement posting: from statement lines to balanced summary journal entries.

Every statement line moves the provider balance (see :mod:`ecomfin.statement` for
the sign conventions). Posting splits each line into *events* — its ``gross`` under
the event of its type, the ``fee`` withheld from it as a payment fee — sums the
events of a group (a settlement and month, or a shop and day) and turns the sums
into one journal entry:

* one line per event type on the account its posting rule names: money coming into
  the provider balance (a sale) is credited there, money leaving it (a fee, a
  refund) is debited;
* one line on the channel's clearing account for the net of every event but the
  payout: what the channel now owes the company;
* for a payout, the money leaving the provider balance for the bank, a credit on
  the clearing account and a debit on the payout account (the liquidity transfer
  account the bank statement is reconciled against).

Amounts are in the settlement currency; each line is converted to the company
currency at the entry's rate and the rounding residue lands on the clearing line,
so every entry balances to the cent in both currencies by construction.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import EcomFinError

#: Event types a posting rule can map, with their labels, in the order entry lines are written.
EVENT_TYPE_LABELS = [
    ("sale", "Sale"),
    ("refund", "Refund"),
    ("commission", "Commission"),
    ("payment_fee", "Payment Fee"),
    ("service_fee", "Platform Service Fee"),
    ("shipping", "Shipping Fee / Subsidy"),
    ("promotion_platform", "Promotion Funded by the Platform"),
    ("promotion_merchant", "Promotion Funded by the Merchant"),
    ("tax_withheld", "Tax Withheld"),
    ("reserve", "Reserve Hold / Release"),
    ("adjustment", "Adjustment"),
    ("payout", "Payout"),
]
EVENT_TYPES = tuple(code for code, _label in EVENT_TYPE_LABELS)

#: Event of a line's ``gross`` by line type; a pair means (when money comes in, when it goes out).
TYPE_EVENTS = {
    "sale": "sale",
    "refund": "refund",
    "commission": "commission",
    "fee": "service_fee",
    "shipping": "shipping",
    "promotion": ("promotion_platform", "promotion_merchant"),
    "tax": "tax_withheld",
    "reserve": "reserve",
    "payout": "payout",
    "adjustment": "adjustment",
}

#: Event of the fee a provider withheld from a line.
FEE_EVENT = "payment_fee"

#: Event whose counterpart is the bank transfer, not income or expense.
PAYOUT_EVENT = "payout"


class PostingError(EcomFinError):
    """A settlement cannot be posted as it stands (a missing account, say)."""


def gross_event(line_type, gross):
    """Event type of a line's gross amount."""
    try:
        event = TYPE_EVENTS[line_type]
    except KeyError:
        raise PostingError(f"unknown line type {line_type!r}") from None
    if isinstance(event, tuple):
        return event[0] if gross >= 0 else event[1]
    return event


def event_sources(event):
    """Where the amounts of ``event`` come from: ``(column, line types, sign of the gross)``.

    ``column`` is ``"fee"`` for the payment fee (the fee column of lines of any type) and
    ``"gross"`` otherwise; the line types are those whose gross is this event, and the sign
    (``1``, ``-1`` or ``None`` for either) tells a signed event such as a promotion apart.
    """
    if event == FEE_EVENT:
        return "fee", None, None
    for line_type, mapped in TYPE_EVENTS.items():
        if mapped == event:
            return "gross", (line_type,), None
        if isinstance(mapped, tuple) and event in mapped:
            return "gross", (line_type,), 1 if event == mapped[0] else -1
    raise PostingError(f"unknown event type {event!r}")


def line_events(line_type, gross, fee):
    """The (event, amount) pairs of one statement line; amounts move the provider balance."""
    events = []
    if gross:
        events.append((gross_event(line_type, gross), gross))
    if fee:
        events.append((FEE_EVENT, -fee))
    return events


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One line of a summary entry.

    ``balance`` is in the company currency (debit positive), ``amount_currency`` in
    the settlement currency with the same sign. ``role`` is ``event``, ``clearing``
    (net owed by the channel) or ``payout_clearing`` (the payout leaving it).
    """

    role: str
    event: str | None
    account: object
    amount_currency: Decimal
    balance: Decimal
    count: int


def _quantum(digits):
    return Decimal(1).scaleb(-digits)


def build_entry(totals, accounts, clearing_account, *, rate=Decimal(1), digits=2, currency_digits=None):
    """Lines of one balanced summary entry.

    ``totals`` maps event type -> (amount, line count) with amounts in the settlement
    currency, as they move the provider balance. ``accounts`` maps event type -> the
    account to post it on (any hashable the caller understands). ``rate`` converts
    one unit of the settlement currency into the company currency, which has
    ``digits`` decimals. Raises :class:`PostingError` naming every event without an
    account. Returns the lines: events in :data:`EVENT_TYPES` order, then the
    clearing line(s); an event summing to zero gets no line.
    """
    unknown = sorted(set(totals) - set(EVENT_TYPES))
    if unknown:
        raise PostingError(f"unknown event types: {', '.join(unknown)}")
    currency_q = _quantum(digits if currency_digits is None else currency_digits)
    company_q = _quantum(digits)
    missing = sorted(
        (e for e, (amount, _count) in totals.items() if amount and not accounts.get(e)),
        key=EVENT_TYPES.index,
    )
    if missing:
        raise PostingError(f"no account for the events: {', '.join(missing)}")
    if not clearing_account and any(amount for amount, _count in totals.values()):
        raise PostingError("no clearing account")

    lines = []
    net_currency = Decimal(0)
    net_balance = Decimal(0)
    net_count = 0
    payout_line = None
    for event in EVENT_TYPES:
        if event not in totals:
            continue
        amount, count = totals[event]
        amount = Decimal(amount).quantize(currency_q, ROUND_HALF_UP)
        if not amount:
            continue
        balance = (amount * rate).quantize(company_q, ROUND_HALF_UP)
        # money into the provider balance is credited on the event's account
        lines.append(EntryLine("event", event, accounts[event], -amount, -balance, count))
        if event == PAYOUT_EVENT:
            payout_line = EntryLine("payout_clearing", event, clearing_account, amount, balance, count)
        else:
            net_currency += amount
            net_balance += balance
            net_count += count
    if net_currency or net_balance:
        lines.append(EntryLine("clearing", None, clearing_account, net_currency, net_balance, net_count))
    if payout_line:
        lines.append(payout_line)
    residue = sum(line.balance for line in lines)
    if residue:
        # rounding of the converted lines: carried by the clearing line (made if missing)
        clearing = next((line for line in lines if line.role == "clearing"), None)
        if clearing is None:
            clearing = EntryLine("clearing", None, clearing_account, Decimal(0), Decimal(0), 0)
            lines.insert(len(lines) - (1 if payout_line else 0), clearing)
        index = lines.index(clearing)
        lines[index] = EntryLine(
            "clearing",
            None,
            clearing_account,
            clearing.amount_currency,
            clearing.balance - residue,
            clearing.count,
        )
    assert not sum(line.balance for line in lines), "entry does not balance"
    assert not sum(line.amount_currency for line in lines), "entry does not balance in currency"
    return lines
