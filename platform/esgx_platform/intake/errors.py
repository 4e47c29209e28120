"""Turning `signing` verification failures into the platform's stable problem types."""

from __future__ import annotations

from esgx_platform.errors import EsgxError, reason_of
from esgx_platform.i18n import Text
from esgx_platform.problems import (
    KeyNotValid,
    KeyRevoked,
    MalformedSubmission,
    NonCanonicalPayload,
    SignatureInvalid,
)
from signing import (
    JSONError,
    KeyStatusError,
    NonCanonicalError,
    SignatureError,
    SigningError,
)


def problem_for(exc: SigningError) -> EsgxError:
    """The problem a verification failure answers with; the reason is signing's own words."""
    reason = reason_of(exc)
    if isinstance(exc, NonCanonicalError):
        return NonCanonicalPayload(
            Text(
                "The payload bytes are not the RFC 8785 canonical form of their own JSON: {r}",
                "载荷字节不是其 JSON 的 RFC 8785 规范化形式：{r}",
            ).format(r=reason)
        )
    if isinstance(exc, SignatureError):
        return SignatureInvalid(
            Text("The signature does not verify: {r}", "签名验证失败：{r}").format(r=reason)
        )
    if isinstance(exc, KeyStatusError):
        cls = KeyRevoked if "revoked" in reason else KeyNotValid
        return cls(
            Text(
                "The signing key was not valid when the platform logged this: {r}",
                "平台记录时签名密钥无效：{r}",
            ).format(r=reason)
        )
    if isinstance(exc, JSONError):
        return MalformedSubmission(
            Text("The payload is not acceptable JSON: {r}", "载荷不是可接受的 JSON：{r}").format(
                r=reason
            )
        )
    return MalformedSubmission(
        Text("The submission is malformed: {r}", "提交格式错误：{r}").format(r=reason)
    )
