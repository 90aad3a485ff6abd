/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// Names, notes and messages holding HTML are shown as text in the list, the form and the chatter:
// the payloads of the test would set window.__ecomXss if the browser ran them.
function noXss() {
    if (window.__ecomXss) {
        throw new Error("XSS: a payload of the test ran in the page");
    }
}

registry.category("web_tour.tours").add("ecom_reconcile_escaping_tour", {
    steps: () => [
        {
            content: "The list shows the reference as text",
            trigger: ".o_list_view .o_data_row td[name=reference]:contains(window.__ecomXss=1)",
        },
        {
            content: "and the shop's name as text",
            trigger: ".o_list_view .o_data_row td[name=shop_id]:contains(onerror)",
            run: noXss,
        },
        {
            content: "Open the difference",
            trigger: ".o_list_view .o_data_row td[name=reference]:contains(window.__ecomXss=1)",
            run: "click",
        },
        {
            content: "The form shows the reference as text",
            trigger: ".o_form_view .o_field_widget[name=reference]:contains(<script>)",
        },
        {
            content: "and the shop's name",
            trigger: ".o_form_view .o_field_widget[name=shop_id]:contains(onerror)",
        },
        {
            content: "The note is there",
            trigger: ".o_form_view .o_field_widget[name=resolution] textarea:value(<img src=x onerror)",
        },
        {
            content: "The chatter shows the message as text",
            trigger: ".o-mail-Message-body:contains(<img src=x onerror=)",
        },
        {
            content: "No payload ran",
            trigger: "body",
            run: noXss,
        },
    ],
});
