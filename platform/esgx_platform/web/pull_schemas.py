"""Schemas of the pull APIs' own vocabularies for the OpenAPI document: PACT v3's query, event
and error shapes (docs/pact-v3.md), and the native feed's query."""

# ruff: noqa: N815 - members are named as on the wire (camelCase), like the JSON they describe

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from esgx_platform.i18n import Text
from esgx_platform.web.openapi import OAUTH2, ErrorBody, Reply, Security

PACT_CODES = ("BadRequest", "AccessDenied", "TokenExpired", "NotFound", "NotImplemented")
PACT_CLIENT: Security = ({OAUTH2: ("footprints:read",)},)
PACT_PROBLEMS = (400, 401, 403)  # not HTTPS, no or a dead token, not a lead factory's client
PAGE_HEADERS = {
    "Link": Text(
        '<next page URL>; rel="next" when more exist', '有更多数据时为 <下一页地址>; rel="next"'
    ),
    "ETag": Text("The page's version, for If-None-Match", "本页的版本标识，用于 If-None-Match"),
}
NOT_MODIFIED = Reply(
    None,
    Text("The client holds this version (If-None-Match)", "客户端已持有此版本（If-None-Match）"),
)


class PactErrorOut(Schema):
    """PACT's error body (not problem+json)."""

    code = fields.String(required=True, validate=validate.OneOf([*PACT_CODES, "InternalError"]))
    message = fields.String(required=True)


PACT_ERRORS = ErrorBody("application/json", PactErrorOut)


def _repeatable(about: str) -> fields.List[str]:
    return fields.List(fields.String(), metadata={"description": about})


def _moment(about: str) -> fields.String:
    return fields.String(metadata={"format": "date-time", "description": about})


class PactListQuery(Schema):
    """ListFootprints' filters: values of one parameter OR-ed, parameters AND-ed."""

    limit = fields.Integer(validate=validate.Range(min=1), metadata={"description": "At most 1000"})
    cursor = fields.String(metadata={"description": "From the Link header's next URL"})
    productId = _repeatable("Matches productIds (case-insensitive)")
    companyId = _repeatable("Matches companyIds (case-insensitive)")
    geography = _repeatable("Region, country or country subdivision")
    classification = _repeatable("Matches productClassifications")
    validOn = _moment("Validity start ≤ t ≤ end")
    validAfter = _moment("Validity start > t")
    validBefore = _moment("Validity end < t")
    status = fields.List(fields.String(validate=validate.OneOf(["Active", "Deprecated"])))


class PactEvent(Schema):
    """A CloudEvents 1.0 event in structured JSON mode."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "org.wbcsd.pact.…"})
    specversion = fields.String(required=True, validate=validate.Equal("1.0"))
    id = fields.String(required=True)
    source = fields.String(required=True)
    time = fields.String(required=True, metadata={"format": "date-time"})
    data = fields.Dict(required=True)


class FeedQuery(Schema):
    cursor = fields.String(metadata={"description": "The previous page's cursor"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
