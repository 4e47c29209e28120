"""Schemas of JSON bodies that views build by hand (errors, receipts, the log, health), used
by the OpenAPI document to state exactly what goes over the wire."""

# ruff: noqa: N815 - members are named as on the wire (camelCase), like the JSON they describe

from __future__ import annotations

import functools
from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

from esgx_platform.web.intake_schemas import DisclosureOut, FootprintOut

PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4])?$"
SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$")


def _name(item: type[Schema]) -> str:
    return item.__name__.removesuffix("Schema").removesuffix("Out")


@functools.cache
def listing(item: type[Schema]) -> type[Schema]:
    """`{"data": [item, ...]}`, the envelope of every list answer."""
    data = fields.List(fields.Nested(item), required=True)
    return Schema.from_dict({"data": data}, name=_name(item) + "List")


@functools.cache
def enveloped(item: type[Schema]) -> type[Schema]:
    """`{"data": item}` (PACT's GetFootprint)."""
    return Schema.from_dict({"data": fields.Nested(item, required=True)}, name=_name(item) + "Data")


@functools.cache
def paged(item: type[Schema]) -> type[Schema]:
    """A page of a cursor-paged feed: its items, the cursor to follow and whether more wait."""
    found: dict[str, fields.Field[Any]] = {
        "data": fields.List(fields.Nested(item), required=True),
        "cursor": fields.String(required=True),
        "hasMore": fields.Boolean(required=True),
    }
    return Schema.from_dict(found, name=_name(item) + "Page")


# --- errors ---------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    path = fields.String(required=True, metadata={"description": "JSON path, e.g. $.scope1"})
    message = fields.String(required=True)
    message_en = fields.String(required=True)
    message_zh = fields.String(required=True)


class Problem(Schema):
    """RFC 9457 problem details; members beyond these carry the problem's own facts."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "urn:esgx:problem:<slug>"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "In the reader's language"})
    detail_en = fields.String(required=True)
    detail_zh = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorOut))


class OAuthError(Schema):
    """RFC 6749 §5.2 error answer (what OAuth2 and PACT clients parse)."""

    error = fields.String(
        required=True,
        validate=validate.OneOf(["invalid_client", "unsupported_grant_type", "invalid_request"]),
    )


# --- OAuth2 ---------------------------------------------------------------------------------


class TokenRequest(Schema):
    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))
    client_id = fields.String(metadata={"description": "With client_secret, if not in Basic"})
    client_secret = fields.String()


class AccessToken(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.Equal("Bearer"))
    expires_in = fields.Integer(required=True)


class Discovery(Schema):
    issuer = fields.String(required=True)
    token_endpoint = fields.String(required=True)
    grant_types_supported = fields.List(fields.String(), required=True)
    token_endpoint_auth_methods_supported = fields.List(fields.String(), required=True)


# --- health ---------------------------------------------------------------------------------


class Migrations(Schema):
    current = fields.String(required=True, allow_none=True)
    head = fields.String(required=True, allow_none=True)
    at_head = fields.Boolean(required=True)


class Health(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok", "fail"]))
    database = fields.String(required=True, validate=validate.OneOf(["ok", "unreachable"]))
    migrations = fields.Nested(Migrations)
    error = fields.String(metadata={"description": "The class of failure when unreachable"})


# --- keys and submissions -------------------------------------------------------------------


class Challenge(Schema):
    nonce = fields.String(required=True)
    organization = fields.String(required=True)
    expires = fields.String(required=True)


class Receipted(Schema):
    """What filing adds to the record: its receipt (an inclusion proof against a signed
    checkpoint), whether it was on file already, and where its offline bundle is."""

    receipt = fields.String(required=True)
    duplicate = fields.Boolean(required=True)
    bundleUrl = fields.String(required=True)


class Accepted(Receipted, DisclosureOut):
    """A filed disclosure without its JWS, with its receipt."""

    class Meta:
        exclude = ("jws",)


class BatchResult(Accepted):
    """One item of a batch: an accepted disclosure (201 or 200), or its problem alone."""

    index = fields.Integer(required=True)
    status = fields.Integer(required=True)
    problem = fields.Nested(Problem)


class BatchResults(Schema):
    results = fields.List(
        fields.Nested(BatchResult(partial=tuple(Receipted._declared_fields))), required=True
    )


class FootprintFiled(Receipted, FootprintOut):
    """A filed footprint credential without its JWS, with its receipt."""

    class Meta:
        exclude = ("jws",)


class KeyEventRecord(Schema):
    event = fields.Dict(required=True)
    receipt = fields.String(required=True)


class Bundle(Schema):
    """The offline bundle `esgx-sign verify-bundle` checks (docs/signing-library.md)."""

    esgxBundleVersion = fields.Integer(required=True)
    credential = fields.String(required=True, metadata={"description": "The compact JWS"})
    receipt = fields.String(required=True)
    keyEvents = fields.List(fields.Nested(KeyEventRecord), required=True)
    logKey = fields.String(required=True, metadata={"description": "C2SP verifier key"})


# --- the transparency log -------------------------------------------------------------------


class VerifierKey(Schema):
    verifierKey = fields.String(required=True)
    name = fields.String(required=True)
    retired = fields.Boolean(required=True)


class LogEntry(Schema):
    index = fields.Integer(required=True)
    kind = fields.String(required=True)
    entry = fields.String(required=True)
    leafHash = fields.String(required=True, metadata={"description": "base64"})


class InclusionQuery(Schema):
    index = fields.Integer(required=True, validate=validate.Range(min=0))
    size = fields.Integer(required=True, validate=validate.Range(min=1))


class InclusionProof(Schema):
    index = fields.Integer(required=True)
    size = fields.Integer(required=True)
    proof = fields.List(fields.String(), required=True, metadata={"description": "base64"})


class ConsistencyQuery(Schema):
    first = fields.Integer(required=True, validate=validate.Range(min=1))
    second = fields.Integer(required=True, validate=validate.Range(min=1))


class ConsistencyProof(Schema):
    first = fields.Integer(required=True)
    second = fields.Integer(required=True)
    proof = fields.List(fields.String(), required=True, metadata={"description": "base64"})


class Cosigned(Schema):
    checkpoint = fields.String(required=True, metadata={"description": "With its cosignatures"})


class PeriodPath(Schema):
    period = fields.String(
        required=True,
        validate=validate.Regexp(PERIOD_PATTERN),
        metadata={"description": "A year (2025) or a quarter (2025-Q3)"},
    )
