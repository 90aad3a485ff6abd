/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An Accountant opens an order nobody paid, asks for its suggestions and accepts the first.
registry.category("web_tour.tours").add("ecom_reconcile_suggest_tour", {
    steps: () => [
        {
            content: "The difference is open",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Open)",
        },
        {
            content: "Ask for its suggestions",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_suggestions]",
            run: "click",
        },
        {
            content: "The payment that lost its order number comes first, with its reasons",
            trigger: ".modal .o_data_row:first td[name=reasons]:contains(same amount (100.00))",
        },
        {
            content: "Accept it",
            trigger: ".modal .o_data_row:first button[name=action_accept]",
            run: "click",
        },
        {
            content: "The difference is resolved by the match",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Resolved)",
        },
    ],
});
