# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""A period's vouchers (记账凭证) in the import layouts of 用友 (Yonyou) U8 and 金蝶 (Kingdee) K/3.

Input: plain voucher dicts, one per posted entry::

    {
        "date": datetime.date,       # 制单日期 / 凭证日期
        "word": "记",                # 凭证字 (记/收/付/转)
        "number": 7,                 # 凭证号, per company, word and month
        "period": "2026-12",         # the voucher's month, YYYY-MM (会计年度, 会计期间)
        "name": "记-2026-12-0007",   # optional: how errors name the voucher
        "attachments": 2,            # 附单据数 / 附件数
        "creator": "...", "reviewer": "...", "poster": "...",   # 制单, 审核, 记账 (names)
        "currency": "CNY",           # the company's currency (本位币), CNY when left out
        "lines": [
            {
                "summary": "...", "account_code": "1122", "account_name": "应收账款",
                "debit": 100.0, "credit": 0.0, "partner": "...",   # partner optional
                "currency": "USD", "amount_currency": 14.1,          # optional: a foreign currency
            },
        ],
    }

Output: the rows under the template's header row, then the .xlsx bytes (``ecomfin.xlsx``).
Amounts are numbers rounded to 2 decimals, dates real dates. Each voucher is checked first: a
line without account code, a line with both a debit and a credit, or debits that do not equal the
credits raise ``ValueError`` naming the voucher and the line (1-based). Lines of zero are left
out (both layouts refuse a line without an amount).

