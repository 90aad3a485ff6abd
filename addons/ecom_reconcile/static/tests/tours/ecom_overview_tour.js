/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

const openApp = [
    {
        content: "Open the apps menu",
        trigger: ".o_navbar_apps_menu button",
        run: "click",
    },
    {
        content: "Open E-commerce Finance",
        trigger: ".o_app[data-menu-xmlid='ecom_audit.menu_ecom_root']",
        run: "click",
    },
];

// An Accountant lands on the shops' overview: the card shows the open differences, the alerts
// (one missing bill) and the books; a difference kind opens the shop's differences to do.
registry.category("web_tour.tours").add("ecom_overview_accountant_tour", {
    steps: () => [
        ...openApp,
        {
            content: "The shop's card",
            trigger: ".o_ecom_overview_card:contains(Overview Douyin) .o_ecom_overview_alerts:contains(1 missing bills)",
        },
        {
            content: "The books: one settlement to post",
            trigger: ".o_ecom_overview_card:contains(Overview Douyin) .o_ecom_overview_to_post:contains(1)",
        },
        {
            content: "The bill received",
            trigger: ".o_ecom_overview_card:contains(Overview Douyin) .o_ecom_overview_bills:contains(2024-03-01)",
        },
        {
            content: "Open the amount differences",
            trigger: ".o_ecom_overview_card:contains(Overview Douyin) .o_ecom_overview_difference",
            run: "click",
        },
        {
            content: "The shop's difference to do",
            trigger: ".o_list_view .o_data_row:contains(OV-AMOUNT)",
        },
        {
            content: "See them as a board by state",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            trigger: ".o_kanban_group:contains(OV-AMOUNT) .o_kanban_record",
        },
    ],
});

// A Shop Operator sees their own shop only, without the books.
registry.category("web_tour.tours").add("ecom_overview_shop_operator_tour", {
    steps: () => [
        ...openApp,
        {
            content: "Their shop, its differences and alerts",
            trigger: ".o_ecom_overview_card:contains(Overview Douyin) .o_ecom_overview_difference",
        },
        {
            content: "No books, and not the other shop",
            trigger: ".o_ecom_overview:not(:has(.o_ecom_overview_finance)):not(:contains(Overview Hidden))",
        },
    ],
});

// A Warehouse Operator sees no shop: the app opens Odoo's inventory overview of their warehouses.
registry.category("web_tour.tours").add("ecom_overview_warehouse_tour", {
    steps: () => [
        ...openApp,
        {
            content: "The inventory overview",
            trigger: ".o_kanban_view .o_kanban_record:contains(Receipts)",
        },
    ],
});
