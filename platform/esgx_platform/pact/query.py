"""PACT filter parameters (a query string, or a RequestCreated event's data) as Filters.

Values of a parameter may repeat; identifiers match case-insensitively, so they are lower-cased
here as the index stores them. A malformed time or status is refused with the parameter named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.pact.listing import ACTIVE, DEPRECATED, Filters

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

_IDENTIFIERS = {
    "productId": "product_ids",
    "companyId": "company_ids",
    "geography": "geographies",
    "classification": "classifications",
}
_TIMES = {"validOn": "valid_on", "validAfter": "valid_after", "validBefore": "valid_before"}
BAD_TIME = Text(
    "Not an RFC 3339 date-time (e.g. 2025-06-30T00:00:00Z).",
    "不是 RFC 3339 日期时间（例如 2025-06-30T00:00:00Z）。",
)
BAD_STATUS = Text("Must be Active or Deprecated.", "必须是 Active 或 Deprecated。")
BAD_FILTER = Text("Invalid filter parameter.", "筛选参数无效。")


def _time(name: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip().replace("z", "Z"))
    except ValueError:
        raise InvalidInput(BAD_FILTER, errors=(FieldError(name, BAD_TIME),)) from None
    if moment.tzinfo is None:
        raise InvalidInput(BAD_FILTER, errors=(FieldError(name, BAD_TIME),))
    return moment.astimezone(UTC)


def _status(raw: str) -> str:
    for status in (ACTIVE, DEPRECATED):
        if raw.strip().lower() == status.lower():
            return status
    raise InvalidInput(BAD_FILTER, errors=(FieldError("status", BAD_STATUS),))


def _strings(name: str, value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise InvalidInput(
            BAD_FILTER,
            errors=(FieldError(name, Text("Give text values.", "请提供文本值。")),),
        )
    return [v for v in values if isinstance(v, str)]


def filters_from(params: Mapping[str, Sequence[object] | object]) -> Filters:
    """Filters from parameter names to values (unknown names are ignored, as PACT tolerates)."""
    found: dict[str, tuple[object, ...]] = {}
    for name, attribute in _IDENTIFIERS.items():
        if name in params:
            found[attribute] = tuple(v.strip().lower() for v in _strings(name, params[name]))
    for name, attribute in _TIMES.items():
        if name in params:
            found[attribute] = tuple(_time(name, v) for v in _strings(name, params[name]))
    if "status" in params:
        found["statuses"] = tuple(_status(v) for v in _strings("status", params["status"]))
    return Filters(**found)  # type: ignore[arg-type]