The columns, one by one, are documented in ``addons/ecom_finance/readme/USAGE.md``.
"""

import decimal

from .xlsx import table_workbook

YONYOU = "yonyou"
KINGDEE = "kingdee"
CENT = decimal.Decimal("0.01")

# 用友 U8 (V10.1 and later): 总账 › 凭证 › 凭证导入, Excel template: one row per entry line,
# the columns of GL_accvouch, in this order.
YONYOU_COLUMNS = (
    "会计期间", "凭证类别字", "凭证类别排序号", "凭证编号", "行号", "制单日期", "附单据数", "制单人",
    "审核人", "记账人", "记账标志", "出纳人", "凭证标志", "凭证头自定义项1", "凭证头自定义项2", "摘要",
    "科目编码", "币种", "借方金额", "贷方金额", "外币借方金额", "外币贷方金额", "汇率", "数量借方",
    "数量贷方", "结算方式编码", "票号", "票号发生日期", "部门编码", "职员编码", "客户编码", "供应商编码",
    "项目编码", "项目大类编码", "业务员", "对方科目编码", "银行帐两清标志", "往来帐两清标志", "是否核销",
    "外部凭证帐套号", "外部凭证会计年度", "外部凭证系统名称", "外部凭证系统版本号", "外部凭证制单日期",
    "外部凭证会计期间", "外部凭证业务类型", "外部凭证业务号", "日期", "标志", "外部凭证单据号",
    "凭证是否可修改", "凭证分录是否可增删", "凭证合计金额是否保值", "分录数值是否可修改",
    "分录科目是否可修改", "分录受控科目可用状态", "分录往来项是否可修改", "分录部门是否可修改",
    "分录项目是否可修改", "分录往来项是否必输", "自定义字段1", "自定义字段2", "自定义字段3", "自定义字段4",
    "自定义字段5", "自定义字段6", "自定义字段7", "自定义字段8", "自定义字段9", "自定义字段10",
    "现金项目编号", "现金借方", "现金贷方",
)  # fmt: skip
YONYOU_SHEET = "Sheet1"
# 凭证类别排序号: U8's preset order of the voucher categories (记 alone, or 收 付 转)
YONYOU_WORD_ORDER = {"记": 1, "收": 1, "付": 2, "转": 3}

# 金蝶 K/3 (WISE, also KIS 专业版): 总账 › 凭证处理 › 凭证引入, 标准格式 Excel: the entries on the
# sheet "Page1", the description of its columns on the sheet "t_Schema" (as K/3 exports them).
# (header, K/3 field, field type, column index in t_Schema)
KINGDEE_FIELDS = (
    ("凭证日期", "FDate", "DateTime", 1),
    ("会计年度", "FYear", "Decimal(28,10)", 2),
    ("会计期间", "FPeriod", "Decimal(28,10)", 3),
    ("凭证字", "FGroupID", "Varchar(80)", 4),
    ("凭证号", "FNumber", "Decimal(28,10)", 5),
    ("科目代码", "FAccountNum", "Varchar(40)", 7),
    ("科目名称", "FAccountName", "Varchar(255)", 8),
    ("币别代码", "FCurrencyNum", "Varchar(10)", 9),
    ("币别名称", "FCurrencyName", "Varchar(40)", 10),
    ("原币金额", "FAmountFor", "Decimal(28,10)", 11),
    ("借方", "FDebit", "Decimal(28,10)", 12),
    ("贷方", "FCredit", "Decimal(28,10)", 13),
    ("制单", "FPreparerID", "Varchar(255)", 14),
    ("审核", "FCheckerID", "Varchar(255)", 15),
    ("核准", "FApproveID", "Varchar(255)", 17),
    ("出纳", "FCashierID", "Varchar(255)", 18),
    ("经办", "FHandler", "Varchar(50)", 19),
    ("结算方式", "FSettleTypeID", "Varchar(80)", 20),
    ("结算号", "FSettleNo", "Varchar(255)", 21),
    ("凭证摘要", "FExplanation", "Varchar(255)", 22),
    ("数量", "FQuantity", "Decimal(28,10)", 23),
    ("数量单位", "FMeasureUnitID", "Varchar(255)", 24),
    ("单价", "FUnitPrice", "Decimal(28,10)", 25),
    ("参考信息", "FReference", "Varchar(255)", 26),
    ("业务日期", "FTransDate", "DateTime", 27),
    ("往来业务编号", "FTransNo", "Varchar(255)", 28),
    ("附件数", "FAttachments", "Decimal(28,10)", 29),
    ("序号", "FSerialNum", "Decimal(28,10)", 30),
    ("系统模块", "FObjectName", "Varchar(100)", 31),
    ("业务描述", "FParameter", "Varchar(100)", 32),
    ("汇率类型", "FExchangeRateType", "Varchar(80)", 33),
    ("汇率", "FExchangeRate", "Decimal(28,10)", 34),
    ("分录序号", "FEntryID", "Decimal(28,10)", 35),
    ("核算项目", "FItem", "Text", 36),
    ("过账", "FPosted", "Decimal(28,10)", 37),
    ("机制凭证", "FInternalInd", "Varchar(10)", 38),
    ("现金流量", "FCashFlow", "Text", 39),
)
KINGDEE_COLUMNS = tuple(field[0] for field in KINGDEE_FIELDS)
KINGDEE_SHEET = "Page1"
KINGDEE_SCHEMA_SHEET = "t_Schema"
KINGDEE_SCHEMA_HEADERS = (
    "FType", "FKey", "FFieldName", "FCaption", "FValueType", "FNeedSave", "FColIndex", "FSrcTableName",
    "FSrcFieldName", "FExpFieldName", "FImpFieldName", "FDefaultVal", "FSearch", "FItemPageName",
    "FTrueType", "FPrecision", "FSearchName", "FIsShownList", "FViewMask", "FPage",
)  # fmt: skip
# K/3's code and name of the renminbi (its preset currency), for Odoo's ISO code CNY
KINGDEE_CURRENCIES = {"CNY": ("RMB", "人民币")}
KINGDEE_RATE_TYPE = "公司汇率"

LAYOUTS = (YONYOU, KINGDEE)


def _money(value, where, what):
    try:
        amount = decimal.Decimal(str(value or 0)).quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    except decimal.InvalidOperation:
        raise ValueError(f"{where}: {what} {value!r} is not an amount") from None
    if amount < 0:
        raise ValueError(f"{where}: {what} {amount} is negative")
    return amount


def _period(voucher, label):
    period = str(voucher.get("period") or "")
    year, _sep, month = period.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(f"Voucher {label}: period {period!r} is not YYYY-MM")
    return int(year), int(month)


def checked_vouchers(vouchers):
    """The vouchers as the layouts read them, each checked: a list of dicts with ``year``,
    ``month``, ``label`` and ``lines`` (the lines with an amount, their amounts as ``Decimal``
    rounded to the cent, ``index`` their 1-based place in the voucher given).

    :raises ValueError: naming the voucher (and the line) of the first voucher that is wrong
    """
    result = []
    for voucher in vouchers:
        label = voucher.get("name") or "{}-{}-{}".format(
            voucher.get("word"), voucher.get("period"), voucher.get("number")
        )
        year, month = _period(voucher, label)
        if not voucher.get("word") or not voucher.get("number"):
            raise ValueError(f"Voucher {label}: no voucher word or number")
        if not voucher.get("date"):
            raise ValueError(f"Voucher {label}: no date")
        lines, debit, credit = [], decimal.Decimal(0), decimal.Decimal(0)
        for index, line in enumerate(voucher.get("lines") or (), start=1):
            where = f"Voucher {label}, line {index}"
            line_debit = _money(line.get("debit"), where, "debit")
            line_credit = _money(line.get("credit"), where, "credit")
            if not line_debit and not line_credit:
                continue
            if line_debit and line_credit:
                raise ValueError(f"{where}: both a debit ({line_debit}) and a credit ({line_credit})")
            if not str(line.get("account_code") or "").strip():
                raise ValueError(f"{where}: no account code")
            amount_currency = line.get("amount_currency")
            lines.append(
                {
                    **line,
                    "index": index,
                    "debit": line_debit,
                    "credit": line_credit,
                    "amount_currency": None
                    if amount_currency in (None, "")
                    else _money(abs(decimal.Decimal(str(amount_currency))), where, "amount in currency"),
                }
            )
            debit += line_debit
            credit += line_credit
        if not lines:
            raise ValueError(f"Voucher {label}: no line with an amount")
        if debit != credit:
            raise ValueError(f"Voucher {label}: unbalanced, debit {debit} and credit {credit}")
        result.append({**voucher, "label": label, "year": year, "month": month, "lines": lines})
    return result


def _foreign(voucher, line):
    """(currency code, amount in currency, rate) of a line in another currency than the
    company's, else None. The rate is the company currency's amount per unit (6 decimals)."""
    code = line.get("currency")
    if not code or code == (voucher.get("currency") or "CNY") or not line["amount_currency"]:
        return None
    amount = line["debit"] or line["credit"]
    rate = (amount / line["amount_currency"]).quantize(decimal.Decimal("0.000001"))
    return code, line["amount_currency"], rate


def _number(value):
    return float(value) if value is not None else None


def yonyou_rows(vouchers):
    """Rows of the 用友 U8 凭证导入 template, in the order of ``YONYOU_COLUMNS``."""
    column = {name: index for index, name in enumerate(YONYOU_COLUMNS)}
    rows = []
    for voucher in checked_vouchers(vouchers):
        for row_number, line in enumerate(voucher["lines"], start=1):
            row = [None] * len(YONYOU_COLUMNS)
            foreign = _foreign(voucher, line)
            values = {
                "会计期间": voucher["month"],
                "凭证类别字": voucher["word"],
                "凭证类别排序号": YONYOU_WORD_ORDER.get(voucher["word"]),
                "凭证编号": int(voucher["number"]),
                "行号": row_number,
                "制单日期": voucher["date"],
                "附单据数": int(voucher.get("attachments") or 0),
                "制单人": voucher.get("creator") or None,
                "审核人": voucher.get("reviewer") or None,
                "记账人": voucher.get("poster") or None,
                # imported as entered (unposted): U8 posts them by its own 记账
                "记账标志": 0,
                "摘要": line.get("summary") or None,
                "科目编码": str(line["account_code"]).strip(),
                "借方金额": _number(line["debit"]),
                "贷方金额": _number(line["credit"]),
                "自定义字段1": line.get("partner") or None,
            }
            if foreign:
                code, amount_currency, rate = foreign
                values.update(
                    {
                        "币种": code,
                        "外币借方金额": _number(amount_currency if line["debit"] else decimal.Decimal(0)),
                        "外币贷方金额": _number(amount_currency if line["credit"] else decimal.Decimal(0)),
                        "汇率": float(rate),
                    }
                )
            for name, value in values.items():
                row[column[name]] = value
            rows.append(row)
    return rows


def kingdee_rows(vouchers):
    """Rows of the 金蝶 K/3 凭证引入 sheet ``Page1``, in the order of ``KINGDEE_COLUMNS``."""
    column = {name: index for index, name in enumerate(KINGDEE_COLUMNS)}
    rows = []
    for serial, voucher in enumerate(checked_vouchers(vouchers), start=1):
        local = voucher.get("currency") or "CNY"
        for entry_id, line in enumerate(voucher["lines"]):
            row = [None] * len(KINGDEE_COLUMNS)
            foreign = _foreign(voucher, line)
            amount = line["debit"] or line["credit"]
            if foreign:
                code, amount_for, rate = foreign
                currency_code, currency_name = code, line.get("currency_name") or code
            else:
                currency_code, currency_name = KINGDEE_CURRENCIES.get(local, (local, local))
                amount_for, rate = amount, decimal.Decimal(1)
            values = {
                "凭证日期": voucher["date"],
                "会计年度": voucher["year"],
                "会计期间": voucher["month"],
                "凭证字": voucher["word"],
                "凭证号": int(voucher["number"]),
                "科目代码": str(line["account_code"]).strip(),
                "科目名称": line.get("account_name") or None,
                "币别代码": currency_code,
                "币别名称": currency_name,
                "原币金额": _number(amount_for),
                "借方": _number(line["debit"]),
                "贷方": _number(line["credit"]),
                "制单": voucher.get("creator") or None,
                "审核": voucher.get("reviewer") or None,
                "凭证摘要": line.get("summary") or None,
                "参考信息": line.get("partner") or None,
                "业务日期": voucher["date"],
                "附件数": int(voucher.get("attachments") or 0),
                "序号": serial,
                "汇率类型": KINGDEE_RATE_TYPE,
                "汇率": float(rate),
                "分录序号": entry_id,
                # imported unposted: K/3 posts them by its own 凭证过账
                "过账": 0,
            }
            for name, value in values.items():
                row[column[name]] = value
            rows.append(row)
    return rows


def kingdee_schema_rows():
    """The sheet ``t_Schema`` of K/3's standard voucher file: what each column of ``Page1`` is."""
    blank = ""
    rows = [
        ["ClassInfo", "ClassType", blank, "VoucherData"],
        ["ClassInfo", "ClassTypeID", blank, "123"],
        ["PageInfo", "Page1", blank, "Page1"],
    ]
    for caption, field, value_type, col_index in KINGDEE_FIELDS:
        rows.append(
            ["FieldInfo", field, field, caption, value_type, blank, str(col_index), blank, blank]
            + [field, field, blank, "0", blank, blank, "0", "0", "0", "0", "1"]
        )
    return rows


