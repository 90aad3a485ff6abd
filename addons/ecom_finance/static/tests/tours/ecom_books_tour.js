/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An Accountant opens the small-enterprise balance sheet of her company (Reporting > Books).
registry.category("web_tour.tours").add("ecom_books_balance_sheet_tour", {
    steps: () => [
        {
            content: "The balance sheet's lines, computed",
            trigger: ".oe_mis_builder_content:contains(Total assets):contains(Total liabilities and owners' equity)",
        },
        {
            content: "and its closing balance column",
            trigger: ".oe_mis_builder_content:contains(Closing balance)",
        },
    ],
});

// From a settlement entry's journal item (where the General Ledger's line leads) down to the
// platform statement lines it sums.
registry.category("web_tour.tours").add("ecom_books_drilldown_tour", {
    steps: () => [
        {
            content: "Open the statement lines behind the journal item",
            trigger: "button[name=action_ecom_open_source_lines]",
            run: "click",
        },
        {
            content: "The statement lines",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
