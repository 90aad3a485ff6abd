# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ecomfin.crypto import DecryptionError, KeyringError, blind_index, decrypt, encrypt, reencrypt

from ..keys import field_keyring


class EcomEncryptedMixin(models.AbstractModel):
    """Fields stored as AES-GCM tokens bound to (model, record, field).

    A model lists its encrypted fields in ``_ecom_encrypted_fields``: visible field name ->
    name of the stored token field. The visible field is computed (decrypted on read) with
    an inverse (encrypted on write); the token field holds ``ef1:<key id>:...``. A missing
    or wrong key, or a token moved to another record or field, raises an error: never a
    fallback to plaintext.

    A model lists in ``_ecom_blind_indexes`` the encrypted fields searched for an exact
    value: visible field name -> (stored index field, normalizer). The index is an HMAC
    (``ecomfin.crypto.blind_index``) of the normalized value under the index key of the
    configuration, written beside the token by the inverse and by
    :meth:`_ecom_sealed_values`; a search method on the visible field turns ``=``, ``!=``,
    ``in`` and ``not in`` into a search on the index (:meth:`_ecom_search_index`). The
    values, tokens and indexes are masked in the audit trail.
    """

    _name = "ecom.encrypted.mixin"
    _description = "Fields Encrypted at Rest"
    # decrypting a field writes its audit entry: reads take read/write cursors
    _inherit = ["ecom.writing.reads.mixin"]
    _ecom_encrypted_fields = {}
    _ecom_blind_indexes = {}

    def _ecom_index(self, keyring, name, value):
        """The blind index of ``value`` for field ``name`` (False for an empty value)."""
        if not value:
            return False
        index_field, normalize = self._ecom_blind_indexes[name]
        try:
            return blind_index(keyring, value, field=f"{self._name}.{name}", normalize=normalize) or False
        except KeyringError as exc:
            raise UserError(
                self.env._(
                    "%(field)s is searched through a blind index, which needs an index key: add "
                    "index=<base64 key> to the field encryption keys (%(error)s).",
                    field=name,
                    error=exc,
                )
            ) from exc

    def _compute_ecom_decrypted(self):
        """Decrypt on read, and log the read (records and fields, never the value).

        Only this compute turns a token into plaintext: rotation re-encrypts the tokens
        without decrypting them into records, and the inverse encrypts the value just
        written; so every ``read_sensitive`` entry is a read, and no context key skips it.
        Decryption is a read: the fields' groups apply to server code too, not only to read().
        """
        if not self.env.su:
            self.check_field_access_rights("read", list(self._ecom_encrypted_fields))
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
        """Encrypt (and index) the values being written: those in the cache; the others keep their token.

        Never ``record[name]``: on a model with several encrypted fields, reading one that is
        not being written computes (decrypts) them all and replaces the values being written
        in the cache, so that writing only ``address`` would store an empty token.
        """
        cache = self.env.cache
        keyring = None  # only needed when there is something to encrypt
        for record in self:
            for name, token_field in self._ecom_encrypted_fields.items():
                if not cache.contains(record, self._fields[name]):
                    continue  # not written
                value = cache.get(record, self._fields[name])
                if value:
                    keyring = keyring or field_keyring(self.env)
                sealed = {
                    token_field: encrypt(keyring, value, model=self._name, record_id=record.id, field=name)
                    if value
                    else False
                }
                if name in self._ecom_blind_indexes:
                    sealed[self._ecom_blind_indexes[name][0]] = self._ecom_index(keyring, name, value)
                # tokens and indexes are written by the encryption only, whoever writes the value
                record.sudo().write(sealed)

    @api.model
    def _ecom_sealed_values(self, keyring, record_id, values):
        """What the inverse stores for plaintext ``values`` ({visible field: text}) of record ``record_id``.

        For loaders writing in SQL once the record ids are known: returns {token or index
        column: value or None}, for every encrypted and indexed field of the model.
        """
        sealed = {}
        for name, token_field in self._ecom_encrypted_fields.items():
            value = values.get(name)
            sealed[token_field] = (
                encrypt(keyring, value, model=self._name, record_id=record_id, field=name) if value else None
            )
        for name, (index_field, _normalize) in self._ecom_blind_indexes.items():
            sealed[index_field] = self._ecom_index(keyring, name, values.get(name)) or None
        return sealed

    def _ecom_search_index(self, name, operator, value):
        """Domain searching encrypted field ``name`` for exact values, through its blind index."""
        index_field = self._ecom_blind_indexes[name][0]
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                self.env._(
                    "%(field)s is stored encrypted: it can be searched for an exact value only (=, !=, in, "
                    "not in), not with %(operator)s.",
                    field=self._fields[name]._description_string(self.env),
                    operator=operator,
                )
            )
        several = operator in ("in", "not in")
        values = list(value) if several else [value]
        keyring = field_keyring(self.env) if any(values) else None
        indexes = [self._ecom_index(keyring, name, v) if v else False for v in values]
        return [(index_field, operator, indexes if several else indexes[0])]

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

    def _ecom_audit_masked(self):
        """Encrypted values, their tokens and blind indexes are logged as changed, never with their value."""
        model_class = type(self)
        masked = model_class.__dict__.get("_ecom_audit_masked_names")
        if masked is None:
            # once per model of the registry: this runs for every audited write
            masked = model_class._ecom_audit_masked_names = super()._ecom_audit_masked() | frozenset(
                [
                    *self._ecom_encrypted_fields,
                    *self._ecom_encrypted_fields.values(),
                    *(index_field for index_field, _normalize in self._ecom_blind_indexes.values()),
                ]
            )
        return masked
