"""Input and output schemas of the key and disclosure API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_BATCH = 500


class KeyRegistrationIn(Schema):
    proof = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    event = fields.Dict(required=True)
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class KeyEventIn(Schema):
    event = fields.Dict(required=True)


class JwsIn(Schema):
    jws = fields.String(required=True, validate=validate.Length(min=1))


class BatchIn(Schema):
    jws = fields.List(
        fields.String(validate=validate.Length(min=1)),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
    )


class CosignatureIn(Schema):
    witness_key = fields.String(required=True, validate=validate.Length(min=1, max=300))
    note = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class KeyOut(Schema):
    kid = fields.String()
    alg = fields.String()
    label = fields.String(allow_none=True)
    status = fields.String()
    public_jwk = fields.Dict(data_key="publicJwk")
    registered_index = fields.Integer(data_key="registeredIndex")
    registered_at = fields.AwareDateTime(data_key="registeredAt")
    not_after = fields.AwareDateTime(allow_none=True, data_key="notAfter")
    revoked_effective = fields.AwareDateTime(allow_none=True, data_key="revokedEffective")
    revocation_reason = fields.String(allow_none=True, data_key="revocationReason")


class KeyEventOut(Schema):
    kid = fields.String()
    event = fields.String()
    envelope = fields.Dict()
    log_index = fields.Integer(data_key="logIndex")
    logged_at = fields.AwareDateTime(data_key="loggedAt")


class DisclosureOut(Schema):
    id = fields.UUID()
    organization_id = fields.UUID(data_key="organizationId")
    period = fields.String(attribute="period_key")
    content_id = fields.String(data_key="contentId")
    issuer = fields.String()
    kid = fields.String()
    log_index = fields.Integer(data_key="logIndex")
    logged_at = fields.AwareDateTime(data_key="loggedAt")
    on_time = fields.Boolean(data_key="onTime")
    restates_id = fields.UUID(allow_none=True, data_key="restatesId")
    restatement_reason = fields.String(allow_none=True, data_key="restatementReason")
    warnings = fields.List(fields.Dict())
    jws = fields.String()


class FootprintOut(Schema):
    id = fields.UUID()
    footprint_id = fields.UUID(data_key="footprintId")
    organization_id = fields.UUID(data_key="organizationId")
    content_id = fields.String(data_key="contentId")
    log_index = fields.Integer(data_key="logIndex")
    logged_at = fields.AwareDateTime(data_key="loggedAt")
    jws = fields.String()
