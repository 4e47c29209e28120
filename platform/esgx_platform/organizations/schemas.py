"""Input schemas for organizations and supply relationships."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, fields, validate, validates, validates_schema

from esgx_platform.errors import InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import OrgKind
from esgx_platform.organizations.provinces import PROVINCES
from esgx_platform.organizations.uscc import validate_uscc
from esgx_platform.schemas import invalid

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


class OrganizationCreateSchema(Schema):
    kind = fields.Enum(OrgKind, by_value=True, required=True)
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    uscc = fields.String(load_default=None, allow_none=True)
    identifiers = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.Length(max=100)),
        load_default=dict,
    )
    country = fields.String(load_default="CN")
    province = fields.String(load_default=None, allow_none=True)

    @validates("country")
    def _country(self, value: str, **_: Any) -> None:
        if not _COUNTRY.match(value):
            raise invalid(
                Text(
                    "Use the two-letter ISO 3166 country code, e.g. CN.",
                    "请使用两位 ISO 3166 国家代码，例如 CN。",
                )
            )

    @validates("uscc")
    def _uscc(self, value: str | None, **_: Any) -> None:
        if value is None:
            return
        try:
            validate_uscc(value)
        except InvalidInput as exc:
            raise invalid(exc.detail) from None

    @validates("identifiers")
    def _identifiers(self, value: dict[str, str], **_: Any) -> None:
        for scheme in value:
            if not _SCHEME.match(scheme):
                raise invalid(
                    Text(
                        "Identifier scheme {s!r} must be lower-case letters, digits, - or _.",
                        "标识方案 {s!r} 只能包含小写字母、数字、- 或 _。",
                    ).format(s=scheme)
                )

    @validates_schema
    def _china_rules(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("country") != "CN":
            return
        if not data.get("uscc"):
            raise invalid(
                Text(
                    "Organizations in China need their unified social credit code.",
                    "中国境内组织须填写统一社会信用代码。",
                ),
                field="uscc",
            )
        province = data.get("province")
        if province is not None and province not in PROVINCES:
            raise invalid(
                Text(
                    "Unknown province code; use the two-letter code, e.g. TJ for Tianjin.",
                    "未知的省级行政区代码；请使用两位代码，例如天津为 TJ。",
                ),
                field="province",
            )


class RelationshipCreateSchema(Schema):
    lead_factory_id = fields.UUID(required=True)
    supplier_id = fields.UUID(required=True)
    scope3_category = fields.Integer(required=True, validate=validate.Range(min=1, max=15))
    started_on = fields.Date(required=True)
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )
