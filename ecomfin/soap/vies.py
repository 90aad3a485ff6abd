# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The EU's VIES ``checkVat`` SOAP service: is a buyer's VAT number valid, and under which name.

An EU business buyer with a valid VAT number of another member state is invoiced without VAT
(reverse charge); the seller must be able to show that it checked the number, when, and what
VIES answered. :class:`ViesClient` asks VIES through zeep, from the service's published WSDL
shipped in ``wsdl/checkVatService.wsdl`` (never fetched at run time: the interface is a
contract, and a test server on loopback serves the same one). The service's address is
:data:`SERVICE_ADDRESS` unless ``address`` says otherwise (the tests' loopback server).

With ``requester`` (the checking company's own country and VAT number) the client asks
``checkVatApprox`` instead, whose answer carries VIES's *consultation number*
(``requestIdentifier``): the proof a tax administration accepts that the check was made.

Sending
    One ``requests`` session a client: ``timeout`` is ``(connect, read)`` seconds,
    ``client_cert`` goes to ``session.cert`` (a certificate file, or ``(cert, key)``),
    ``verify`` to ``session.verify``. A failure to *connect* (refused, no route, connect
    timeout) is retried ``retries`` times with a doubling pause: nothing was sent. Once the
    request may have been sent (a read timeout, a connection dropped before the answer) it is
    never sent again: VIES may have received it and answered, and a second check is a second
    consultation on record; the error says so and the caller decides.

Errors
    Everything raises :class:`ViesError` (an :class:`~ecomfin.errors.EcomFinError`): a code of
    :data:`ecomfin.errors.MESSAGES` with its parameters, ``retryable`` when a later attempt may
    succeed, and ``fault`` the VIES fault string when there was one (:data:`FAULTS`).
"""

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
import zeep
import zeep.exceptions
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ..errors import EcomFinError, Message

#: the published interface, as downloaded from the service (data, not code)
WSDL = Path(__file__).resolve().parent / "wsdl" / "checkVatService.wsdl"
#: where the real service answers (the WSDL's address, in https)
SERVICE_ADDRESS = "https://ec.europa.eu/taxation_customs/vies/services/checkVatService"
BINDING = "{urn:ec.europa.eu:taxud:vies:services:checkVat}checkVatBinding"

#: the country codes VIES knows: the member states (Greece is EL, not its ISO code GR) and XI,
#: Northern Ireland (goods only, since 2021)
COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split()
)
#: ISO 3166 code -> VIES code, where they differ
ALIASES = {"GR": "EL"}
#: what VIES reads after the country code (the WSDL's documentation: ``[0-9A-Za-z\\+\\*\\.]{2,12}``)
NUMBER_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+*")
#: written in numbers but not part of them
SEPARATORS = " \t\n\r.-/\u00a0"

#: VIES fault string -> (error code, a later attempt may succeed)
FAULTS = {
    "INVALID_INPUT": ("vies_invalid_input", False),
    "INVALID_REQUESTER_INFO": ("vies_invalid_requester", False),
    "SERVICE_UNAVAILABLE": ("vies_service_unavailable", True),
    "MS_UNAVAILABLE": ("vies_ms_unavailable", True),
    "TIMEOUT": ("vies_ms_timeout", True),
    "SERVER_BUSY": ("vies_server_busy", True),
    "GLOBAL_MAX_CONCURRENT_REQ": ("vies_global_max_concurrent", True),
    "GLOBAL_MAX_CONCURRENT_REQ_TIME": ("vies_global_max_concurrent", True),
    "MS_MAX_CONCURRENT_REQ": ("vies_ms_max_concurrent", True),
    "MS_MAX_CONCURRENT_REQ_TIME": ("vies_ms_max_concurrent", True),
    "VAT_BLOCKED": ("vies_vat_blocked", False),
    "IP_BLOCKED": ("vies_ip_blocked", False),
}

#: (connect, read) seconds: VIES waits up to about 20 s for a member state before its TIMEOUT
DEFAULT_TIMEOUT = (5, 30)
#: connect failures retried (so at most 1 + RETRIES connections are tried)
DEFAULT_RETRIES = 2


class ViesError(EcomFinError):
    """A check that failed: a code of ``ecomfin.errors.MESSAGES`` with its parameters.

    ``retryable``: a later attempt may succeed (VIES or a member state busy or down, no
    connection). ``fault``: VIES's fault string, when it answered with one.
    """

    def __init__(self, code, params=None, *, retryable=False, fault=None):
        self.message = Message(code, dict(params or {}))
        self.code = code
        self.params = self.message.params
        self.retryable = retryable
        self.fault = fault
        super().__init__(str(self.message))

    def render(self, translate=None):
        return self.message.render(translate) if translate else str(self.message)

    def __str__(self):
        return str(self.message)


@dataclass(frozen=True)
class VatCheck:
    """What VIES answered about one VAT number.

    ``name`` and ``address`` are None when the member state does not disclose them (VIES
    answers ``---``). ``consultation_number`` is VIES's reference of the check, given only to
    a check made with the requester's own VAT number (``checkVatApprox``).
    """

    valid: bool
    country_code: str
    number: str
    request_date: date
    name: str | None = None
    address: str | None = None
    consultation_number: str | None = None

    @property
    def vat(self):
        """The number as written on an invoice, country code first."""
        return f"{self.country_code}{self.number}"


def normalise(country_code, number):
    """``(country, number)`` as VIES takes them: upper case, without spaces, dots, dashes and
    slashes, without the country prefix; Greece as EL. With no ``country_code`` the number's own
    prefix is taken. Raises :class:`ViesError` (``vies_bad_country``, ``vies_bad_number``)."""
    text = "".join(ch for ch in str(number or "") if ch not in SEPARATORS).upper()
    country = (country_code or "").strip().upper() or text[:2]
    country = ALIASES.get(country, country)
    if country not in COUNTRIES:
        raise ViesError("vies_bad_country", {"country": country_code or text[:2]})
    prefixes = [country] + [iso for iso, vies in ALIASES.items() if vies == country]
    for prefix in prefixes:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if not 2 <= len(text) <= 12 or not set(text) <= NUMBER_CHARS:
        raise ViesError("vies_bad_number", {"number": number})
    return country, text


def _undisclosed(value):
    value = (value or "").strip()
    return None if value in ("", "---") else value


def _before_sending(error):
    """Whether a ``requests`` error happened before any byte of the request was sent: the
    connection was refused or never made in time. A TLS failure is not one to retry."""
    if isinstance(error, requests.exceptions.SSLError):
        return False
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    # a refused connection: MaxRetryError(reason=NewConnectionError) inside a ConnectionError
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _detail(error):
    """The innermost cause of a ``requests`` error, short (``Connection refused``, ``Remote end
    closed connection without response`` ...), without urllib3's object addresses."""
    cause = error
    while True:
        if getattr(cause, "reason", None) is not None:
            cause = cause.reason
        elif len(getattr(cause, "args", ())) >= 2 and isinstance(cause.args[1], BaseException):
            cause = cause.args[1]
        elif getattr(cause, "args", None) and isinstance(cause.args[0], BaseException):
            cause = cause.args[0]
        else:
            break
    return re.sub(r"<[^>]*>: ", "", str(cause))[:300]


class _Transport(zeep.Transport):
    """zeep's transport, with the session's ``verify`` given to each request: ``requests`` lets
    ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` override a *session's* CA bundle, not a
    request's. Keeps the status of the last answer (a non-SOAP error page reads as a fault
    without a fault code in zeep)."""

    last_status = None

    def post(self, address, message, headers):
        response = self.session.post(
            address,
            data=message,
            headers=headers,
            timeout=self.operation_timeout,
            verify=self.session.verify,
        )
        self.last_status = response.status_code
        return response


class ViesClient:
    """Checks VAT numbers against VIES (see the module). One client may check many numbers; it
    is not shared between threads (its session is not)."""

    def __init__(
        self,
        address=None,
        *,
        timeout=DEFAULT_TIMEOUT,
        client_cert=None,
        verify=True,
        retries=DEFAULT_RETRIES,
        backoff=1.0,
        session=None,
        sleep=time.sleep,
    ):
        self.address = address or SERVICE_ADDRESS
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.sleep = sleep
        self.session = session or requests.Session()
        if client_cert:
            self.session.cert = client_cert
        self.session.verify = verify
        self.transport = _Transport(session=self.session, operation_timeout=timeout)
        self.client = zeep.Client(str(WSDL), transport=self.transport)
        self.service = self.client.create_service(BINDING, self.address)
        #: connections tried by the last check (1 + the connect retries)
        self.attempts = 0

    def check(self, country_code, number, *, requester=None):
        """The :class:`VatCheck` of ``number`` (of ``country_code``, or of its own prefix).

        ``requester``: ``(country, number)`` of the checking company, to get a consultation
        number (``checkVatApprox``).
        """
        country, number = normalise(country_code, number)
        params = {"countryCode": country, "vatNumber": number}
        if requester:
            req_country, req_number = normalise(*requester)
            params.update(requesterCountryCode=req_country, requesterVatNumber=req_number)
        context = {
            "country": country,
            "number": number,
            "url": self.address,
            "requester": f"{req_country}{req_number}" if requester else "",
        }
        answer = self._send("checkVatApprox" if requester else "checkVat", params, context)
        if requester:
            return VatCheck(
                valid=bool(answer.valid),
                country_code=answer.countryCode or country,
                number=answer.vatNumber or number,
                request_date=answer.requestDate,
                name=_undisclosed(answer.traderName),
                address=_undisclosed(answer.traderAddress),
                consultation_number=_undisclosed(answer.requestIdentifier),
            )
        return VatCheck(
            valid=bool(answer.valid),
            country_code=answer.countryCode or country,
            number=answer.vatNumber or number,
            request_date=answer.requestDate,
            name=_undisclosed(answer.name),
            address=_undisclosed(answer.address),
        )

    def _send(self, operation, params, context):
        """Call ``operation``, retrying a failed connect only; VIES's faults and the transport's
        failures as :class:`ViesError`."""
        url = self.address
        self.attempts = 0
        while True:
            self.attempts += 1
            try:
                return getattr(self.service, operation)(**params)
            except zeep.exceptions.Fault as error:
                if error.code is None:
                    # no <Fault> in the answer: an error page (a proxy's), not VIES's
                    raise ViesError(
                        "vies_http_status", {"url": url, "status": self.transport.last_status}, retryable=True
                    ) from error
                raise _fault_error(error, context) from error
            except zeep.exceptions.TransportError as error:
                raise ViesError(
                    "vies_http_status", {"url": url, "status": error.status_code}, retryable=True
                ) from error
            except (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as error:
                raise ViesError("vies_bad_answer", {"detail": str(error)[:300]}, retryable=True) from error
            except requests.exceptions.SSLError as error:
                raise ViesError("vies_tls", {"url": url, "detail": _detail(error)}) from error
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
                if not _before_sending(error):
                    # the request may have reached VIES: never sent twice (see the module)
                    if isinstance(error, requests.exceptions.Timeout):
                        seconds = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
                        raise ViesError(
                            "vies_timeout", {"url": url, "seconds": seconds}, retryable=True
                        ) from error
                    raise ViesError(
                        "vies_dropped", {"url": url, "detail": _detail(error)}, retryable=True
                    ) from error
                if self.attempts > self.retries:
                    raise ViesError(
                        "vies_unreachable",
                        {"url": url, "attempts": self.attempts, "detail": _detail(error)},
                        retryable=True,
                    ) from error
                self.sleep(self.backoff * 2 ** (self.attempts - 1))


def _fault_error(fault, context):
    """The :class:`ViesError` of a VIES fault string (a code of :data:`FAULTS`, else ``vies_fault``)."""
    text = (fault.message or "").strip()
    code, retryable = FAULTS.get(text, ("vies_fault", False))
    return ViesError(code, {**context, "fault": text}, retryable=retryable, fault=text)


def check_vat(
    country_code,
    number,
    *,
    address=None,
    requester=None,
    timeout=DEFAULT_TIMEOUT,
    client_cert=None,
    verify=True,
    retries=DEFAULT_RETRIES,
    sleep=time.sleep,
):
    """Check one VAT number (a :class:`ViesClient` for one call); returns a :class:`VatCheck`."""
    client = ViesClient(
        address, timeout=timeout, client_cert=client_cert, verify=verify, retries=retries, sleep=sleep
    )
    try:
        return client.check(country_code, number, requester=requester)
    finally:
        client.session.close()
