# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.ecom_audit import roles
from odoo.addons.ecom_audit.approval import OwnFields

from ecomfin.soap.vies import DEFAULT_TIMEOUT, SERVICE_ADDRESS, ViesClient, ViesError, normalise

from ..import_errors import import_error_text

# where VIES answers (a test points it at its loopback fake), and the (connect, read) seconds
VIES_URL_PARAM = "ecom_finance.vies_url"
VIES_TIMEOUT_PARAM = "ecom_finance.vies_timeout"

# VIES's answer, written by the check only; refused in create, write, copy and import
OWN_FIELDS = OwnFields(
    "ecom_partner_vies_write",
    {
        "ecom_vies_state",
        "ecom_vies_checked_at",
        "ecom_vies_number",
        "ecom_vies_name",
        "ecom_vies_address",
        "ecom_vies_consultation",
    },
    defaults={"ecom_vies_state": "unchecked"},
)
UNCHECKED = {
    "ecom_vies_state": "unchecked",
    "ecom_vies_checked_at": False,
    "ecom_vies_number": False,
    "ecom_vies_name": False,
    "ecom_vies_address": False,
    "ecom_vies_consultation": False,
}


class ResPartner(models.Model):
    """The VIES check of an EU business buyer's VAT number: whether a sale to it may be invoiced
    without VAT (reverse charge), and the proof of it (VIES's consultation number, kept here and
    in the chatter). The check itself is the core's (``ecomfin.soap.vies``)."""

    _inherit = "res.partner"

    ecom_vies_state = fields.Selection(
        [("unchecked", "Not Checked"), ("valid", "Valid"), ("invalid", "Not Valid")],
        string="VIES",
        default="unchecked",
        required=True,
        readonly=True,
        copy=False,
        help="What VIES, the EU's VAT number register, answered about the VAT number at the last check.",
    )
    ecom_vies_checked_at = fields.Datetime(string="VIES Checked On", readonly=True, copy=False)
    ecom_vies_number = fields.Char(
        string="VIES Number Checked", readonly=True, copy=False, help="The VAT number VIES was asked about."
    )
    ecom_vies_name = fields.Char(
        string="VIES Name", readonly=True, copy=False, help="The name the member state registers."
    )
    ecom_vies_address = fields.Text(string="VIES Address", readonly=True, copy=False)
    ecom_vies_consultation = fields.Char(
        string="VIES Consultation Number",
        readonly=True,
        copy=False,
        help="VIES's reference of the check, given when the company's own EU VAT number is set: "
        "the proof a tax administration accepts that the number was checked.",
    )
    ecom_vies_applicable = fields.Boolean(
        string="EU VAT Number", compute="_compute_ecom_vies_applicable", help="The VAT number is an EU one."
    )

    @api.depends("vat", "country_id")
    def _compute_ecom_vies_applicable(self):
        for partner in self:
            partner.ecom_vies_applicable = bool(partner._ecom_vies_vat())

    def _ecom_vies_vat(self):
        """``(country, number)`` of the partner's VAT number as VIES takes it, or None when it is
        not an EU one (the number's own prefix first, else the partner's country)."""
        self.ensure_one()
        vat = (self.vat or "").strip()
        if not vat:
            return None
        prefix = vat[:2].upper()
        country = prefix if prefix.isalpha() else self.country_id.code
        try:
            return normalise(country, vat)
        except ViesError:
            return None

    # ------------------------------------------------------------------
    # Protected fields
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # copy() and load() create through here too
        self._check_ecom_vies_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_ecom_vies_fields([vals])
        changed = self.browse()
        if "vat" in vals and not OWN_FIELDS.is_writing():
            changed = self.filtered(lambda p: p.ecom_vies_state != "unchecked" and p.vat != vals["vat"])
        result = super().write(vals)
        if changed:
            with OWN_FIELDS.writing():
                # VIES's answer was about the former number
                super(ResPartner, changed).write(UNCHECKED)
        return result

    def _check_ecom_vies_fields(self, vals_list, creating=False):
        OWN_FIELDS.refuse(
            vals_list,
            lambda names: self.env._("VIES's answer is written by the VIES check only: %s.", names),
            creating=creating,
        )

    # ------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------

    def action_ecom_check_vies(self):
        """Check the partner's VAT number in VIES; record the answer and post it in the chatter.

        One partner a call: an error (VIES down, a member state busy) rolls back, and the
        answers of partners checked before it in the same call would be lost with it.
        """
        if not self.env.su and not self.env.user.has_group(roles.ACCOUNTANT):
            raise AccessError(self.env._("Only Accountants and Finance Managers check VAT numbers in VIES."))
        self.ensure_one()
        self.check_access("read")
        vat = self._ecom_vies_vat()
        if not vat:
            raise UserError(
                self.env._("%s has no VAT number of an EU member state to check in VIES.", self.display_name)
            )
        client = ViesClient(self._ecom_vies_url(), timeout=self._ecom_vies_timeout())
        try:
            check = client.check(*vat, requester=self.env.company.partner_id._ecom_vies_vat())
        except ViesError as error:
            raise UserError(
                self.env._(
                    "VIES check of %(partner)s: %(error)s",
                    partner=self.display_name,
                    error=import_error_text(self.env, error),
                )
            ) from error
        finally:
            client.session.close()
        self._ecom_vies_record(check)
        return True

    def _ecom_vies_url(self):
        # system parameters are the administrators' to read; the check only needs this one
        return self.env["ir.config_parameter"].sudo().get_param(VIES_URL_PARAM) or SERVICE_ADDRESS

    def _ecom_vies_timeout(self):
        """``(connect, read)`` seconds from the system parameter (``"5,30"``; one number is both),
        else the core's."""
        text = self.env["ir.config_parameter"].sudo().get_param(VIES_TIMEOUT_PARAM) or ""
        try:
            seconds = tuple(float(part) for part in text.split(","))
        except ValueError:
            return DEFAULT_TIMEOUT
        if len(seconds) == 1:
            return seconds[0]
        return seconds if len(seconds) == 2 else DEFAULT_TIMEOUT

    def _ecom_vies_record(self, check):
        """Keep VIES's answer on the partner and post it in its chatter."""
        self.ensure_one()
        with OWN_FIELDS.writing():
            # the check's own record of VIES's answer, for a caller whose right to check was
            # verified (who may not edit partners: Accountants may not)
            self.sudo().write(
                {
                    "ecom_vies_state": "valid" if check.valid else "invalid",
                    "ecom_vies_checked_at": fields.Datetime.now(),
                    "ecom_vies_number": check.vat,
                    "ecom_vies_name": check.name or False,
                    "ecom_vies_address": check.address or False,
                    "ecom_vies_consultation": check.consultation_number or False,
                }
            )
        lines = [
            self.env._(
                "VIES: %(vat)s is valid (checked on %(date)s).", vat=check.vat, date=check.request_date
            )
            if check.valid
            else self.env._(
                "VIES: %(vat)s is NOT valid (checked on %(date)s).", vat=check.vat, date=check.request_date
            )
        ]
        if check.name:
            lines.append(self.env._("Name: %s", check.name))
        if check.address:
            lines.append(self.env._("Address: %s", check.address))
        if check.consultation_number:
            lines.append(self.env._("Consultation number: %s", check.consultation_number))
        # the note is the check's record, posted under the caller's name like the fields above
        self.sudo().message_post(body=Markup("<br/>").join(lines), subtype_xmlid="mail.mt_note")
