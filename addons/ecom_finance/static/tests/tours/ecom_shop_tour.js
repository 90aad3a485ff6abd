/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A Finance Manager creates a JD shop paid through Alipay and finds it in the list.
registry.category("web_tour.tours").add("ecom_finance_shop_tour", {
    steps: () => [
        {
            content: "Open the new-shop form",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name the shop",
            trigger: ".o_field_widget[name=name] input",
            run: "edit JD Tour Shop",
        },
        {
            content: "Give it a code",
            trigger: ".o_field_widget[name=code] input",
            run: "edit JD-TOUR",
        },
        {
            content: "Sell on JD",
            trigger: ".o_field_widget[name=platform] select",
            run: 'select "jd"',
        },
        {
            content: "Get paid through Alipay",
            trigger: ".o_field_widget[name=payment_channel] select",
            run: 'select "alipay"',
        },
        ...stepUtils.saveForm(),
        {
            content: "Back to the shop list",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "The new shop is listed",
            trigger: ".o_list_view .o_data_cell:contains(JD Tour Shop)",
        },
    ],
});
