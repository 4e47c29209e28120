"""Output schemas of the JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields


class OrganizationOut(Schema):
    id = fields.UUID()
    kind = fields.String(attribute="kind.value")
    urn = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    uscc = fields.String(allow_none=True)
    identifiers = fields.Dict()
    country = fields.String()
    province = fields.String(allow_none=True)


class RelationshipOut(Schema):
    id = fields.UUID()
    lead_factory_id = fields.UUID()
    supplier_id = fields.UUID()
    scope3_category = fields.Integer()
    description = fields.String(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    has_consent = fields.Boolean()
    consent_given_at = fields.AwareDateTime(allow_none=True)


class MembershipOut(Schema):
    organization_id = fields.UUID()
    role = fields.String(attribute="role.value")


class MeOut(Schema):
    id = fields.UUID()
    email = fields.String()
    display_name = fields.String()
    locale = fields.String()
    memberships = fields.List(fields.Nested(MembershipOut))
