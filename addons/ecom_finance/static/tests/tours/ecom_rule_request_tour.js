/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// A Finance Manager changes a posting rule in the list and saves: the change is asked for, the
// rule stays as it is until a second person approves it. (The "Change requested" notification
// goes through the bus once the transaction commits, which a test never does.)
registry.category("web_tour.tours").add("ecom_finance_rule_request_tour", {
    steps: () => [
        {
            content: "Edit the account of the tour shop's rule",
            trigger: ".o_list_view .o_data_row:has(td:contains(Rule Tour Shop)) td[name=account_id]",
            run: "click",
        },
        {
            content: "Pick another account",
            trigger: ".o_selected_row .o_field_widget[name=account_id] input",
            run: "edit Tour Fees",
        },
        {
            content: "The new account is offered",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Fees Account)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The rule still books on its account",
            trigger:
                ".o_list_view .o_data_row:not(.o_selected_row):has(td:contains(Rule Tour Shop)) td[name=account_id]:contains(Tour Old Account)",
        },
    ],
});
