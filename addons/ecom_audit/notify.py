# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Tell people at once, in their web client: a notification on the bus (``simple_notification``),
shown in every open tab of theirs as soon as the transaction commits.

For the addons above ``ecom_audit`` too (import it from ``ecom_audit.const``); the lasting trace
(a message, an activity, an e-mail) stays the caller's.
"""


def notify_people(env, partners, title, message, sticky=True):
    """Send ``title`` and ``message`` (plain text) to the web clients of ``partners``.

    Sticky by default: an alert stays on screen until its reader closes it.
    """
    if not partners:
        return
    partners._bus_send(
        "simple_notification",
        {"type": "warning", "title": title, "message": message, "sticky": sticky},
    )
