"""Stable problem types for signed submissions and keys (the `type` clients switch on)."""

from __future__ import annotations

from esgx_platform.errors import Conflict, EsgxError, Forbidden, InvalidInput, Unauthenticated
from esgx_platform.i18n import Text


class MalformedSubmission(EsgxError):
    type_slug = "malformed"
    title = Text("Malformed submission", "提交格式错误")
    status = 400


class NonCanonicalPayload(EsgxError):
    type_slug = "non-canonical-payload"
    title = Text("Payload is not in canonical form (RFC 8785)", "载荷不是规范化形式（RFC 8785）")
    status = 400


class SignatureInvalid(EsgxError):
    type_slug = "signature-invalid"
    title = Text("Signature invalid", "签名无效")
    status = 422


class KeyUnknown(EsgxError):
    type_slug = "key-unknown"
    title = Text("Signing key unknown", "签名密钥未注册")
    status = 422


class KeyNotValid(EsgxError):
    """Revoked, rotated away past its overlap, or not yet registered at log time."""

    type_slug = "key-not-valid"
    title = Text("Signing key not valid", "签名密钥无效")
    status = 422


class KeyRevoked(KeyNotValid):
    type_slug = "key-revoked"
    title = Text("Signing key revoked", "签名密钥已撤销")


class KeyEventRejected(InvalidInput):
    type_slug = "key-event-rejected"
    title = Text("Key event rejected", "密钥事件被拒绝")


class KeyConflict(Conflict):
    type_slug = "key-conflict"
    title = Text("Key already registered", "密钥已被注册")


class SchemaInvalid(InvalidInput):
    type_slug = "schema-invalid"
    title = Text("Disclosure does not match the schema", "披露数据不符合格式要求")


class RuleViolation(InvalidInput):
    type_slug = "rule-violation"
    title = Text("Disclosure breaks a rule", "披露数据违反校验规则")


class DuplicatePeriod(Conflict):
    type_slug = "period-already-disclosed"
    title = Text("Period already disclosed", "该期间已提交披露")


class RestatementInvalid(Conflict):
    type_slug = "restatement-invalid"
    title = Text("Restatement does not match the current disclosure", "重述与当前披露不符")


class WrongIssuer(Forbidden):
    type_slug = "wrong-issuer"
    title = Text("Issuer is not your organization", "签发方不是贵组织")


class PayloadTooLarge(EsgxError):
    type_slug = "too-large"
    title = Text("Request too large", "请求内容过大")
    status = 413


class UnsupportedMediaType(EsgxError):
    type_slug = "unsupported-media-type"
    title = Text("Unsupported media type", "不支持的媒体类型")
    status = 415


__all__ = [
    "DuplicatePeriod",
    "KeyConflict",
    "KeyEventRejected",
    "KeyNotValid",
    "KeyRevoked",
    "KeyUnknown",
    "MalformedSubmission",
    "NonCanonicalPayload",
    "PayloadTooLarge",
    "RestatementInvalid",
    "RuleViolation",
    "SchemaInvalid",
    "SignatureInvalid",
    "Unauthenticated",
    "UnsupportedMediaType",
    "WrongIssuer",
]