def _kinds(columns, money, dates):
    return {
        index: ("money" if name in money else "date")
        for index, name in enumerate(columns)
        if name in money or name in dates
    }


YONYOU_KINDS = _kinds(YONYOU_COLUMNS, {"借方金额", "贷方金额", "外币借方金额", "外币贷方金额"}, {"制单日期"})
KINGDEE_KINDS = _kinds(KINGDEE_COLUMNS, {"原币金额", "借方", "贷方"}, {"凭证日期", "业务日期"})


def export_rows(layout, vouchers):
    """(header row, data rows) of ``layout`` (``YONYOU`` or ``KINGDEE``)."""
    if layout == YONYOU:
        return YONYOU_COLUMNS, yonyou_rows(vouchers)
    if layout == KINGDEE:
        return KINGDEE_COLUMNS, kingdee_rows(vouchers)
    raise ValueError(f"Unknown voucher layout {layout!r}: one of {', '.join(LAYOUTS)}")


def voucher_workbook(layout, vouchers):
    """The .xlsx file (bytes) of the vouchers in ``layout``'s import template."""
    headers, rows = export_rows(layout, vouchers)
    if layout == YONYOU:
        return table_workbook([(YONYOU_SHEET, headers, rows, YONYOU_KINDS)])
    return table_workbook(
        [
            (KINGDEE_SHEET, headers, rows, KINGDEE_KINDS),
            (KINGDEE_SCHEMA_SHEET, KINGDEE_SCHEMA_HEADERS, kingdee_schema_rows(), {}),
        ]
    )
