/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// The handheld screen (menu Handheld): receive, pick/pack, internal transfer and count by scanning,
// on a phone or a handheld, one thumb. Scans come from a keyboard-wedge scanner (the focused scan
// field: fast keystrokes and Enter), the phone camera (BarcodeDetector) or the devices bound to the
// user (their scans arrive over the bus: ecom.scan.event._notify). The server reads the codes and
// applies them (stock.picking.ecom_handheld_*, stock.quant.ecom_handheld_count_*).

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { CameraScanner, cameraAvailable } from "./camera";
import { signal } from "./feedback";

const BUS_EVENTS = "ecom_device/events";

export class EcomHandheld extends Component {
    static template = "ecom_devices.Handheld";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.bus = useService("bus_service");
        this.scanInput = useRef("scan");
        this.video = useRef("video");
        this.cameraAvailable = cameraAvailable();
        this.camera = null;
        this.queue = Promise.resolve();
        this.state = useState({
            screen: "home",
            operation: null,
            counts: {},
            devices: [],
            pickings: [],
            picking: null,
            count: null,
            location: null,
            package: null,
            quantity: "",
            backorder: null,
            message: "",
            level: "",
            error: "",
            cameraOn: false,
        });
        this.operations = [
            { code: "incoming", label: _t("Receive"), icon: "fa-download" },
            { code: "outgoing", label: _t("Pick / Pack"), icon: "fa-upload" },
            { code: "internal", label: _t("Internal Transfer"), icon: "fa-exchange" },
        ];
        this.onDeviceEvents = this.onDeviceEvents.bind(this);
        onWillStart(() => this.loadHome());
        onMounted(() => {
            this.bus.subscribe(BUS_EVENTS, this.onDeviceEvents);
            this.bus.start();
        });
        onWillUnmount(() => {
            this.bus.unsubscribe(BUS_EVENTS, this.onDeviceEvents);
            this.stopCamera();
        });
    }

    // ------------------------------------------------------------------
    // Screens
    // ------------------------------------------------------------------

    get title() {
        const { screen, operation, picking } = this.state;
        if (screen === "picking" && picking) {
            return picking.name;
        }
        if (screen === "count") {
            return _t("Count");
        }
        if (screen === "list") {
            return this.operations.find((op) => op.code === operation).label;
        }
        return _t("Handheld");
    }

    get scanning() {
        return ["picking", "count"].includes(this.state.screen);
    }

    async loadHome() {
        const home = await this.orm.call("stock.picking", "ecom_handheld_pickings", [false]);
        Object.assign(this.state, {
            screen: "home",
            counts: home.counts,
            devices: home.devices,
            picking: null,
            count: null,
            location: null,
        });
    }

    async openOperation(code) {
        const result = await this.orm.call("stock.picking", "ecom_handheld_pickings", [code]);
        Object.assign(this.state, {
            screen: "list",
            operation: code,
            pickings: result.pickings,
            message: "",
            level: "",
        });
    }

    async openPicking(pickingId) {
        const view = await this.orm.call("stock.picking", "ecom_handheld_view", [[pickingId]]);
        Object.assign(this.state, {
            screen: "picking",
            picking: view,
            location: null,
            package: null,
            quantity: "",
            backorder: null,
        });
        this.setMessage(_t("Scan a product or a location"), "");
        this.focusScan();
    }

    async openCount() {
        const view = await this.orm.call("stock.quant", "ecom_handheld_count_view", [false]);
        Object.assign(this.state, { screen: "count", count: view, location: view.location, quantity: "" });
        this.setMessage(_t("Scan a product or a location"), "");
        this.focusScan();
    }

    async back() {
        this.stopCamera();
        if (this.state.screen === "picking") {
            await this.openOperation(this.state.operation);
        } else {
            await this.loadHome();
        }
        this.setMessage("", "");
    }

    focusScan() {
        // after the render: the wedge scanner types into the focused field
        setTimeout(() => this.scanInput.el && this.scanInput.el.focus(), 0);
    }

    setMessage(message, level, error = "") {
        Object.assign(this.state, { message, level, error });
    }

    lineClass(line) {
        if (line.done >= line.demand) {
            return "o_ecom_handheld_line_done";
        }
        return line.done > 0 ? "o_ecom_handheld_line_partial" : "";
    }

    // ------------------------------------------------------------------
    // Scans
    // ------------------------------------------------------------------

    onScanKeydown(ev) {
        if (ev.key !== "Enter") {
            return;
        }
        ev.preventDefault();
        const code = ev.target.value.trim();
        ev.target.value = "";
        if (code) {
            this.scan(code);
        }
    }

    scan(code) {
        // one at a time, in the order scanned: a wedge scanner or a device may send a burst
        const next = this.queue.then(() => this.applyScan(code));
        this.queue = next.catch(() => {});
        return next;
    }

    async applyScan(code) {
        let result;
        if (this.state.screen === "picking") {
            result = await this.orm.call("stock.picking", "ecom_handheld_scan", [
                [this.state.picking.id],
                code,
                (this.state.location && this.state.location.id) || false,
                this.state.quantity || false,
                (this.state.package && this.state.package.name) || false,
            ]);
            if (result.view) {
                this.state.picking = result.view;
            }
            if (result.location) {
                this.state.location = result.location;
            }
            if (result.package) {
                this.state.package = result.package;
            }
            this.state.backorder = null;
        } else if (this.state.screen === "count") {
            result = await this.orm.call("stock.quant", "ecom_handheld_count_scan", [
                this.state.count.location.id,
                code,
                this.state.quantity || false,
            ]);
            if (result.view) {
                this.state.count = result.view;
                this.state.location = result.view.location;
            }
        } else {
            result = {
                status: "error",
                message: _t("Open a receipt, a transfer or a count before scanning (%s).", code),
            };
        }
        const ok = result.status !== "error";
        if (result.status === "ok") {
            // a typed quantity is for one scan
            this.state.quantity = "";
        }
        this.setMessage(result.message, ok ? "success" : "danger", result.error || "");
        signal(ok);
        this.focusScan();
    }

    async onDeviceEvents(payload) {
        for (const event of payload.events || []) {
            if (event.kind === "barcode") {
                await this.scan(event.code);
            }
        }
    }

    // ------------------------------------------------------------------
    // Camera
    // ------------------------------------------------------------------

    async toggleCamera() {
        if (this.state.cameraOn) {
            this.stopCamera();
            return;
        }
        this.state.cameraOn = true;
        await Promise.resolve();
        this.camera = new CameraScanner(this.video.el, (code) => {
            this.state.cameraOn = false;
            this.scan(code);
        });
        try {
            await this.camera.start();
        } catch {
            this.stopCamera();
            this.setMessage(_t("The camera could not be opened."), "danger");
        }
    }

    stopCamera() {
        if (this.camera) {
            this.camera.stop();
            this.camera = null;
        }
        this.state.cameraOn = false;
    }

    // ------------------------------------------------------------------
    // Validate and apply
    // ------------------------------------------------------------------

    clearPackage() {
        this.state.package = null;
    }

    async validate(backorder = null) {
        const pickingId = this.state.picking.id;
        const args = backorder === null ? [[pickingId]] : [[pickingId], backorder];
        const result = await this.orm.call("stock.picking", "ecom_handheld_validate", args);
        this.state.backorder = null;
        if (result.status === "backorder") {
            this.state.picking = result.view;
            this.state.backorder = result.missing;
            this.setMessage(result.message, "warning");
            signal(false);
            return;
        }
        if (result.status === "action") {
            await this.action.doAction(result.action, {
                onClose: () => this.openPicking(pickingId),
            });
            return;
        }
        this.state.picking = result.view;
        this.setMessage(result.message, "success");
        signal(true);
    }

    async applyCount() {
        const result = await this.orm.call("stock.quant", "ecom_handheld_count_apply", [
            this.state.count.location.id,
        ]);
        this.state.count = result.view;
        this.setMessage(result.message, "success");
        signal(true);
    }
}

registry.category("actions").add("ecom_devices.handheld", EcomHandheld);
