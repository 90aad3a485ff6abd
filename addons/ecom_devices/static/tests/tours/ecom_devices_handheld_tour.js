/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

const BARCODE = "6901234567892";
const OTHER_BARCODE = "6901234567885";

// On a phone (390x844): a Warehouse Operator receives a purchase of 3 by scanning. One scan from the
// keyboard-wedge scanner (typed into the scan field, then Enter), a product that is not in the
// receipt refused, one scan from the device paired with the operator (posted to the device
// endpoint with its token, arriving over the bus); Validate with one missing asks about a backorder;
// a quantity typed for one GS1-128 label, then Validate.
registry.category("web_tour.tours").add("ecom_devices_handheld_tour", {
    steps: () => [
        {
            content: "Receive",
            trigger: ".o_ecom_handheld_op_incoming",
            run: "click",
        },
        {
            content: "Open the receipt of the tea farm",
            trigger: ".o_ecom_handheld_picking:contains(Device Test Tea Farm)",
            run: "click",
        },
        {
            content: "The paired device is shown",
            trigger: ".o_ecom_handheld_device:contains(Handheld A)",
        },
        {
            content: "Scan the tea with the wedge scanner",
            trigger: "input.o_ecom_handheld_scan",
            run: `edit ${BARCODE} && press Enter`,
        },
        {
            content: "One of three received",
            trigger: ".o_ecom_handheld_message.alert-success",
        },
        {
            trigger: ".o_ecom_handheld_line .o_ecom_handheld_qty:contains(1 / 3)",
        },
        {
            content: "Scan a product that is not in the receipt",
            trigger: "input.o_ecom_handheld_scan",
            run: `edit ${OTHER_BARCODE} && press Enter`,
        },
        {
            content: "Wrong product, nothing added",
            trigger: ".o_ecom_handheld_message.alert-danger[data-error=wrong_product]",
        },
        {
            trigger: ".o_ecom_handheld_line .o_ecom_handheld_qty:contains(1 / 3)",
        },
        {
            content: "The paired device scans the tea: its event goes to the device endpoint",
            trigger: ".o_ecom_handheld_line",
            async run() {
                const response = await fetch("/ecom/device/events", {
                    method: "POST",
                    headers: {
                        "Content-Type": "application/json",
                        Authorization: `Bearer ${sessionStorage.getItem("ecom_device_token")}`,
                    },
                    body: JSON.stringify({
                        events: [
                            {
                                id: "tour-scan-1",
                                kind: "barcode",
                                code: BARCODE,
                                at: new Date().toISOString(),
                            },
                        ],
                    }),
                });
                const answer = await response.json();
                if (answer.accepted !== 1) {
                    throw new Error(`The endpoint did not accept the scan: ${JSON.stringify(answer)}`);
                }
                // In tests the server's cursor never commits, so the NOTIFY that wakes the
                // websockets after a commit is not sent: re-subscribing fetches the notification,
                // as a screen that reconnects does.
                odoo.__WOWL_DEBUG__.root.env.services.bus_service.forceUpdateChannels();
            },
        },
        {
            content: "The device's scan shows on the open screen",
            trigger: ".o_ecom_handheld_line .o_ecom_handheld_qty:contains(2 / 3)",
        },
        {
            content: "Validate with one still missing",
            trigger: ".o_ecom_handheld_validate",
            run: "click",
        },
        {
            content: "The screen asks about a backorder, listing what is missing",
            trigger: ".o_ecom_handheld_backorder:contains(2 / 3) .o_ecom_handheld_backorder_yes",
        },
        {
            content: "Type the quantity of the next scan instead",
            trigger: "input.o_ecom_handheld_quantity",
            run: "edit 1",
        },
        {
            content: "A GS1-128 label of the tea",
            trigger: "input.o_ecom_handheld_scan",
            run: `edit ]C101${BARCODE.padStart(14, "0")} && press Enter`,
        },
        {
            trigger: ".o_ecom_handheld_line.o_ecom_handheld_line_done .o_ecom_handheld_qty:contains(3 / 3)",
        },
        {
            content: "The typed quantity was for one scan",
            trigger: "input.o_ecom_handheld_quantity",
            run() {
                const typed = document.querySelector("input.o_ecom_handheld_quantity").value;
                if (typed !== "") {
                    throw new Error(`The quantity field still holds ${typed}`);
                }
            },
        },
        {
            content: "Validate the receipt",
            trigger: ".o_ecom_handheld_validate",
            run: "click",
        },
        {
            content: "Received",
            trigger: ".o_ecom_handheld_done",
        },
    ],
});

// On a phone (390x844): a Warehouse Operator counts the stock of their paired device's location
// with the wedge scanner: two of the tea, an unknown code refused, then Apply Count.
registry.category("web_tour.tours").add("ecom_devices_handheld_count_tour", {
    steps: () => [
        {
            content: "Count",
            trigger: ".o_ecom_handheld_op_count",
            run: "click",
        },
        {
            content: "The camera button only where the browser reads barcodes",
            trigger: "input.o_ecom_handheld_scan",
            run() {
                const button = Boolean(document.querySelector(".o_ecom_handheld_camera"));
                if (button !== Boolean(window.BarcodeDetector)) {
                    throw new Error("The camera button does not follow BarcodeDetector");
                }
            },
        },
        {
            content: "Scan the tea",
            trigger: "input.o_ecom_handheld_scan",
            run: `edit ${BARCODE} && press Enter`,
        },
        {
            trigger: ".o_ecom_handheld_count_line .o_ecom_handheld_qty:contains(1)",
        },
        {
            content: "Scan the tea again",
            trigger: "input.o_ecom_handheld_scan",
            run: `edit ${BARCODE} && press Enter`,
        },
        {
            trigger: ".o_ecom_handheld_count_line .o_ecom_handheld_qty:contains(2)",
        },
        {
            content: "Scan a code that is nothing",
            trigger: "input.o_ecom_handheld_scan",
            run: "edit NO-SUCH-CODE && press Enter",
        },
        {
            content: "Unknown code",
            trigger: ".o_ecom_handheld_message.alert-danger[data-error=unknown_code]",
        },
        {
            content: "Apply the count",
            trigger: ".o_ecom_handheld_apply",
            run: "click",
        },
        {
            content: "Applied: nothing left to apply",
            trigger: ".o_ecom_handheld_message.alert-success",
        },
        {
            trigger: ".o_ecom_handheld_apply:disabled",
        },
    ],
});
