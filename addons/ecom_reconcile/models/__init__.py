# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from . import ecom_reconcile_rule
from . import ecom_reconcile_result
from . import ecom_reconcile_run
from . import ecom_reconcile_match
from . import ecom_reconcile_difference
from . import ecom_reconcile_suggestion_decision
from . import ecom_reconcile_suggestion_model
from . import ecom_reconcile_demo
from . import ecom_reconcile_alert
from . import ecom_risk_score
from . import account_move
from . import ecom_approval_request
from . import ecom_shop
from . import res_users
from . import ecom_connector_backend
