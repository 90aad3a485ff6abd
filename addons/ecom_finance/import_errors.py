# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Import errors in the user's language.

The core raises ``ecomfin.errors.InputError`` as a code with parameters; its English templates
(``ecomfin.errors.MESSAGES``, ``LOCATIONS``) are repeated here as translatable terms (``_lt``), so
that the term export finds them and ``i18n/zh_CN.po`` translates them. A test keeps the two
tables equal (``tests/test_import_errors.py``).
"""

from odoo.tools.translate import LazyTranslate

from ecomfin.errors import LOCATIONS, MESSAGES, Message

_lt = LazyTranslate(__name__)

#: code -> translatable template (the English text is ``ecomfin.errors.MESSAGES[code]``)
TEMPLATES = {
    "file_empty": _lt("file is empty"),
    "utf16": _lt("file is UTF-16 encoded; export it again as UTF-8 or GBK CSV"),
    "nul_bytes": _lt("file holds NUL bytes: binary data, not a text export"),
    "wrong_encoding": _lt("wrong encoding: the bytes are neither %(encodings)s"),
    "wrong_encoding_line": _lt("wrong encoding: line is not valid %(encoding)s (byte %(byte)s of the line)"),
    "malformed_csv": _lt("malformed CSV: %(detail)s"),
    "unrecognised_format": _lt("unrecognised file format"),
    "unknown_format_code": _lt("unknown format code %(fmt)r; known: %(known)s"),
    "wrong_format": _lt(
        "wrong format: expected a %(expected)s file but this looks like a %(found)s (%(code)s)"
    ),
    "zip_no_statement": _lt("the zip archive holds no statement file"),
    "zip_several": _lt(
        "the zip archive holds several statements (%(first)s, %(second)s, ...); use parse_all() to read each"
    ),
    "zip_damaged": _lt("damaged zip archive: %(detail)s"),
    "zip_member_unreadable": _lt("cannot open zip member: %(detail)s"),
    "zip_nested": _lt("a zip archive inside a zip archive is not read; unpack it first"),
    "zip_nothing_recognised": _lt("the zip archive holds no recognised statement file"),
    "zip_member_too_large": _lt(
        "the zip member unpacks to %(size)s bytes, above the limit of %(limit)s bytes"
    ),
    "zip_too_large": _lt("the zip archive unpacks to %(size)s bytes, above the limit of %(limit)s bytes"),
    "zip_member_damaged": _lt("damaged zip member: %(detail)s"),
    "zip_member_over_limit": _lt("the zip member unpacks to more than the limit of %(limit)s bytes"),
    "zip_over_limit": _lt("the zip archive unpacks to more than the limit of %(limit)s bytes"),
    "xlsx_damaged": _lt("cannot read the XLSX workbook: %(detail)s"),
    "xlsx_no_sheet": _lt("the XLSX workbook has no sheet with data"),
    "xlsx_unsupported": _lt("%(kind)s workbooks are not read; save the export as .xlsx or CSV"),
    "column_twice": _lt("%(fmt_name)s: column %(column)r appears twice in the header"),
    "column_extra": _lt("%(fmt_name)s: unexpected extra column %(column)r (column %(index)s) in the header"),
    "columns_missing": _lt("%(fmt_name)s: missing column(s) %(columns)s in the header"),
    "row_cells": _lt("row has %(cells)s cells but the header has %(columns)s columns"),
    "total_mismatch": _lt("%(what)s: the file declares %(declared)s but its rows add up to %(computed)s"),
    "what_footer": _lt("footer %(label)s"),
    "what_summary": _lt("summary %(label)s"),
    "what_summary_count": _lt("summary %(label)s (row count)"),
    "what_settlement_total": _lt("settlement total-amount"),
    "columns_not_understood": _lt("column(s) not understood, ignored: %(columns)s"),
    "bad_amount": _lt("cannot read amount %(value)r"),
    "missing_date": _lt("missing date"),
    "bad_datetime": _lt("cannot read date/time %(value)r"),
    "bad_date": _lt("cannot read date %(value)r"),
    "bad_currency_code": _lt("currency must be an upper-case ISO 4217 code, got %(value)r"),
    "missing_currency": _lt("missing or invalid currency"),
    "unknown_currency": _lt("unknown currency %(currencies)s"),
    "unknown_line_type": _lt("unknown line type %(value)r"),
    "not_decimal": _lt("%(name)s must be a Decimal, got %(value)r"),
    "naive_datetime": _lt("occurred_at must be a timezone-aware datetime, got %(value)r"),
    "net_not_gross_minus_fee": _lt("net %(net)s is not gross %(gross)s minus fee %(fee)s"),
    "unknown_order_status_value": _lt("unknown order status %(value)r"),
    "unknown_order_profile": _lt("unknown order profile %(profile)r; known: %(known)s"),
    "not_order_export": _lt(
        "not a %(profile)s order export: column %(column)r is missing (file read as %(encoding)s)"
    ),
    "order_ref_empty": _lt("order reference is empty"),
    "order_not_adjacent": _lt(
        "the lines of order %(ref)s are not adjacent (the order appeared earlier in the file)"
    ),
    "order_field_differs": _lt(
        "order %(ref)s: %(field)s differs from the order's first line (line %(first_line)s: %(first)r)"
    ),
    "unknown_order_status": _lt("unknown order status %(value)r; expected one of %(expected)s"),
    "negative_order_amount": _lt("negative order amount"),
    "bad_quantity": _lt("quantity must be a whole number greater than 0"),
    "order_lines_total": _lt(
        "order %(ref)s: its lines add up to %(lines_total)s but amount_paid is %(amount_paid)s"
    ),
    "unknown_skus": _lt("%(count)s unknown SKU(s), no product has them as internal reference: %(skus)s"),
    "not_alipay": _lt(
        "not an Alipay 账务明细 file: expected first line %(expected)r (file read as %(encoding)s)"
    ),
    "alipay_no_marker": _lt("truncated Alipay file: no '账务明细列表' marker before the end"),
    "alipay_marker_missing": _lt(
        "not an Alipay 账务明细 file: the '#-----账务明细列表-----' marker is missing before the table"
    ),
    "alipay_no_header": _lt("truncated Alipay file: no table header"),
    "alipay_new_layout_columns": _lt("Alipay 账务明细: newer layout is missing column(s) %(columns)s"),
    "income_and_expense": _lt("row has both an income and an expense amount"),
    "negative_income": _lt("negative income amount"),
    "alipay_no_end_marker": _lt(
        "truncated Alipay file: the '#-----账务明细列表结束-----' end marker is missing"
    ),
    "data_after_end_marker": _lt("unexpected data after the end marker"),
    "alipay_footer_missing": _lt("truncated Alipay file: footer line '#%(kind)s合计' is missing"),
    "footer_count": _lt("footer %(label)s declares %(declared)s rows but the file has %(counted)s"),
    "not_wechat": _lt(
        "not a WeChat Pay %(label)s: expected the header to start with %(expected)r (file read as %(encoding)s)"
    ),
    "unknown_wechat_status": _lt("unknown 交易状态 %(value)r"),
    "unknown_wechat_direction": _lt("unknown 收支类型 %(value)r"),
    "summary_column_missing": _lt("summary column %(column)r is missing"),
    "wechat_summary_missing": _lt(
        "truncated WeChat Pay %(label)s: the summary (%(column)s, ...) is missing after the rows"
    ),
    "wechat_summary_header": _lt(
        "WeChat Pay %(label)s: expected the summary header %(column)r after the rows"
    ),
    "wechat_summary_row_missing": _lt("truncated WeChat Pay %(label)s: the summary row is missing"),
    "summary_cells": _lt("summary row has %(cells)s cells but its header has %(columns)s"),
    "data_after_summary": _lt("unexpected data after the summary row"),
    "not_amazon": _lt(
        "not an Amazon settlement flat file: the header must start with 'settlement-id' (file read as %(encoding)s)"
    ),
    "amazon_summary_missing": _lt("truncated settlement file: the summary row is missing"),
    "amazon_summary_first": _lt(
        "the first data row must be the settlement summary (settlement-id, dates, total-amount, currency only)"
    ),
    "amazon_other_settlement": _lt("row belongs to settlement %(found)r, not %(expected)r"),
    "currency_differs": _lt("currency differs from the summary row"),
    "not_shopify": _lt(
        "not a Shopify %(label)s export: the header must start with %(column)r (file read as %(encoding)s)"
    ),
    "shopify_net": _lt("Net %(net)s is not Amount %(gross)s minus Fee %(fee)s"),
    "shopify_payout_total": _lt(
        "Total %(total)s does not match Charges - Refunds + Adjustments + Reserved Funds - Fees + Retried Amount = %(expected)s"
    ),
    "not_stripe": _lt(
        "not a Stripe balance-transactions file: expected id, amount/gross, fee, net, currency and reporting_category/type columns (file read as %(encoding)s)"
    ),
    "stripe_missing_column": _lt("Stripe balance transactions: missing column %(column)s"),
    "stripe_bad_json": _lt("not valid Stripe JSON: %(detail)s"),
    "stripe_json_shape": _lt("Stripe JSON must be a list or an object with a 'data' list"),
    "stripe_not_object": _lt("balance transaction is not an object"),
    "stripe_net": _lt("net %(net)s is not amount %(gross)s minus fee %(fee)s"),
    "stripe_minor_units": _lt("expected an integer amount in minor units (minor_units=True)"),
    "bank_profile_date": _lt("bank CSV profile needs a 'date' column"),
    "bank_profile_amount": _lt(
        "bank CSV profile needs either 'amount' or both 'debit' and 'credit' (not both)"
    ),
    "bank_no_header": _lt(
        "bank CSV: no header row with the profile's columns (%(columns)s) in the first %(lines)s lines (file read as %(encoding)s)"
    ),
    "bank_profile_currency": _lt("bank CSV profile needs 'currency' or 'currency_column'"),
    "debit_and_credit": _lt("row has both a debit and a credit amount"),
    "running_balance": _lt(
        "running balance breaks: expected %(expected)s after the previous row, found %(found)s"
    ),
    "not_camt": _lt("not a CAMT statement: expected <Document> in a camt.052/053/054 namespace"),
    "invalid_xml": _lt("invalid XML: %(detail)s"),
    "invalid_xml_truncated": _lt("invalid XML: %(detail)s (truncated file?)"),
    "xml_character": _lt("character %(number)s"),
    "camt_balance": _lt(
        "statement %(name)s: opening balance %(start)s + entries %(entries)s = %(sum)s, but the closing balance is %(end)s (off by %(off)s)"
    ),
    "no_booking_date": _lt("entry has no booking date"),
    "epc_not_hex": _lt("an EPC is written in hexadecimal"),
    "read_kind": _lt("kind is 'barcode' or 'epc'"),
    "gs1_date_format": _lt("a GS1 date is YYMMDD"),
    "gs1_month": _lt("month out of range in a GS1 date"),
    "gs1_day": _lt("day out of range in a GS1 date"),
    "gs1_digits": _lt("AI (%(ai)s) takes digits only"),
    "gs1_charset": _lt("AI (%(ai)s) has a character outside the GS1 set"),
    "gs1_check_digit": _lt("AI (%(ai)s): wrong check digit"),
    "gs1_unknown_ai": _lt("unknown GS1 application identifier at position %(position)s"),
    "gs1_length_range": _lt("AI (%(ai)s) at position %(position)s: length %(length)s out of 1..%(max)s"),
    "gs1_length_fixed": _lt("AI (%(ai)s) at position %(position)s: %(length)s characters expected"),
    "gs1_empty": _lt("empty GS1 element string"),
    "gtin_check_digit": _lt("not a GTIN with a valid check digit"),
    "epc_prefix_length": _lt("company prefix length must be 6..12"),
    "epc_serial_range": _lt("serial out of range for SGTIN-96 (0 .. 2**38-1)"),
    # connectors (API pulls)
    "missing_credentials": _lt("%(platform)s backend: missing credential(s) %(fields)s"),
    "unknown_platform": _lt("unknown platform %(platform)r; known: %(known)s"),
    "unknown_stream": _lt("%(platform)s has no stream %(stream)r"),
    "bad_cursor": _lt("the stored cursor %(cursor)r cannot be read; reset the stream's cursor"),
    "timeout": _lt("%(url)s did not answer in time: %(detail)s"),
    "network": _lt("cannot reach %(url)s: %(detail)s"),
    "rate_limited": _lt("%(url)s: too many requests (HTTP 429)"),
    "server_error": _lt("%(url)s: server error (HTTP %(status)s)"),
    "truncated": _lt("%(url)s: the answer was cut short (%(received)s of %(declared)s bytes)"),
    "truncated_json": _lt("%(url)s: the answer is not whole JSON (%(detail)s)"),
    "http_status": _lt("%(url)s answered HTTP %(status)s: %(body)s"),
    "gave_up": _lt("gave up after %(attempts)s attempts: %(last)s"),
    "auth_failed": _lt("%(platform)s refused the credentials: %(detail)s"),
    "token_expired": _lt("%(platform)s: the access token has expired; renew it on the backend"),
    "platform_error": _lt("%(platform)s answered error %(code)s: %(detail)s"),
    "bad_key": _lt("%(platform)s backend: %(field)s is not a readable RSA key (PEM): %(detail)s"),
    "response_signature": _lt(
        "%(platform)s: the answer's signature does not verify (%(detail)s); it was not used"
    ),
    "bill_hash_mismatch": _lt(
        "%(platform)s: the bill of %(day)s does not match its %(algorithm)s hash after %(attempts)s downloads"
    ),
    "bill_not_readable": _lt("%(platform)s: the bill of %(day)s downloaded is not a %(expected)s file"),
    # VIES (EU VAT numbers of business buyers, ecomfin.soap.vies)
    "vies_bad_country": _lt(
        "%(country)r is not a VIES country code (an EU member state's, EL for Greece, XI for Northern Ireland)"
    ),
    "vies_bad_number": _lt(
        "%(number)r is not a VAT number VIES reads: 2 to 12 letters or digits after the country code"
    ),
    "vies_invalid_input": _lt("VIES refused %(country)s %(number)s as invalid input (INVALID_INPUT)"),
    "vies_invalid_requester": _lt(
        "VIES refused the requester's VAT number %(requester)s (INVALID_REQUESTER_INFO): check the company's own VAT number"
    ),
    "vies_service_unavailable": _lt("the VIES service is unavailable (SERVICE_UNAVAILABLE); try again later"),
    "vies_ms_unavailable": _lt(
        "the tax administration of %(country)s does not answer VIES now (MS_UNAVAILABLE); try again later"
    ),
    "vies_ms_timeout": _lt(
        "the tax administration of %(country)s did not answer VIES in time (TIMEOUT); try again later"
    ),
    "vies_server_busy": _lt("the VIES service is busy (SERVER_BUSY); try again later"),
    "vies_global_max_concurrent": _lt(
        "the VIES service has too many requests at once (%(fault)s); try again later"
    ),
    "vies_ms_max_concurrent": _lt(
        "VIES has too many requests at once for %(country)s (%(fault)s); try again later"
    ),
    "vies_vat_blocked": _lt(
        "VIES does not check %(country)s %(number)s: the number is blocked (VAT_BLOCKED)"
    ),
    "vies_ip_blocked": _lt("VIES refuses requests from this server's address (IP_BLOCKED)"),
    "vies_fault": _lt("VIES answered with the fault %(fault)s"),
    "vies_unreachable": _lt("cannot reach the VIES service at %(url)s (%(attempts)s attempts): %(detail)s"),
    "vies_timeout": _lt(
        "the VIES service at %(url)s did not answer within %(seconds)s seconds; the request may have reached it, so it was not sent again"
    ),
    "vies_dropped": _lt(
        "the VIES service at %(url)s closed the connection without answering (%(detail)s); the request may have reached it, so it was not sent again"
    ),
    "vies_tls": _lt("TLS with the VIES service at %(url)s failed: %(detail)s"),
    "vies_http_status": _lt("the VIES service at %(url)s answered HTTP %(status)s without a SOAP answer"),
    "vies_bad_answer": _lt("the answer of the VIES service cannot be read: %(detail)s"),
    "not_pdd_fund": _lt(
        "not a Pinduoduo 货款账单: expected the header %(expected)r (file read as %(encoding)s)"
    ),
    "pdd_footer_missing": _lt("truncated Pinduoduo 货款账单: footer line '#%(kind)s合计' is missing"),
    "not_douyin_settlement": _lt(
        "not a Douyin shop 结算账单: expected the header to start with %(expected)r (file read as %(encoding)s)"
    ),
    "douyin_outcome": _lt("合计支出 %(outcome)s is not the sum of the row's fees %(fees)s"),
    "douyin_net": _lt("商家实收 %(net)s is not 收入合计 %(income)s minus 合计支出 %(outcome)s"),
}

#: (file, line, column present) -> translatable template of the location and message
LOCATION_TEMPLATES = {
    (True, True, True): _lt("%(file)s, line %(line)s, column %(column)s: %(message)s"),
    (True, True, False): _lt("%(file)s, line %(line)s: %(message)s"),
    (True, False, True): _lt("%(file)s, column %(column)s: %(message)s"),
    (True, False, False): _lt("%(file)s: %(message)s"),
    (False, True, True): _lt("line %(line)s, column %(column)s: %(message)s"),
    (False, True, False): _lt("line %(line)s: %(message)s"),
    (False, False, True): _lt("column %(column)s: %(message)s"),
}


def _by_english():
    terms = {MESSAGES[code]: term for code, term in TEMPLATES.items()}
    terms.update({LOCATIONS[key]: term for key, term in LOCATION_TEMPLATES.items()})
    return terms


#: English template -> its translatable term
TERMS = _by_english()


def _translator(env):
    def translate(template):
        term = TERMS.get(template)
        return env._(term) if term is not None else template

    return translate


def import_error_text(env, error):
    """``error`` (an ``InputError``) in the language of ``env``, location included."""
    return error.render(_translator(env))


def warnings_text(env, warnings):
    """The warnings of a parsed file (``ecomfin.errors.Message``), one a line, in the language
    of ``env``; False when there are none."""
    translate = _translator(env)
    texts = [w.render(translate) if isinstance(w, Message) else str(w) for w in warnings]
    return "\n".join(texts) or False


def message_text(env, message):
    """A core ``Message`` (a connector's error, say) in the language of ``env``."""
    return message.render(_translator(env))
