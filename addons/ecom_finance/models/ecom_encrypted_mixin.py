from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.ecom_audit.const import MASK, field_keyring

from ecomfin.crypto import KeyringError, blind_index, encrypt


class EcomEncryptedMixin(models.AbstractModel):
    """Blind indexes for exact search on encrypted fields, and encryption for set-wise loaders.

    A model lists in ``_ecom_blind_indexes`` the encrypted fields searched for an exact
    value: visible field name -> (stored index field, normalizer). The index is an HMAC
    (``ecomfin.crypto.blind_index``) of the normalized value under the index key of the
    configuration, written beside the token by the inverse and by
    :meth:`_ecom_sealed_values`; a search method on the visible field turns ``=``, ``!=``,
    ``in`` and ``not in`` into a search on the index. Tokens and indexes are masked in
    the audit trail like the values.
    """

    _inherit = "ecom.encrypted.mixin"
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
        """Decryption is a read: the fields' groups apply to server code too, not only to read()."""
        if not self.env.su:
            self.check_field_access_rights("read", list(self._ecom_encrypted_fields))
        return super()._compute_ecom_decrypted()

    def _inverse_ecom_encrypted(self):
        """Encrypt (and index) the values being written: those in the cache; the others keep their token.

        Replaces the inverse of ``ecom_audit``, which reads every encrypted field of the
        record: on a model with several, reading one that is not being written computes
        (decrypts) them all and replaces the values being written in the cache, so that
        writing only ``address`` stored an empty token.
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

    def _ecom_audit_value(self, name, value):
        """Tokens and blind indexes are logged as changed, never with their value."""
        model_class = type(self)
        masked = model_class.__dict__.get("_ecom_audit_masked")
        if masked is None:
            # once per model of the registry: this runs for every audited value
            masked = model_class._ecom_audit_masked = frozenset(self._ecom_encrypted_fields.values()) | {
                index_field for index_field, _normalize in self._ecom_blind_indexes.values()
            }
        if name in masked:
            return MASK if value else value
        return super()._ecom_audit_value(name, value)
