# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A period's vouchers in the import layouts of 用友 U8 and 金蝶 K/3, read back cell by cell."""

import datetime
import io

import pytest

from ecomfin import voucher_export as vx

openpyxl = pytest.importorskip("openpyxl")


def vouchers():
    return [
        {
            "date": datetime.date(2026, 11, 3),
            "word": "记",
            "number": 1,
            "period": "2026-11",
            "name": "记-2026-11-0001",
            "attachments": 2,
            "creator": "王芳",
            "reviewer": "李娜",
            "poster": "张伟",
            "currency": "CNY",
            "lines": [
                {
                    "summary": "天猫结算 佣金",
                    "account_code": "6601.01",
                    "account_name": "销售费用-平台佣金",
                    "debit": 12.344,  # rounded to the cent: 12.34
                    "credit": 0,
                },
                {"summary": "天猫结算", "account_code": "1122", "account_name": "应收账款", "debit": 87.656},
                {"summary": "zero tax", "account_code": "2221", "account_name": "应交税费", "debit": 0},
                {
                    "summary": "天猫结算",
                    "account_code": "1012.03",
                    "account_name": "其他货币资金-支付宝",
                    "credit": 100,
                    "partner": "浙江天猫网络有限公司",
                },
            ],
        },
        {
            "date": datetime.date(2026, 11, 30),
            "word": "收",
            "number": 4,
            "period": "2026-11",
            "attachments": 0,
            "creator": "王芳",
            "reviewer": "",
            "poster": "王芳",
            "currency": "CNY",
            "lines": [
                {
                    "summary": "Stripe payout",
                    "account_code": "1002.02",
                    "account_name": "银行存款-美元户",
                    "debit": 710.5,
                    "currency": "USD",
                    "currency_name": "美元",
                    "amount_currency": 100,
                },
                {"summary": "=cmd", "account_code": "1122", "account_name": "应收账款", "credit": 710.5},
            ],
        },
    ]


def read(data):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }, book


def padded(values, columns):
    row = [None] * len(columns)
    for name, value in values.items():
        row[columns.index(name)] = value
    return row


NOV3 = datetime.datetime(2026, 11, 3)
NOV30 = datetime.datetime(2026, 11, 30)


def test_yonyou_every_cell():
    sheets, book = read(vx.voucher_workbook(vx.YONYOU, vouchers()))
    assert list(sheets) == ["Sheet1"]
    rows = sheets["Sheet1"]
    assert tuple(rows[0]) == vx.YONYOU_COLUMNS
    assert len(vx.YONYOU_COLUMNS) == 73
    head = {"会计期间": 11, "凭证类别字": "记", "凭证类别排序号": 1, "凭证编号": 1, "制单日期": NOV3}
    head |= {"附单据数": 2, "制单人": "王芳", "审核人": "李娜", "记账人": "张伟", "记账标志": 0}
    expected = [
        padded(
            head
            | {"行号": 1, "摘要": "天猫结算 佣金", "科目编码": "6601.01", "借方金额": 12.34, "贷方金额": 0},
            vx.YONYOU_COLUMNS,
        ),
        padded(
            head | {"行号": 2, "摘要": "天猫结算", "科目编码": "1122", "借方金额": 87.66, "贷方金额": 0},
            vx.YONYOU_COLUMNS,
        ),
        # the zero line is left out; the partner goes to 自定义字段1
        padded(
            head
            | {"行号": 3, "摘要": "天猫结算", "科目编码": "1012.03", "借方金额": 0, "贷方金额": 100}
            | {"自定义字段1": "浙江天猫网络有限公司"},
            vx.YONYOU_COLUMNS,
        ),
    ]
    head2 = {"会计期间": 11, "凭证类别字": "收", "凭证类别排序号": 1, "凭证编号": 4, "制单日期": NOV30}
    head2 |= {"附单据数": 0, "制单人": "王芳", "记账人": "王芳", "记账标志": 0}
    expected += [
        padded(
            head2
            | {"行号": 1, "摘要": "Stripe payout", "科目编码": "1002.02", "借方金额": 710.5, "贷方金额": 0}
            | {"币种": "USD", "外币借方金额": 100, "外币贷方金额": 0, "汇率": 7.105},
            vx.YONYOU_COLUMNS,
        ),
        # text that looks like a formula stays inert text
        padded(
            head2 | {"行号": 2, "摘要": "'=cmd", "科目编码": "1122", "借方金额": 0, "贷方金额": 710.5},
            vx.YONYOU_COLUMNS,
        ),
    ]
    assert rows[1:] == expected
    sheet = book["Sheet1"]
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["S2"].number_format == "0.00" and isinstance(sheet["S2"].value, float)


