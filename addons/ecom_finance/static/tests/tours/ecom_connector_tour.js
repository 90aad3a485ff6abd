/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// A Finance Manager sets up a backend against the bundled fake Tmall server (its address and
// credentials, as `python -m ecomfin.connectors.fake` prints them, are in sessionStorage:
// the test started the fake) and presses Pull Now: the form waits for the job runner.
registry.category("web_tour.tours").add("ecom_connector_setup_tour", {
    steps: () => [
        {
            content: "Name the backend",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tmall orders (tour)",
        },
        {
            content: "Choose the shop",
            trigger: ".o_field_widget[name=shop_id] input",
            run: "edit Connector Tour Shop",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Connector Tour Shop):not(:contains(Create))",
            run: "click",
        },
        {
            content: "Choose the platform",
            trigger: ".o_field_widget[name=platform] select",
            run: `select "taobao"`,
        },
        {
            content: "The platform's address: the fake server's",
            trigger: ".o_field_widget[name=base_url] input",
            async run(actions) {
                await actions.edit(JSON.parse(sessionStorage.getItem("ecom_fake")).url);
            },
        },
        {
            content: "Open the credentials",
            trigger: ".o_notebook .nav-link:contains(Credentials)",
            run: "click",
        },
        {
            content: "The page says what this platform needs",
            trigger: ".o_field_widget[name=credential_names]:contains(app_key, app_secret, session)",
        },
        {
            content: "Paste the credentials the fake printed",
            trigger: ".o_field_widget[name=credentials] textarea",
            async run(actions) {
                await actions.edit(JSON.parse(sessionStorage.getItem("ecom_fake")).credentials);
            },
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Pull now",
            trigger: ".o_form_saved button[name=action_pull_now]",
            run: "click",
        },
        {
            content: "The pull waits for the job runner, its progress on the form",
            trigger: ".o_ecom_job_progress .o_ecom_job_progress_text:contains(Waiting for the job runner)",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Pulling)",
        },
    ],
});

// After the job ran: the form says what came in, and the imports are a click away.
registry.category("web_tour.tours").add("ecom_connector_result_tour", {
    steps: () => [
        {
            content: "The pull is over",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains(Idle)",
        },
        {
            content: "It says what it brought",
            trigger: ".o_field_widget[name=last_result_display]:contains(new lines)",
        },
        {
            content: "Each stream says where it stands",
            trigger: ".o_field_widget[name=cursor_ids] .o_data_row:contains(orders)",
        },
        {
            content: "Open the imports it made",
            trigger: "button[name=action_open_imports]",
            run: "click",
        },
        {
            content: "Its pages, each an import",
            trigger: ".o_list_view .o_data_row:contains(orders_csv)",
        },
    ],
});
