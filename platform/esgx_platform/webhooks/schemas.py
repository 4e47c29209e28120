"""What registering an endpoint takes (the API's JSON and the page's form alike)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, fields, validate, validates

from esgx_platform.i18n import Text
from esgx_platform.schemas import invalid
from esgx_platform.webhooks.events import EVENT_TYPES

URL_MAX = 500

NOT_HTTPS = Text(
    "Give an https:// address with a host name, e.g. https://erp.example.com/esgx-events.",
    "请填写带主机名的 https:// 地址，例如 https://erp.example.com/esgx-events。",
)
NO_CREDENTIALS = Text(
    "Leave user names and passwords out of the address: deliveries are signed instead.",
    "地址中不要包含用户名或密码：每次推送都带有签名。",
)
NO_FRAGMENT = Text("Leave the #fragment out of the address.", "地址中不要包含 # 片段。")
NO_TYPES = Text("Choose at least one event type.", "请至少选择一种事件类型。")
REPEATED_TYPES = Text("Name each event type once.", "每种事件类型只能出现一次。")


class EndpointIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=URL_MAX))
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        data_key="eventTypes",
    )
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )

    @validates("url")
    def _url(self, value: str, **_: Any) -> None:
        if any(c.isspace() or ord(c) < 0x20 for c in value):
            raise invalid(NOT_HTTPS)
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port that is not one
        except ValueError:
            raise invalid(NOT_HTTPS) from None
        if parts.scheme != "https" or not parts.hostname:
            raise invalid(NOT_HTTPS)
        if parts.username is not None or parts.password is not None:
            raise invalid(NO_CREDENTIALS)
        if parts.fragment or value.endswith("#"):
            raise invalid(NO_FRAGMENT)

    @validates("event_types")
    def _types(self, value: list[str], **_: Any) -> None:
        if not value:
            raise invalid(NO_TYPES)
        if len(set(value)) != len(value):
            raise invalid(REPEATED_TYPES)
