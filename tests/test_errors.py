# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import ast
import re
from pathlib import Path

import pytest

from ecomfin.errors import LOCATIONS, MESSAGES, InputError, Message

ROOT = Path(__file__).resolve().parent.parent
PARAM = re.compile(r"%\((\w+)\)[sr]")


def test_str_is_the_english_line_with_its_location():
    error = InputError(
        "bad_amount",
        {"value": "12,3x"},
        filename="alipay.csv",
        line=12,
        column="收入金额（+元）",
        value="12,3x",
    )
    assert str(error) == "alipay.csv, line 12, column 收入金额（+元）: cannot read amount '12,3x'"
    assert error.message == "cannot read amount '12,3x'"
    assert error.code == "bad_amount" and error.params == {"value": "12,3x"}
    assert str(InputError("file_empty")) == "file is empty"
    assert str(InputError("file_empty", line=3)) == "line 3: file is empty"


def test_located_keeps_the_code_and_fills_the_location():
    error = InputError("bad_amount", {"value": "x"}, column="fee").located(
        filename="f.csv", line=4, column="x"
    )
    assert (error.code, error.filename, error.line, error.column) == ("bad_amount", "f.csv", 4, "fee")
    assert str(error) == "f.csv, line 4, column fee: cannot read amount 'x'"


def test_a_translation_renders_the_message_its_parameters_and_the_location():
    words = {
        "cannot read amount %(value)r": "无法读取金额 %(value)r",
        "footer %(label)s": "页脚 %(label)s",
        "%(what)s: the file declares %(declared)s but its rows add up to %(computed)s": "%(what)s：声明 %(declared)s，合计 %(computed)s",
        "%(file)s, line %(line)s: %(message)s": "%(file)s 第 %(line)s 行：%(message)s",
    }
    error = InputError(
        "total_mismatch",
        {"what": Message("what_footer", {"label": "收入合计"}), "declared": 3, "computed": 2},
        filename="a.csv",
        line=9,
    )
    assert str(error) == "a.csv, line 9: footer 收入合计: the file declares 3 but its rows add up to 2"
    assert error.render(lambda t: words.get(t, t)) == "a.csv 第 9 行：页脚 收入合计：声明 3，合计 2"


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        InputError("no such code")


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_template_renders_with_its_parameters(code):
    params = {name: "x" for name in PARAM.findall(MESSAGES[code])}
    assert "%(" not in str(InputError(code, params, filename="f", line=1, column="c"))
    assert PARAM.sub("", MESSAGES[code]).count("%") == 0, "a literal % must be written %%"


def test_locations_name_the_parts_they_have():
    for (has_file, has_line, has_column), template in LOCATIONS.items():
        assert ("%(file)s" in template) == has_file
        assert ("%(line)s" in template) == has_line
        assert ("%(column)s" in template) == has_column
        assert "%(message)s" in template


def _codes_raised(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        named = isinstance(func, ast.Name) and func.id in ("InputError", "Message")
        on_reader = (
            isinstance(func, ast.Attribute)
            and func.attr in ("error", "wrong_format")
            and getattr(func.value, "id", None) == "reader"
        )
        if named or on_reader:
            first = node.args[0] if node.args else None
            assert not isinstance(first, ast.JoinedStr), f"{path}:{node.lineno}: a sentence, not a code"
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def test_every_code_raised_is_in_the_table():
    sources = [*ROOT.joinpath("ecomfin").rglob("*.py"), *ROOT.joinpath("addons").rglob("*.py")]
    raised = {code for path in sources if "/tests/" not in str(path) for code in _codes_raised(path)}
    assert raised, "the scan found no code"
    assert raised - set(MESSAGES) == set()
