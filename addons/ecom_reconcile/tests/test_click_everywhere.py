# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Every screen of the app, opened by every demo role, in Chromium.

- Odoo's own click bot (``@web/webclient/clickbot``, as in ``web/tests/test_click_everywhere.py``)
  opens each menu of *E-commerce Finance* that the role sees, switches to each of its views
  (list, kanban, pivot, graph...) and tries each filter.
- The click bot does not open records, nor run on a phone: a small walker does the actions of
  the same menus through the web client's action service, opens the first record of each list
  as a form, and runs on a 390x844 touch viewport too (warehouse handhelds).

Any server error, client error or error dialog fails the test. The menus are found by walking
the menu tree as the role sees it: new menus join by themselves.
"""

import json

from odoo.tests import HttpCase, tagged

ROOT_MENU = "ecom_audit.menu_ecom_root"
CLICKBOT = (
    f"odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('{ROOT_MENU}');"
)
DEMO_LOGINS = ("ecom_shop", "ecom_warehouse", "ecom_accountant", "ecom_manager", "ecom_auditor")
# runs the actions one after the other; in each list, opens the first record
WALKER = """
(async () => {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    async function settle() {
        for (let i = 0; i < 100; i++) {
            await sleep(100);
            if (!document.querySelector(".o_loading_indicator, .o_blockUI")) {
                await sleep(200);
                return;
            }
        }
        throw new Error("the screen did not finish loading");
    }
    function check(what) {
        const error = document.querySelector(".o_error_dialog");
        if (error) {
            throw new Error(`${what}: ${error.innerText.slice(0, 500)}`);
        }
    }
    const actions = %s;
    for (const [menu, actionId] of actions) {
        await env.services.action.doAction(actionId, { clearBreadcrumbs: true });
        await settle();
        check(`menu ${menu}`);
        const dialogClose = document.querySelector(".o_dialog .btn-close");
        if (dialogClose) {
            dialogClose.click();
            await settle();
            continue;
        }
        const row = document.querySelector(".o_data_row .o_data_cell, .o_kanban_record:not(.o_kanban_ghost)");
        if (row) {
            row.click();
            await settle();
            check(`first record of menu ${menu}`);
        }
        console.log(`walked ${menu}`);
    }
    console.log("walker test successful");
})().catch((error) => console.error(error.message || error));
"""


class EveryScreenCase(HttpCase):
    allow_end_on_form = True

    def _user(self, login):
        user = self.env["res.users"].search([("login", "=", login)])
        if not user:
            self.skipTest("installed without demo data")
        self.assertFalse(user.has_group("base.group_system"), f"{login} is not an administrator")
        return user

    def _menu_actions(self, user):
        """(menu xmlid, action id) of every menu under the app's root that ``user`` sees."""
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        root = next(
            menu for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid") == ROOT_MENU
        )
        found, todo = [], list(root["children"])
        while todo:
            menu = menus[todo.pop(0)]
            if menu["action"]:  # "ir.actions.act_window,42"
                found.append((menu["xmlid"], int(menu["action"].split(",")[1])))
            todo.extend(menu["children"])
        return found

    def _walk(self, login):
        actions = self._menu_actions(self._user(login))
        self.assertTrue(actions, f"{login} sees no menu of the app")
        self.browser_js(
            "/odoo",
            WALKER % json.dumps(actions),
            "odoo.isReady === true",
            login=login,
            timeout=300,
            success_signal="walker test successful",
        )


@tagged("post_install", "-at_install")
class TestEveryScreenEveryRole(EveryScreenCase):
    def test_every_menu_view_and_filter_as_each_role(self):
        for login in DEMO_LOGINS:
            with self.subTest(login=login):
                self._user(login)
                self.browser_js(
                    "/odoo",
                    CLICKBOT,
                    "odoo.isReady === true",
                    login=login,
                    timeout=600,
                    success_signal="clickbot test succeeded",
                )

    def test_every_menu_and_first_record_as_each_role(self):
        for login in DEMO_LOGINS:
            with self.subTest(login=login):
                self._walk(login)


@tagged("post_install", "-at_install")
class TestEveryScreenOnAPhone(EveryScreenCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_every_menu_and_first_record_on_a_phone(self):
        for login in ("ecom_warehouse", "ecom_shop"):
            with self.subTest(login=login):
                self._walk(login)