def test_kingdee_every_cell_and_schema():
    sheets, book = read(vx.voucher_workbook(vx.KINGDEE, vouchers()))
    assert list(sheets) == ["Page1", "t_Schema"]
    rows = sheets["Page1"]
    assert tuple(rows[0]) == vx.KINGDEE_COLUMNS
    assert len(vx.KINGDEE_COLUMNS) == 37
    cols = vx.KINGDEE_COLUMNS
    head = {"凭证日期": NOV3, "会计年度": 2026, "会计期间": 11, "凭证字": "记", "凭证号": 1}
    head |= {"币别代码": "RMB", "币别名称": "人民币", "制单": "王芳", "审核": "李娜", "业务日期": NOV3}
    head |= {"附件数": 2, "序号": 1, "汇率类型": "公司汇率", "汇率": 1, "过账": 0}
    expected = [
        padded(
            head
            | {"科目代码": "6601.01", "科目名称": "销售费用-平台佣金", "原币金额": 12.34, "借方": 12.34}
            | {"贷方": 0, "凭证摘要": "天猫结算 佣金", "分录序号": 0},
            cols,
        ),
        padded(
            head
            | {"科目代码": "1122", "科目名称": "应收账款", "原币金额": 87.66, "借方": 87.66, "贷方": 0}
            | {"凭证摘要": "天猫结算", "分录序号": 1},
            cols,
        ),
        padded(
            head
            | {"科目代码": "1012.03", "科目名称": "其他货币资金-支付宝", "原币金额": 100, "借方": 0}
            | {"贷方": 100, "凭证摘要": "天猫结算", "参考信息": "浙江天猫网络有限公司", "分录序号": 2},
            cols,
        ),
    ]
    head2 = {"凭证日期": NOV30, "会计年度": 2026, "会计期间": 11, "凭证字": "收", "凭证号": 4}
    head2 |= {"制单": "王芳", "业务日期": NOV30, "附件数": 0, "序号": 2, "汇率类型": "公司汇率", "过账": 0}
    expected += [
        padded(
            head2
            | {"科目代码": "1002.02", "科目名称": "银行存款-美元户", "币别代码": "USD", "币别名称": "美元"}
            | {"原币金额": 100, "借方": 710.5, "贷方": 0, "凭证摘要": "Stripe payout", "汇率": 7.105}
            | {"分录序号": 0},
            cols,
        ),
        padded(
            head2
            | {"科目代码": "1122", "科目名称": "应收账款", "币别代码": "RMB", "币别名称": "人民币"}
            | {"原币金额": 710.5, "借方": 0, "贷方": 710.5, "凭证摘要": "'=cmd", "汇率": 1, "分录序号": 1},
            cols,
        ),
    ]
    assert rows[1:] == expected
    schema = sheets["t_Schema"]
    assert tuple(schema[0]) == vx.KINGDEE_SCHEMA_HEADERS
    fields = [row for row in schema if row[0] == "FieldInfo"]
    assert [row[3] for row in fields] == list(cols)
    assert [row[1] for row in fields][:5] == ["FDate", "FYear", "FPeriod", "FGroupID", "FNumber"]
    page = book["Page1"]
    assert page["A2"].is_date and page["K2"].number_format == "0.00"


@pytest.mark.parametrize("layout", vx.LAYOUTS)
def test_totals_balance_per_voucher(layout):
    headers, rows = vx.export_rows(layout, vouchers())
    number = headers.index("凭证编号" if layout == vx.YONYOU else "凭证号")
    debit = headers.index("借方金额" if layout == vx.YONYOU else "借方")
    credit = headers.index("贷方金额" if layout == vx.YONYOU else "贷方")
    totals = {}
    for row in rows:
        total = totals.setdefault(row[number], [0.0, 0.0])
        total[0] += row[debit]
        total[1] += row[credit]
    assert {key: (round(d, 2), round(c, 2)) for key, (d, c) in totals.items()} == {
        1: (100.0, 100.0),
        4: (710.5, 710.5),
    }


@pytest.mark.parametrize("layout", vx.LAYOUTS)
def test_unbalanced_voucher_is_named(layout):
    data = vouchers()
    data[1]["lines"][1]["credit"] = 710.4
    with pytest.raises(ValueError, match=r"Voucher 收-2026-11-4: unbalanced, debit 710.50 and credit 710.40"):
        vx.voucher_workbook(layout, data)


@pytest.mark.parametrize("layout", vx.LAYOUTS)
def test_line_without_account_code_is_named(layout):
    data = vouchers()
    data[0]["lines"][3]["account_code"] = " "
    with pytest.raises(ValueError, match=r"Voucher 记-2026-11-0001, line 4: no account code"):
        vx.voucher_workbook(layout, data)


def test_other_bad_input():
    data = vouchers()
    data[0]["lines"][0]["credit"] = 1
    with pytest.raises(ValueError, match=r"line 1: both a debit \(12.34\) and a credit \(1.00\)"):
        vx.yonyou_rows(data)
    data = vouchers()
    data[0]["lines"][0]["debit"] = "abc"
    with pytest.raises(ValueError, match=r"line 1: debit 'abc' is not an amount"):
        vx.kingdee_rows(data)
    data = vouchers()
    data[0]["period"] = "2026/11"
    with pytest.raises(ValueError, match=r"Voucher 记-2026-11-0001: period '2026/11' is not YYYY-MM"):
        vx.kingdee_rows(data)
    with pytest.raises(ValueError, match="Unknown voucher layout 'sap'"):
        vx.export_rows("sap", vouchers())
