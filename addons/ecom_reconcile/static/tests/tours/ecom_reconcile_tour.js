/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An accountant opens a finished run and drills into a difference down to its channel lines.
registry.category("web_tour.tours").add("ecom_reconcile_drilldown_tour", {
    steps: () => [
        {
            content: "The run shows its differences",
            trigger: ".o_form_view .o_field_widget[name=difference_ids] .o_data_row",
        },
        {
            content: "Open the amount mismatch",
            trigger: ".o_field_widget[name=difference_ids] .o_data_row td:contains(T-AMOUNT)",
            run: "click",
        },
        {
            content: "The difference says what differs",
            trigger: ".o_form_view .o_field_widget[name=kind]:contains(Amount mismatch)",
        },
        {
            content: "Look at the channel lines behind it",
            trigger: ".o_notebook a[name=channel]",
            run: "click",
        },
        {
            content: "The payment line of the order is there",
            trigger: ".o_field_widget[name=channel_line_ids] .o_data_row td:contains(T-AMOUNT)",
        },
        {
            content: "Assign it to me",
            trigger: "button[name=action_assign_to_me]",
            run: "click",
        },
        {
            content: "It is assigned",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Assigned)",
        },
    ],
});
