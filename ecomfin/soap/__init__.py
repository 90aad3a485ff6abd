# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""SOAP counterparts, through zeep from their published WSDL (shipped in ``wsdl/``).

Entry points::

    check_vat(country_code, number, *, address=None, requester=None, timeout=(5, 30),
              client_cert=None, verify=True, retries=2) -> VatCheck      (EU VIES, :mod:`.vies`)
    ViesClient(address=None, ...).check(country_code, number, *, requester=None) -> VatCheck

The fake VIES the tests use is :mod:`.fake_vies` (``python -m ecomfin.soap.fake_vies --port P``).
"""

from .vies import SERVICE_ADDRESS, VatCheck, ViesClient, ViesError, check_vat, normalise

__all__ = ["SERVICE_ADDRESS", "VatCheck", "ViesClient", "ViesError", "check_vat", "normalise"]
