/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// The progress of a record's background job (ecom.job.mixin), live: the open form subscribes to
// the record's job channel (ir_websocket: checked on the server) and shows the rows done, the rate
// and the time left as the job reports them (ecom_job/progress); when the job ends, done or
// failed (ecom_job/state), the record is reloaded and shows its result, or why it failed and Retry.

import { Component, onWillDestroy, onWillUpdateProps, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export class EcomJobProgressField extends Component {
    static template = "ecom_finance.JobProgressField";
    static props = { ...standardFieldProps };

    setup() {
        this.bus = useService("bus_service");
        this.live = useState({ progress: null, text: null });
        this.channel = null;
        this.onProgress = this.onProgress.bind(this);
        this.onState = this.onState.bind(this);
        this.bus.subscribe("ecom_job/progress", this.onProgress);
        this.bus.subscribe("ecom_job/state", this.onState);
        this.listen(this.props.record);
        onWillUpdateProps((next) => {
            if (next.record.resId !== this.props.record.resId) {
                this.listen(next.record);
            }
        });
        onWillDestroy(() => {
            this.stopListening();
            this.bus.unsubscribe("ecom_job/progress", this.onProgress);
            this.bus.unsubscribe("ecom_job/state", this.onState);
        });
    }

    listen(record) {
        this.stopListening();
        Object.assign(this.live, { progress: null, text: null });
        if (record.resId) {
            this.channel = `ecom_job:${record.resModel}:${record.resId}`;
            this.bus.addChannel(this.channel);
        }
    }

    stopListening() {
        if (this.channel) {
            this.bus.deleteChannel(this.channel);
            this.channel = null;
        }
    }

    isMine(payload) {
        const { record } = this.props;
        return payload.model === record.resModel && payload.id === record.resId;
    }

    onProgress(payload) {
        if (this.isMine(payload)) {
            Object.assign(this.live, { progress: payload.progress, text: payload.text });
        }
    }

    async onState(payload) {
        if (this.isMine(payload)) {
            Object.assign(this.live, { progress: null, text: null });
            await this.props.record.load();
        }
    }

    get progress() {
        const value = this.live.progress ?? this.props.record.data[this.props.name] ?? 0;
        return Math.round(value);
    }

    get text() {
        return this.live.text ?? this.props.record.data.progress_text ?? "";
    }
}

registry.category("fields").add("ecom_job_progress", {
    component: EcomJobProgressField,
    displayName: "Background job progress",
    supportedTypes: ["float"],
});
