/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An Accountant opens an imported CAMT.053 statement and follows its lines into Odoo's bank
// statements, where Odoo's bank reconciliation works on them.
registry.category("web_tour.tours").add("ecom_bank_statement_tour", {
    steps: () => [
        {
            content: "Open the bank statement lines the import added",
            trigger: "button[name=action_open_bank_statement_lines]",
            run: "click",
        },
        {
            content: "Its four lines, in the bank journal, not reconciled yet",
            trigger: ".o_list_view:contains(ABN EUR) .o_data_row:nth-child(4)",
        },
        {
            trigger: ".o_list_view .o_list_footer:contains(-12.99)",
        },
    ],
});
