# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from ecomfin.errors import LOCATIONS, MESSAGES, InputError

from ..import_errors import LOCATION_TEMPLATES, TEMPLATES, import_error_text
from .common import EcomShopCase
from .test_statement_import import alipay_file, b64, row

PARAM = re.compile(r"%\((\w+)\)[sr]")


def example(code, located=True):
    """An error of ``code`` with every parameter filled (located in a file, line and column)."""
    params = {name: "x" for name in PARAM.findall(MESSAGES[code])}
    if not located:
        return InputError(code, params)
    return InputError(code, params, filename="订单.csv", line=7, column="金额")


@tagged("post_install", "-at_install")
class TestImportErrors(EcomShopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env.ref("base.CNY").active = True
        cls.accountant = cls.users["accountant"]
        cls.zh_env = cls.env(context=dict(cls.env.context, lang="zh_CN"))
        cls.en_env = cls.env(context=dict(cls.env.context, lang="en_US"))

    def _import(self, data, filename="alipay.csv", lang="zh_CN"):
        Statement = self.env["ecom.statement"].with_user(self.accountant).with_context(lang=lang)
        return Statement.import_file(self.shop_own.id, filename, b64(data), False)

    def test_the_addon_translates_the_core_table(self):
        """The translatable terms are the core's templates, code for code."""
        self.assertEqual(set(TEMPLATES), set(MESSAGES))
        self.assertEqual(set(LOCATION_TEMPLATES), set(LOCATIONS))
        for code, term in TEMPLATES.items():
            self.assertEqual(self.en_env._(term), MESSAGES[code], code)
        for key, term in LOCATION_TEMPLATES.items():
            self.assertEqual(self.en_env._(term), LOCATIONS[key], key)

    def test_english_is_the_core_message(self):
        for code in MESSAGES:
            error = example(code)
            self.assertEqual(import_error_text(self.en_env, error), str(error), code)

    def test_no_import_error_is_left_untranslated(self):
        """Every code of the core, rendered for a zh_CN user, reads differently from the English."""
        untranslated = [
            code
            for code in MESSAGES
            if import_error_text(self.zh_env, example(code, located=False))
            == example(code, located=False).message
        ]
        self.assertEqual(untranslated, [], "import errors without a zh_CN translation")
        for code in MESSAGES:
            text = import_error_text(self.zh_env, example(code))
            self.assertNotIn("%(", text, code)
            self.assertNotIn(", line ", text, code)
        for has_file, has_line, has_column in LOCATIONS:
            error = InputError(
                "file_empty",
                filename="a.csv" if has_file else None,
                line=3 if has_line else None,
                column="c" if has_column else None,
            )
            self.assertNotEqual(import_error_text(self.zh_env, error), str(error))

    def test_import_file_says_where_and_what_in_chinese(self):
        text = alipay_file([row(1), row(2)]).decode("gbk")
        bad = text.replace(",100.00,0.00,", ",10O.00,0.00,", 1).encode("gbk")
        with self.assertRaises(UserError) as info:
            self._import(bad)
        message = str(info.exception)
        self.assertRegex(
            message, r"^文件 alipay\.csv，第 \d+ 行，列“收入金额（\+元）”：无法读取金额 '10O\.00'$"
        )

        with self.assertRaises(UserError) as info:
            self._import(b"", "empty.csv")
        self.assertEqual(str(info.exception), "文件 empty.csv：文件为空")

        footer = alipay_file([row(1), row(2)], income="300.00")
        with self.assertRaises(UserError) as info:
            self._import(footer)
        self.assertIn("页脚 收入合计：文件声明为 300.00", str(info.exception))

        with self.assertRaises(UserError) as info:
            self._import(bad, lang="en_US")
        self.assertIn("cannot read amount '10O.00'", str(info.exception))

    def test_preview_and_background_import_speak_the_users_language(self):
        accountant = self.accountant
        rows = [row(n) for n in range(1, 6)]
        text = alipay_file(rows).decode("gbk")
        last = text.splitlines()[-5]  # the last data row
        data = text.replace(last, last.replace(",100.00,", ",1x.00,")).encode("gbk")
        attachment = self.env["ir.attachment"].with_user(accountant).create({"name": "late.csv", "raw": data})
        wizard = (
            self.env["ecom.statement.import.wizard"]
            .with_user(accountant)
            .with_context(lang="zh_CN")
            .create({"shop_id": self.shop_own.id, "attachment_ids": [(6, 0, attachment.ids)]})
        )
        with self.assertRaisesRegex(UserError, "^文件 late.csv，第 10 行.*无法读取金额 '1x.00'"):
            wizard.action_preview()

        self.env["ir.config_parameter"].set_param("ecom_finance.import_async_bytes", "100")
        action = wizard.action_import()
        statement = self.env["ecom.statement"].browse(action["params"]["next"]["res_id"])
        self.assertEqual(statement.state, "queued")
        job = Job.load(self.env, statement.job_uuid)
        # the job runs in the language of the user who queued it (queue_job keeps ``lang``)
        self.assertEqual(job.recordset.env.lang, "zh_CN")
        with self.assertRaisesRegex(UserError, "^文件 late.csv，第 10 行.*无法读取金额 '1x.00'"):
            job.perform()
