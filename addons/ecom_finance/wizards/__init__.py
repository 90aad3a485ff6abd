from . import ecom_statement_import_wizard
