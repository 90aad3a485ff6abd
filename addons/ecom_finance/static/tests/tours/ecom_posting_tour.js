/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An accountant posts an imported Alipay settlement and drills from a journal item down to the
// statement lines behind it.
registry.category("web_tour.tours").add("ecom_finance_posting_tour", {
    steps: () => [
        {
            content: "The settlement is waiting to be posted",
            trigger: ".o_form_view .o_field_widget[name=posting_state]:contains(To Post)",
        },
        {
            content: "Post its entries",
            trigger: "button[name=action_post_entries]",
            run: "click",
        },
        {
            content: "Posting asks first: confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Open the settlement entry",
            trigger: ".o_list_view .o_data_row .o_data_cell:contains(ECOM/)",
            run: "click",
        },
        {
            content: "The entry shows its journal items",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Drill down from the sales item",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:has(td:contains(TOUR: Sale)) button[name=action_ecom_open_source_lines]",
            run: "click",
        },
        {
            content: "The sale lines of the settlement are listed",
            trigger: ".o_list_view .o_data_row td:contains(TOUR-ORDER-2)",
        },
        {
            content: "Only the sales, not the payout",
            trigger: ".o_list_view:not(:has(td:contains(TOUR-PAYOUT)))",
        },
    ],
});
