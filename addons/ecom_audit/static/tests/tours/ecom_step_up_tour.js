/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// A Finance Manager approves a grant asked for by another: the web client asks for their password
// first (Security Control), then the approval is carried out.
registry.category("web_tour.tours").add("ecom_audit_step_up_tour", {
    steps: () => [
        {
            content: "Approve the request",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "Security Control asks for the password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit ecom_tour_step_up_approver",
        },
        {
            content: "Confirm the password",
            trigger: ".modal .modal-footer button:contains(Confirm Password)",
            run: "click",
        },
        {
            content: "The request is applied",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Applied)",
        },
    ],
});
