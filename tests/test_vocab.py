# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""One vocabulary per concept (``ecomfin.vocab``): the parsers, the loaders and posting agree with it."""

from ecomfin import parsers, vocab
from ecomfin.parsers import orders
from ecomfin.posting import TYPE_EVENTS
from ecomfin.statement import LINE_TYPES, ORDER_STATUSES


def codes(labels):
    return [code for code, _label in labels]


def test_every_list_has_unique_codes_and_labels():
    for labels in (
        vocab.LINE_TYPE_LABELS,
        vocab.ORDER_STATUS_LABELS,
        vocab.FORMAT_LABELS,
        vocab.PAYMENT_CHANNEL_LABELS,
        vocab.PLATFORM_LABELS,
        vocab.ORDER_PROFILE_LABELS,
    ):
        assert isinstance(labels, list)  # what an Odoo selection wants
        assert len(set(codes(labels))) == len(labels)
        assert all(isinstance(label, str) and label for _code, label in labels)


def test_line_types_and_statuses_are_those_lines_are_checked_against():
    assert LINE_TYPES == set(codes(vocab.LINE_TYPE_LABELS))
    assert ORDER_STATUSES == set(codes(vocab.ORDER_STATUS_LABELS))
    assert set(vocab.SHIPPED_STATUSES) <= ORDER_STATUSES
    # posting books every line type
    assert set(TYPE_EVENTS) == LINE_TYPES


def test_formats_are_those_the_parsers_read():
    assert set(codes(vocab.FORMAT_LABELS)) == set(parsers.FORMATS)
    assert parsers.FORMAT_NAMES == vocab.FORMAT_NAMES
    assert set(vocab.FORMAT_KINDS) == set(parsers.FORMATS)
    assert set(vocab.FORMAT_KINDS.values()) == {vocab.CHANNEL, vocab.BANK, vocab.ORDERS}


def test_format_kinds():
    assert vocab.BANK_FORMATS == {"camt053", "bank_csv"}
    assert vocab.ORDER_FORMAT == orders.FMT
    assert {code for code, kind in vocab.FORMAT_KINDS.items() if kind == vocab.ORDERS} == {vocab.ORDER_FORMAT}
    # every settlement format is the bill of exactly one payment channel, and only those are
    bills = [fmt for formats in vocab.PAYMENT_CHANNEL_FORMATS.values() for fmt in formats]
    assert sorted(bills) == sorted(vocab.SETTLEMENT_FORMATS)
    assert set(vocab.PAYMENT_CHANNEL_FORMATS) <= set(codes(vocab.PAYMENT_CHANNEL_LABELS))


def test_order_profiles_are_those_the_parser_knows():
    assert set(codes(vocab.ORDER_PROFILE_LABELS)) == set(orders.PROFILES)
    assert set(vocab.PLATFORM_ORDER_PROFILE) <= set(codes(vocab.PLATFORM_LABELS))
    assert set(vocab.PLATFORM_ORDER_PROFILE.values()) <= set(orders.PROFILES)
