# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The values the Chinese platforms' APIs send, read once: Beijing times and yuan amounts."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .base import ConnectorError

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
#: how TOP, JOS and Pinduoduo write a time (Beijing time)
WIRE_TIME = "%Y-%m-%d %H:%M:%S"
CENT = Decimal("0.01")


def wire(moment):
    """A datetime as the platforms write it."""
    return moment.strftime(WIRE_TIME)


def wire_time(text):
    """A platform's time text as a naive datetime (Beijing time)."""
    return datetime.strptime(text, WIRE_TIME)


def beijing_to_utc(text):
    """A Beijing ``YYYY-MM-DD HH:MM:SS`` as UTC text, as the canonical orders file has it ('' for
    none)."""
    if not text:
        return ""
    return wire_time(text).replace(tzinfo=SHANGHAI).astimezone(UTC).strftime(WIRE_TIME)


def money(value, platform):
    """An amount in yuan as a Decimal to the cent (0 for none); an unreadable one is the
    platform's error."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        return Decimal(str(value)).quantize(CENT)
    except InvalidOperation:
        raise ConnectorError(
            "platform_error", {"platform": platform, "code": "amount", "detail": str(value)[:50]}
        ) from None
