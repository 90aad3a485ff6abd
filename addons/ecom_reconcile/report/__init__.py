from . import ecom_reconcile_run_report
