# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Helpers shared by the parser tests."""

import sys
from pathlib import Path

import pytest

from ecomfin.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The fixture texts live in tests/fixtures/generate.py; tests import them to build variants.
sys.path.insert(0, str(FIXTURES))


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


def consume(statement):
    """Read a statement's whole stream (where footers are checked)."""
    return list(statement)


def raises_input_error(func, *args, **kwargs):
    """Run ``func`` (consuming a returned statement) and return the InputError it raises."""
    with pytest.raises(InputError) as info:
        result = func(*args, **kwargs)
        if hasattr(result, "orders"):
            list(result.orders())
        else:
            list(result)
    return info.value
