/* Copyright 2026 ecom-finance
   License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// The user guide (static/guide) inside the web client, in the user's language (the server action
// ecom_finance.ecom_guide_server_action chooses the page).

import { Component } from "@odoo/owl";
import { registry } from "@web/core/registry";

export class EcomGuide extends Component {
    static template = "ecom_finance.Guide";
    static props = ["*"];

    get url() {
        return this.props.action.params.url;
    }
}

registry.category("actions").add("ecom_finance.guide", EcomGuide);
