# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""What the Alipay and WeChat Pay connector tests share: a fast HTTP client, the pull loop
the Odoo side runs (page stored and cursor advanced together), the pages parsed."""

import random

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys

from ecomfin import parsers
from ecomfin.connectors import HttpClient, RetryPolicy, TokenBucket


def client(platform, sleeps=None):
    """An HTTP client that retries at once (pauses recorded in ``sleeps``, not slept)."""
    return HttpClient(
        platform,
        limiter=TokenBucket(10_000),
        retry=RetryPolicy(base=0.001, rng=random.Random(7)),
        sleep=sleeps.append if sleeps is not None else (lambda _seconds: None),
    )


class Store:
    """The backend's side: the stored pages and each stream's cursor, saved together."""

    def __init__(self):
        self.pages = []
        self.cursors = {}

    def pull(self, connector, stream):
        """Pull ``stream`` from its stored cursor until the connector says there is no more."""
        while True:
            page = connector.pull_page(stream, self.cursors.get(stream))
            if page.content is not None:
                self.pages.append(page)
            self.cursors[stream] = page.next_cursor
            if not page.has_more:
                return page

    def lines(self, stream=None):
        """Every line of the stored pages (of ``stream``), each page parsed as an imported file."""
        found = []
        for page in self.pages:
            if stream is None or page.stream == stream:
                found.extend(parsers.parse(page.content, page.filename, page.fmt, **page.options))
        return found


def other_private_pem():
    """A private key no fake knows (a wrong secret)."""
    key = rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii"), key
