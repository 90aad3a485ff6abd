import os

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from ecomfin.crypto import DecryptionError, Keyring, KeyringError, decrypt, encrypt, reencrypt

KEYS_OPTION = "ecom_field_keys"
KEYS_ENV = "ECOM_FIELD_KEYS"


def field_keyring(env):
    """The field keys, from the Odoo configuration or the environment, never the database."""
    spec = config.get(KEYS_OPTION) or os.environ.get(KEYS_ENV)
    if not spec:
        raise UserError(
            env._(
                "No field encryption keys are configured: set %(option)s in the Odoo configuration file "
                "or %(variable)s in the environment (see the README).",
                option=KEYS_OPTION,
                variable=KEYS_ENV,
            )
        )
    try:
        return Keyring.from_spec(spec)
    except KeyringError as exc:
        raise UserError(
            env._(
                "The field encryption keys (%(option)s) are invalid: %(error)s", option=KEYS_OPTION, error=exc
            )
        ) from exc


class EcomEncryptedMixin(models.AbstractModel):
    """Fields stored as AES-GCM tokens bound to (model, record, field).

    A model lists its encrypted fields in ``_ecom_encrypted_fields``: visible field name ->
    name of the stored token field. The visible field is computed (decrypted on read) with
    an inverse (encrypted on write); the token field holds ``ef1:<key id>:...``. A missing
    or wrong key, or a token moved to another record or field, raises an error: never a
    fallback to plaintext.
    """

    _name = "ecom.encrypted.mixin"
    _description = "Fields Encrypted at Rest"
    # decrypting a field writes its audit entry: reads take read/write cursors
    _inherit = ["ecom.writing.reads.mixin"]
    _ecom_encrypted_fields = {}

    def _compute_ecom_decrypted(self):
        """Decrypt on read, and log the read (records and fields, never the value).

        Only this compute turns a token into plaintext: rotation re-encrypts the tokens
        without decrypting them into records, and the inverse encrypts the value just
        written; so every ``read_sensitive`` entry is a read, and no context key skips it.
        """
        keyring = None
        read_ids, read_fields = {}, set()  # ids in reading order
        for record in self:
            for name, token_field in self._ecom_encrypted_fields.items():
                token = record.sudo()[token_field]
                if not token:
                    record[name] = False
                    continue
                keyring = keyring or field_keyring(self.env)
                try:
                    record[name] = decrypt(keyring, token, model=self._name, record_id=record.id, field=name)
                except (DecryptionError, KeyringError) as exc:
                    raise UserError(
                        self.env._("Cannot decrypt %(field)s: %(error)s", field=name, error=exc)
                    ) from exc
                read_fields.add(name)
                read_ids[record.id] = True
        if read_ids:
            self.env["ecom.audit.log"].sudo()._append(
                [
                    {
                        "model": self._name,
                        "res_ids": ",".join(map(str, read_ids)),
                        "operation": "read_sensitive",
                        "changes": {"fields": sorted(read_fields), "count": len(read_ids)},
                    }
                ]
            )

    def _inverse_ecom_encrypted(self):
        keyring = None  # only needed when there is something to encrypt
        for record in self:
            for name, token_field in self._ecom_encrypted_fields.items():
                value = record[name]
                token = False
                if value:
                    keyring = keyring or field_keyring(self.env)
                    token = encrypt(keyring, value, model=self._name, record_id=record.id, field=name)
                # the token column is not for people: only the encryption writes it
                record.sudo()[token_field] = token

    @api.model
    def _ecom_rotate(self):
        """Re-encrypt every token of this model under the current key; returns the count."""
        keyring = field_keyring(self.env)
        table = SQL.identifier(self._table)
        changed = 0
        for name, token_field in self._ecom_encrypted_fields.items():
            column = SQL.identifier(token_field)
            rows = self.env.execute_query(
                SQL("SELECT id, %s FROM %s WHERE %s IS NOT NULL", column, table, column)
            )
            updates = []
            for record_id, token in rows:
                new = reencrypt(keyring, token, model=self._name, record_id=record_id, field=name)
                if new != token:
                    updates.append(SQL("(%s, %s)", record_id, new))
            if updates:
                self.env.cr.execute(
                    SQL(
                        "UPDATE %s t SET %s = v.token FROM (VALUES %s) AS v(id, token) WHERE t.id = v.id",
                        table,
                        column,
                        SQL(", ").join(updates),
                    )
                )
                changed += len(updates)
        self.invalidate_model()
        return changed

    @api.model
    def _ecom_rotate_all(self):
        """Re-encrypt the tokens of every model using the mixin (the rotation command)."""
        names = self.env.registry.descendants([self._name], "_inherit")
        return {name: self.env[name]._ecom_rotate() for name in sorted(names) if not self.env[name]._abstract}
