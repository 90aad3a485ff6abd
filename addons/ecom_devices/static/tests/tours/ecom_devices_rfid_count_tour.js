/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// On a phone (390x844): a Warehouse Operator counts a shelf from the RFID reader's last burst
// (posted by the test before the tour), sees a line per product, and applies the count.
registry.category("web_tour.tours").add("ecom_devices_rfid_count_tour", {
    steps: () => [
        {
            content: "Open the count's actions (on a phone the header buttons are in this menu)",
            trigger: ".o_form_view .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Count from the reader's last burst",
            trigger: ".o-dropdown-item-unstyled-button button[name=action_count_last_burst]",
            run: "click",
        },
        {
            content: "A line for the teas read",
            trigger: ".o_field_widget[name=line_ids]:contains(Device Test Tea)",
        },
        {
            content: "A line for the coffee read",
            trigger: ".o_field_widget[name=line_ids]:contains(Device Test Coffee)",
        },
        {
            content: "No cost is shown to a Warehouse Operator",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=value_difference]))",
        },
        {
            content: "Open the count's actions again",
            trigger: ".o_form_view .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Apply the count",
            trigger: ".o-dropdown-item-unstyled-button button[name=action_apply]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Applied: the date of the application is shown",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=applied_at]",
        },
    ],
});
