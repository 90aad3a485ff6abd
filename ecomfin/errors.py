# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Errors raised by the core, carrying where in the input they were found.

An :class:`InputError` is a *code with parameters* (``InputError("bad_amount", {"value": "12,3x"})``),
never a sentence built in place: :data:`MESSAGES` is the one table of codes and their English
templates (``%``-style, named parameters). ``str(error)`` renders it in English; a user interface
renders the same code through its own translation of the template (the Odoo addon: the module
``ecom_finance.import_errors``, which a test keeps in step with this table).

A parameter may itself be a :class:`Message` (a code with parameters), rendered the same way.
"""

from dataclasses import dataclass, field

#: code -> English template. The templates are what translators see: whole sentences,
#: parameters named. Keep ``addons/ecom_finance/import_errors.py`` in step (a test checks it).
MESSAGES = {
    # files, encodings, zip archives
    "file_empty": "file is empty",
    "utf16": "file is UTF-16 encoded; export it again as UTF-8 or GBK CSV",
    "nul_bytes": "file holds NUL bytes: binary data, not a text export",
    "wrong_encoding": "wrong encoding: the bytes are neither %(encodings)s",
    "wrong_encoding_line": "wrong encoding: line is not valid %(encoding)s (byte %(byte)s of the line)",
    "malformed_csv": "malformed CSV: %(detail)s",
    "unrecognised_format": "unrecognised file format",
    "unknown_format_code": "unknown format code %(fmt)r; known: %(known)s",
    "wrong_format": "wrong format: expected a %(expected)s file but this looks like a %(found)s (%(code)s)",
    "zip_no_statement": "the zip archive holds no statement file",
    "zip_several": "the zip archive holds several statements (%(first)s, %(second)s, ...); use parse_all() to read each",
    "zip_damaged": "damaged zip archive: %(detail)s",
    "zip_member_unreadable": "cannot open zip member: %(detail)s",
    "zip_nested": "a zip archive inside a zip archive is not read; unpack it first",
    "zip_nothing_recognised": "the zip archive holds no recognised statement file",
    "zip_member_too_large": "the zip member unpacks to %(size)s bytes, above the limit of %(limit)s bytes",
    "zip_too_large": "the zip archive unpacks to %(size)s bytes, above the limit of %(limit)s bytes",
    "zip_member_damaged": "damaged zip member: %(detail)s",
    "zip_member_over_limit": "the zip member unpacks to more than the limit of %(limit)s bytes",
    "zip_over_limit": "the zip archive unpacks to more than the limit of %(limit)s bytes",
    "xlsx_damaged": "cannot read the XLSX workbook: %(detail)s",
    "xlsx_no_sheet": "the XLSX workbook has no sheet with data",
    "xlsx_unsupported": "%(kind)s workbooks are not read; save the export as .xlsx or CSV",
    # headers and rows
    "column_twice": "%(fmt_name)s: column %(column)r appears twice in the header",
    "column_extra": "%(fmt_name)s: unexpected extra column %(column)r (column %(index)s) in the header",
    "columns_missing": "%(fmt_name)s: missing column(s) %(columns)s in the header",
    "row_cells": "row has %(cells)s cells but the header has %(columns)s columns",
    "total_mismatch": "%(what)s: the file declares %(declared)s but its rows add up to %(computed)s",
    "what_footer": "footer %(label)s",
    "what_summary": "summary %(label)s",
    "what_summary_count": "summary %(label)s (row count)",
    "what_settlement_total": "settlement total-amount",
    "columns_not_understood": "column(s) not understood, ignored: %(columns)s",
    # values
    "bad_amount": "cannot read amount %(value)r",
    "missing_date": "missing date",
    "bad_datetime": "cannot read date/time %(value)r",
    "bad_date": "cannot read date %(value)r",
    "bad_currency_code": "currency must be an upper-case ISO 4217 code, got %(value)r",
    "missing_currency": "missing or invalid currency",
    "unknown_currency": "unknown currency %(currencies)s",
    "unknown_line_type": "unknown line type %(value)r",
    "not_decimal": "%(name)s must be a Decimal, got %(value)r",
    "naive_datetime": "occurred_at must be a timezone-aware datetime, got %(value)r",
    "net_not_gross_minus_fee": "net %(net)s is not gross %(gross)s minus fee %(fee)s",
    "unknown_order_status_value": "unknown order status %(value)r",
    # order exports
    "unknown_order_profile": "unknown order profile %(profile)r; known: %(known)s",
    "not_order_export": "not a %(profile)s order export: column %(column)r is missing (file read as %(encoding)s)",
    "order_ref_empty": "order reference is empty",
    "order_not_adjacent": "the lines of order %(ref)s are not adjacent (the order appeared earlier in the file)",
    "order_field_differs": "order %(ref)s: %(field)s differs from the order's first line (line %(first_line)s: %(first)r)",
    "unknown_order_status": "unknown order status %(value)r; expected one of %(expected)s",
    "negative_order_amount": "negative order amount",
    "bad_quantity": "quantity must be a whole number greater than 0",
    "order_lines_total": "order %(ref)s: its lines add up to %(lines_total)s but amount_paid is %(amount_paid)s",
    "unknown_skus": "%(count)s unknown SKU(s), no product has them as internal reference: %(skus)s",
    # Alipay
    "not_alipay": "not an Alipay 账务明细 file: expected first line %(expected)r (file read as %(encoding)s)",
    "alipay_no_marker": "truncated Alipay file: no '账务明细列表' marker before the end",
    "alipay_marker_missing": "not an Alipay 账务明细 file: the '#-----账务明细列表-----' marker is missing before the table",
    "alipay_no_header": "truncated Alipay file: no table header",
    "alipay_new_layout_columns": "Alipay 账务明细: newer layout is missing column(s) %(columns)s",
    "income_and_expense": "row has both an income and an expense amount",
    "negative_income": "negative income amount",
    "alipay_no_end_marker": "truncated Alipay file: the '#-----账务明细列表结束-----' end marker is missing",
    "data_after_end_marker": "unexpected data after the end marker",
    "alipay_footer_missing": "truncated Alipay file: footer line '#%(kind)s合计' is missing",
    "footer_count": "footer %(label)s declares %(declared)s rows but the file has %(counted)s",
    # WeChat Pay
    "not_wechat": "not a WeChat Pay %(label)s: expected the header to start with %(expected)r (file read as %(encoding)s)",
    "unknown_wechat_status": "unknown 交易状态 %(value)r",
    "unknown_wechat_direction": "unknown 收支类型 %(value)r",
    "summary_column_missing": "summary column %(column)r is missing",
    "wechat_summary_missing": "truncated WeChat Pay %(label)s: the summary (%(column)s, ...) is missing after the rows",
    "wechat_summary_header": "WeChat Pay %(label)s: expected the summary header %(column)r after the rows",
    "wechat_summary_row_missing": "truncated WeChat Pay %(label)s: the summary row is missing",
    "summary_cells": "summary row has %(cells)s cells but its header has %(columns)s",
    "data_after_summary": "unexpected data after the summary row",
    # Amazon
    "not_amazon": "not an Amazon settlement flat file: the header must start with 'settlement-id' (file read as %(encoding)s)",
    "amazon_summary_missing": "truncated settlement file: the summary row is missing",
    "amazon_summary_first": "the first data row must be the settlement summary (settlement-id, dates, total-amount, currency only)",
    "amazon_other_settlement": "row belongs to settlement %(found)r, not %(expected)r",
    "currency_differs": "currency differs from the summary row",
    # Shopify
    "not_shopify": "not a Shopify %(label)s export: the header must start with %(column)r (file read as %(encoding)s)",
    "shopify_net": "Net %(net)s is not Amount %(gross)s minus Fee %(fee)s",
    "shopify_payout_total": "Total %(total)s does not match Charges - Refunds + Adjustments + Reserved Funds - Fees + Retried Amount = %(expected)s",
    # Stripe
    "not_stripe": "not a Stripe balance-transactions file: expected id, amount/gross, fee, net, currency and reporting_category/type columns (file read as %(encoding)s)",
    "stripe_missing_column": "Stripe balance transactions: missing column %(column)s",
    "stripe_bad_json": "not valid Stripe JSON: %(detail)s",
    "stripe_json_shape": "Stripe JSON must be a list or an object with a 'data' list",
    "stripe_not_object": "balance transaction is not an object",
    "stripe_net": "net %(net)s is not amount %(gross)s minus fee %(fee)s",
    "stripe_minor_units": "expected an integer amount in minor units (minor_units=True)",
    # bank statements
    "bank_profile_date": "bank CSV profile needs a 'date' column",
    "bank_profile_amount": "bank CSV profile needs either 'amount' or both 'debit' and 'credit' (not both)",
    "bank_no_header": "bank CSV: no header row with the profile's columns (%(columns)s) in the first %(lines)s lines (file read as %(encoding)s)",
    "bank_profile_currency": "bank CSV profile needs 'currency' or 'currency_column'",
    "debit_and_credit": "row has both a debit and a credit amount",
    "running_balance": "running balance breaks: expected %(expected)s after the previous row, found %(found)s",
    "not_camt": "not a CAMT statement: expected <Document> in a camt.052/053/054 namespace",
    "invalid_xml": "invalid XML: %(detail)s",
    "invalid_xml_truncated": "invalid XML: %(detail)s (truncated file?)",
    "xml_character": "character %(number)s",
    "camt_balance": "statement %(name)s: opening balance %(start)s + entries %(entries)s = %(sum)s, but the closing balance is %(end)s (off by %(off)s)",
    "no_booking_date": "entry has no booking date",
    # scanned codes (devices)
    "epc_not_hex": "an EPC is written in hexadecimal",
    "read_kind": "kind is 'barcode' or 'epc'",
    "gs1_date_format": "a GS1 date is YYMMDD",
    "gs1_month": "month out of range in a GS1 date",
    "gs1_day": "day out of range in a GS1 date",
    "gs1_digits": "AI (%(ai)s) takes digits only",
    "gs1_charset": "AI (%(ai)s) has a character outside the GS1 set",
    "gs1_check_digit": "AI (%(ai)s): wrong check digit",
    "gs1_unknown_ai": "unknown GS1 application identifier at position %(position)s",
    "gs1_length_range": "AI (%(ai)s) at position %(position)s: length %(length)s out of 1..%(max)s",
    "gs1_length_fixed": "AI (%(ai)s) at position %(position)s: %(length)s characters expected",
    "gs1_empty": "empty GS1 element string",
    "gtin_check_digit": "not a GTIN with a valid check digit",
    "epc_prefix_length": "company prefix length must be 6..12",
    "epc_serial_range": "serial out of range for SGTIN-96 (0 .. 2**38-1)",
    # connectors (API pulls)
    "missing_credentials": "%(platform)s backend: missing credential(s) %(fields)s",
    "unknown_platform": "unknown platform %(platform)r; known: %(known)s",
    "unknown_stream": "%(platform)s has no stream %(stream)r",
    "bad_cursor": "the stored cursor %(cursor)r cannot be read; reset the stream's cursor",
    "timeout": "%(url)s did not answer in time: %(detail)s",
    "network": "cannot reach %(url)s: %(detail)s",
    "rate_limited": "%(url)s: too many requests (HTTP 429)",
    "server_error": "%(url)s: server error (HTTP %(status)s)",
    "truncated": "%(url)s: the answer was cut short (%(received)s of %(declared)s bytes)",
    "truncated_json": "%(url)s: the answer is not whole JSON (%(detail)s)",
    "http_status": "%(url)s answered HTTP %(status)s: %(body)s",
    "gave_up": "gave up after %(attempts)s attempts: %(last)s",
    "auth_failed": "%(platform)s refused the credentials: %(detail)s",
    "token_expired": "%(platform)s: the access token has expired; renew it on the backend",
    "platform_error": "%(platform)s answered error %(code)s: %(detail)s",
    "bad_key": "%(platform)s backend: %(field)s is not a readable RSA key (PEM): %(detail)s",
    "response_signature": "%(platform)s: the answer's signature does not verify (%(detail)s); it was not used",
    "bill_hash_mismatch": "%(platform)s: the bill of %(day)s does not match its %(algorithm)s hash after %(attempts)s downloads",
    "bill_not_readable": "%(platform)s: the bill of %(day)s downloaded is not a %(expected)s file",
    # VIES (EU VAT numbers of business buyers, ecomfin.soap.vies)
    "vies_bad_country": "%(country)r is not a VIES country code (an EU member state's, EL for Greece, XI for Northern Ireland)",
    "vies_bad_number": "%(number)r is not a VAT number VIES reads: 2 to 12 letters or digits after the country code",
    "vies_invalid_input": "VIES refused %(country)s %(number)s as invalid input (INVALID_INPUT)",
    "vies_invalid_requester": "VIES refused the requester's VAT number %(requester)s (INVALID_REQUESTER_INFO): check the company's own VAT number",
    "vies_service_unavailable": "the VIES service is unavailable (SERVICE_UNAVAILABLE); try again later",
    "vies_ms_unavailable": "the tax administration of %(country)s does not answer VIES now (MS_UNAVAILABLE); try again later",
    "vies_ms_timeout": "the tax administration of %(country)s did not answer VIES in time (TIMEOUT); try again later",
    "vies_server_busy": "the VIES service is busy (SERVER_BUSY); try again later",
    "vies_global_max_concurrent": "the VIES service has too many requests at once (%(fault)s); try again later",
    "vies_ms_max_concurrent": "VIES has too many requests at once for %(country)s (%(fault)s); try again later",
    "vies_vat_blocked": "VIES does not check %(country)s %(number)s: the number is blocked (VAT_BLOCKED)",
    "vies_ip_blocked": "VIES refuses requests from this server's address (IP_BLOCKED)",
    "vies_fault": "VIES answered with the fault %(fault)s",
    "vies_unreachable": "cannot reach the VIES service at %(url)s (%(attempts)s attempts): %(detail)s",
    "vies_timeout": "the VIES service at %(url)s did not answer within %(seconds)s seconds; the request may have reached it, so it was not sent again",
    "vies_dropped": "the VIES service at %(url)s closed the connection without answering (%(detail)s); the request may have reached it, so it was not sent again",
    "vies_tls": "TLS with the VIES service at %(url)s failed: %(detail)s",
    "vies_http_status": "the VIES service at %(url)s answered HTTP %(status)s without a SOAP answer",
    "vies_bad_answer": "the answer of the VIES service cannot be read: %(detail)s",
    # Pinduoduo 货款账单, Douyin shop 结算账单
    "not_pdd_fund": "not a Pinduoduo 货款账单: expected the header %(expected)r (file read as %(encoding)s)",
    "pdd_footer_missing": "truncated Pinduoduo 货款账单: footer line '#%(kind)s合计' is missing",
    "not_douyin_settlement": "not a Douyin shop 结算账单: expected the header to start with %(expected)r (file read as %(encoding)s)",
    "douyin_outcome": "合计支出 %(outcome)s is not the sum of the row's fees %(fees)s",
    "douyin_net": "商家实收 %(net)s is not 收入合计 %(income)s minus 合计支出 %(outcome)s",
}

#: How the location of an error reads in English, by the parts present (file, line, column):
#: whole templates, so a translation may order them as its language does.
LOCATIONS = {
    (True, True, True): "%(file)s, line %(line)s, column %(column)s: %(message)s",
    (True, True, False): "%(file)s, line %(line)s: %(message)s",
    (True, False, True): "%(file)s, column %(column)s: %(message)s",
    (True, False, False): "%(file)s: %(message)s",
    (False, True, True): "line %(line)s, column %(column)s: %(message)s",
    (False, True, False): "line %(line)s: %(message)s",
    (False, False, True): "column %(column)s: %(message)s",
}


def english(template):
    """The template itself: the English "translation" :func:`render` uses by default."""
    return template


@dataclass(frozen=True)
class Message:
    """A code of :data:`MESSAGES` with its parameters (parameters may be Messages too)."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in MESSAGES:
            raise KeyError(f"unknown message code {self.code!r}")

    def render(self, translate=english):
        """The message in the language of ``translate`` (English template -> template to use)."""
        params = {
            key: value.render(translate) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return translate(MESSAGES[self.code]) % params

    def __str__(self):
        return self.render()


class EcomFinError(Exception):
    """Base class of every error the core raises on purpose."""


class InputError(EcomFinError, ValueError):
    """Bad input: a code of :data:`MESSAGES` with its parameters, and the file, line, column and
    offending value when known.

    ``str(error)`` gives one English line such as
    ``alipay.csv, line 12, column 收入金额（+元）: cannot read amount '12,3x'``;
    :meth:`render` gives it in another language.
    """

    def __init__(self, code, params=None, *, filename=None, line=None, column=None, value=None):
        self.code = code
        self.params = dict(params or {})
        self._text = Message(code, self.params)  # checks the code
        self.filename = filename
        self.line = line
        self.column = column
        self.value = value
        super().__init__(self.__str__())

    @property
    def message(self):
        """The English message, without its location."""
        return self._text.render()

    def located(self, *, filename=None, line=None, column=None, value=None):
        """Return a copy with missing location parts filled in."""
        return InputError(
            self.code,
            self.params,
            filename=self.filename or filename,
            line=self.line if self.line is not None else line,
            column=self.column or column,
            value=self.value if self.value is not None else value,
        )

    def render(self, translate=english):
        """The whole line (location and message) in the language of ``translate``."""
        column = self.column
        if isinstance(column, Message):
            column = column.render(translate)
        message = self._text.render(translate)
        key = (bool(self.filename), self.line is not None, bool(column))
        if key not in LOCATIONS:
            return message
        return translate(LOCATIONS[key]) % {
            "file": self.filename,
            "line": self.line,
            "column": column,
            "message": message,
        }

    def __str__(self):
        return self.render()
