/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// An Accountant watches a queued import: the form shows its progress bar waiting for the runner;
// the job runs (the runner's own request, /queue_job/runjob), and the open form follows it over
// the bus to the imported result, without a reload.
registry.category("web_tour.tours").add("ecom_live_progress_tour", {
    steps: () => [
        {
            content: "The queued import waits for the job runner",
            trigger: ".o_ecom_job_progress .o_ecom_job_progress_text:contains(Waiting for the job runner)",
        },
        {
            content: "The job runner runs the import's job",
            trigger: ".o_ecom_job_progress",
            async run() {
                const { db, uuid } = JSON.parse(sessionStorage.getItem("ecom_live_job"));
                const response = await fetch(`/queue_job/runjob?db=${db}&job_uuid=${uuid}`);
                if (!response.ok) {
                    throw new Error(`The job did not run: ${response.status}`);
                }
                // In tests the server's cursor never commits, so the NOTIFY that wakes the
                // websockets is not sent: re-subscribing fetches the notifications, as a screen
                // that reconnects does.
                odoo.__WOWL_DEBUG__.root.env.services.bus_service.forceUpdateChannels();
            },
        },
        {
            content: "The form shows the import done, without a reload",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Imported)",
        },
        {
            trigger: ".o_field_widget[name=line_count]:contains(5)",
        },
        {
            content: "The progress bar is gone",
            trigger: ".o_form_view:not(:has(.o_ecom_job_progress))",
        },
    ],
});
