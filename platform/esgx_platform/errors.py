"""The platform's one exception base and its problem-type subclasses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from esgx_platform.i18n import Text


@dataclass(frozen=True)
class FieldError:
    """One rejected input: where (a JSON path or form field) and what, in both languages."""

    path: str
    message: Text

    def as_dict(self, locale: str) -> dict[str, str]:
        return {
            "path": self.path,
            "message": self.message.render(locale),
            "message_en": self.message.en,
            "message_zh": self.message.zh,
        }


MAX_REASON = 300


def reason_of(exc: BaseException) -> str:
    """An exception's message for a problem's detail, cut to MAX_REASON characters: a reason
    from `signing` may quote what the sender sent (a kid, an alg), at any length, and the
    detail is echoed in the answer and kept in the audit log."""
    text = str(exc)
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + "…"


@dataclass(eq=False)
class EsgxError(Exception):
    """Base of every error the platform raises on purpose.

    `type_slug` becomes the problem+json `type` URI; `status` its HTTP status. Views translate
    these into responses; anything else reaching the top is a bug and answers a plain 500.
    """

    detail: Text
    errors: Sequence[FieldError] = field(default_factory=tuple)
    extra: Mapping[str, object] = field(default_factory=dict)

    type_slug = "error"
    title = Text("Error", "错误")
    status = 400

    def __str__(self) -> str:
        return self.detail.en


class InvalidInput(EsgxError):
    type_slug = "invalid-input"
    title = Text("Invalid input", "输入无效")
    status = 422


class NotFound(EsgxError):
    type_slug = "not-found"
    title = Text("Not found", "未找到")
    status = 404


class Forbidden(EsgxError):
    type_slug = "forbidden"
    title = Text("Forbidden", "无权访问")
    status = 403


class Unauthenticated(EsgxError):
    type_slug = "unauthenticated"
    title = Text("Sign-in required", "需要登录")
    status = 401


class TokenExpired(Unauthenticated):
    """A bearer token that was valid once (PACT clients ask for a new one on this code)."""

    type_slug = "token-expired"
    title = Text("Token expired", "令牌已过期")


class Conflict(EsgxError):
    type_slug = "conflict"
    title = Text("Conflict", "冲突")
    status = 409


class ConfigurationError(EsgxError):
    type_slug = "configuration"
    title = Text("Configuration error", "配置错误")
    status = 500
