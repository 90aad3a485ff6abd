/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

/**
 * Drop the file ``name`` on the import wizard's file field, as a user choosing it would.
 * The test stored the file as an attachment of the tour user (its content made in Python:
 * an XLSX written by openpyxl, a CSV with a bad amount).
 */
async function dropFile(name) {
    const [attachment] = await rpc("/web/dataset/call_kw/ir.attachment/search_read", {
        model: "ir.attachment",
        method: "search_read",
        args: [[["name", "=", name]], ["datas", "mimetype"]],
        kwargs: {},
    });
    const bytes = Uint8Array.from(atob(attachment.datas), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: attachment.mimetype }));
    const input = document.querySelector(".o_field_widget[name=attachment_ids] input[type=file]");
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function openWizardSteps(fileName, shopName, format = null) {
    const formatSteps = format
        ? [
              {
                  content: "Say what the file is",
                  trigger: ".modal .o_field_widget[name=fmt] select",
                  run: `select "${format}"`,
              },
          ]
        : [];
    return [
        {
            content: "Open the import wizard from the Imports list",
            trigger: "button[name=action_open_import_wizard]",
            run: "click",
        },
        {
            content: "Choose the shop",
            trigger: ".modal .o_field_widget[name=shop_id] input",
            run: `edit ${shopName}`,
        },
        {
            content: "Pick it in the list",
            trigger: `.o-autocomplete--dropdown-item:contains(${shopName})`,
            run: "click",
        },
        ...formatSteps,
        {
            content: "Drop the file",
            trigger: ".modal .o_field_widget[name=attachment_ids] .o_attach",
            run: () => dropFile(fileName),
        },
        {
            content: "The file is uploaded",
            trigger: `.modal .o_attachment[title='${fileName}']:not(.o_attachment_uploading)`,
        },
        {
            content: "Preview it",
            trigger: ".modal button[name=action_preview]",
            run: "click",
        },
    ];
}

// A zh_CN accountant previews a CSV with a bad amount: the error says where and what, in Chinese.
registry.category("web_tour.tours").add("ecom_finance_import_error_zh_tour", {
    steps: () => [
        ...openWizardSteps("tour-bad.csv", "Tour Import Shop"),
        {
            content: "The error names the file, line and column, in Chinese",
            trigger: ".o_error_dialog:contains(文件 tour-bad.csv，第 ):contains(行，列“收入金额（+元）”：无法读取金额 '10O.00')",
        },
        {
            content: "Close it",
            trigger: ".o_error_dialog .btn-primary",
            run: "click",
        },
    ],
});

// The same accountant imports a seller centre's XLSX order export.
registry.category("web_tour.tours").add("ecom_finance_import_xlsx_tour", {
    steps: () => [
        ...openWizardSteps("tour-orders.xlsx", "Tour Import Shop", "orders_csv"),
        {
            content: "The preview shows the orders of the workbook",
            trigger: ".modal .o_field_widget[name=preview]:contains(orders_csv):contains(3321001)",
        },
        {
            content: "Import it",
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            content: "The import opens, done",
            trigger: ".o_form_view .o_field_widget[name=filename]:contains(tour-orders.xlsx)",
        },
    ],
});
