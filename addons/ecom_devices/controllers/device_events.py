# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""``POST /ecom/device/events``: the scans of a device, authenticated by its bearer token.

Answers (JSON): 200 ``{"accepted": n, "duplicates": m}``; 401 missing, unknown, revoked or
rotated-away token; 413 body or batch above the caps; 415 a body that is not ``application/json``;
400 malformed body or event (the event's index and field named); 429 above the device's rate, with
``Retry-After``. A request is stored whole or not at all.

Caps and rate (``ir.config_parameter``, read at each request): ``ecom_devices.event_max_bytes``
(262144), ``ecom_devices.event_max_events`` (1000), ``ecom_devices.event_rate`` (events per
second, 100) and ``ecom_devices.event_burst`` (1000). The rate is counted per device in the memory
of each server process (a token bucket): with N workers a device may send up to N times the rate.
"""

import math

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from ecomfin.device_events import BatchTooLarge, EventError, RateLimiter, bearer_token, parse_batch

_lt = LazyTranslate(__name__)

PARAMS = {
    "ecom_devices.event_max_bytes": 256 * 1024,
    "ecom_devices.event_max_events": 1000,
    "ecom_devices.event_rate": 100,
    "ecom_devices.event_burst": 1000,
}
_LIMITER = RateLimiter()


def _params(env):
    """The caps and rate, the defaults where a parameter is missing or not a positive number."""
    get = env["ir.config_parameter"].get_param
    values = {}
    for key, default in PARAMS.items():
        try:
            value = float(get(key, default))
        except (TypeError, ValueError):
            value = default
        values[key] = value if value > 0 else default
    return values


def _error(status, code, message, headers=None, **extra):
    return request.make_json_response(
        {"error": code, "message": str(message), **extra}, headers=headers, status=status
    )


class DeviceEventsController(http.Controller):
    @http.route(
        "/ecom/device/events",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        readonly=False,
        save_session=False,
    )
    def device_events(self, **_ignored):
        # the events are the JSON body; query or form parameters (a form is refused below) are
        # accepted and ignored, as Odoo would otherwise log each as a warning
        # the device authenticates with its token, not as a user: what it may do (store its own
        # scans) is done as the superuser, with the device checked below
        request.update_env(user=SUPERUSER_ID)
        env = request.env
        params = _params(env)
        max_bytes = int(params["ecom_devices.event_max_bytes"])
        length = request.httprequest.content_length
        if length is not None and length > max_bytes:
            return _error(413, "too_large", _lt("The body is larger than %s bytes.", max_bytes))
        device = env["ecom.device"]._authenticate_token(
            bearer_token(request.httprequest.headers.get("Authorization"))
        )
        if not device:
            return _error(
                401,
                "unauthorized",
                _lt("Missing, unknown or revoked device token."),
                headers=[("WWW-Authenticate", 'Bearer realm="ecom-devices"')],
            )
        if request.httprequest.mimetype != "application/json":
            # Odoo would have read another type as a form already
            return _error(415, "unsupported_media_type", _lt("Send the events as application/json."))
        # the cap holds on what is read too (a chunked body has no Content-Length): werkzeug stops
        # reading past it
        request.httprequest.max_content_length = max_bytes
        try:
            body = request.httprequest.get_data(cache=False)
        except RequestEntityTooLarge:
            body = None
        if body is None or len(body) > max_bytes:
            return _error(413, "too_large", _lt("The body is larger than %s bytes.", max_bytes))
        try:
            events = parse_batch(body, int(params["ecom_devices.event_max_events"]))
        except BatchTooLarge as error:
            return _error(413, "too_many_events", error, field=error.field)
        except EventError as error:
            return _error(400, "bad_event", error, index=error.index, field=error.field)
        wait = _LIMITER.take(
            (env.cr.dbname, device.id),
            len(events),
            params["ecom_devices.event_rate"],
            params["ecom_devices.event_burst"],
        )
        if wait:
            retry = str(max(1, math.ceil(wait))) if math.isfinite(wait) else "60"
            return _error(
                429,
                "rate_limited",
                _lt("Too many events from this device; retry after %s seconds.", retry),
                headers=[("Retry-After", retry)],
            )
        new, duplicates = env["ecom.scan.event"]._receive(device, events)
        device._touch_token()
        return request.make_json_response({"accepted": len(new), "duplicates": duplicates})
