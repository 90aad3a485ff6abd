/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// On a phone (390x844): an Inventory Administrator issues a device's token, sees it once in a
// dialog with a copy button and a warning, and closes it.
registry.category("web_tour.tours").add("ecom_devices_token_tour", {
    steps: () => [
        {
            content: "Open the device's actions (on a phone the header buttons are in this menu)",
            trigger: ".o_form_view .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Issue a token",
            trigger: ".o-dropdown-item-unstyled-button button[name=action_rotate_token_dialog]",
            run: "click",
        },
        {
            content: "Confirm: the token is shown once",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The dialog warns that the token is shown once",
            trigger: ".modal .alert-warning",
        },
        {
            content: "The token is there, with a copy button",
            trigger: ".modal .o_field_widget[name=token] .o_clipboard_button",
            run() {
                const text = document.querySelector(".modal .o_field_widget[name=token]").textContent;
                if (!/[0-9a-f]{8}\.[A-Za-z0-9_-]{40,}/.test(text)) {
                    throw new Error(`No token in the dialog: ${text}`);
                }
            },
        },
        {
            content: "Close the dialog",
            trigger: ".modal-footer button:contains(Done)",
            run: "click",
        },
        {
            content: "Back on the device, the dialog closed",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=token_prefix]",
        },
    ],
});
