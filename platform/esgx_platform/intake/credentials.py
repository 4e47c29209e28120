"""What every signed submission shares: reading the JWS, finding and checking the key."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import transaction_cache
from esgx_platform.i18n import Text
from esgx_platform.intake.errors import problem_for
from esgx_platform.keys.models import SigningKey
from esgx_platform.keys.services import history_of
from esgx_platform.organizations.models import Organization
from esgx_platform.problems import KeyUnknown, MalformedSubmission, WrongIssuer
from signing import SigningError, VerifiedCredential, parse_json, verify

NOT_YOURS = Text(
    "The signing key or issuer is not an organization you may file for.",
    "签名密钥或签发方不属于您可代为提交的组织。",
)


# A key's kid is its RFC 7638 thumbprint, 43 characters; anything far longer is no kid of ours.
MAX_KID = 128
# ASCII digits only (a str pattern's \d would also take other scripts' digits).
_CLAIMED_PERIOD = re.compile(r"\d{4}-Q[1-4]", re.ASCII)


@dataclass(frozen=True)
class Submitter:
    """Who submits: the organizations they may file for (a supplier's people for the supplier,
    a lead factory's analysts for the factory's own operations), and how (for the record)."""

    organization_ids: Collection[uuid.UUID]
    user_id: uuid.UUID | None
    via: str


def peek(jws: str) -> tuple[str, str]:
    """The header's kid and the payload's content id, before anything is trusted."""
    try:
        header_b64, payload_b64, _ = jws.split(".")
        header = parse_json(_b64url(header_b64))
        payload = _b64url(payload_b64)
    except (ValueError, SigningError):
        raise MalformedSubmission(
            Text(
                "Not a compact JWS (three base64url segments separated by dots).",
                "不是紧凑序列化 JWS（三段以点分隔的 base64url）。",
            )
        ) from None
    kid = header.get("kid") if isinstance(header, dict) else None
    if not isinstance(kid, str) or not kid:
        raise MalformedSubmission(Text("The JWS header has no kid.", "JWS 头部缺少 kid。"))
    if len(kid) > MAX_KID:  # never echoed back or into the audit log at any length
        raise MalformedSubmission(
            Text(
                "The JWS header's kid is longer than any key's ({n} characters).",
                "JWS 头部的 kid 超过任何密钥的长度（{n} 个字符）。",
            ).format(n=MAX_KID)
        )
    return kid, hashlib.sha256(payload).hexdigest()


def claimed_period(jws: str) -> str | None:
    """The period (`YYYY-Qn`) the payload's credentialSubject claims, read without verifying
    anything: only for recording what a refused submission was about. None, never an
    exception, when the JWS, its JSON or the claim is unreadable."""
    try:
        _, payload_b64, _ = jws.strip().split(".")
        payload = parse_json(_b64url(payload_b64))
    except (ValueError, SigningError):  # binascii.Error and UnicodeError are ValueErrors
        return None
    subject = payload.get("credentialSubject") if isinstance(payload, dict) else None
    period = subject.get("period") if isinstance(subject, dict) else None
    return period if isinstance(period, str) and _CLAIMED_PERIOD.fullmatch(period) else None


def stored_subject(jws: str) -> dict[str, Any]:
    """The credentialSubject of a JWS the platform verified and stored (so it parses)."""
    _, payload_b64, _ = jws.split(".")
    subject: dict[str, Any] = parse_json(_b64url(payload_b64))["credentialSubject"]
    return subject


def _b64url(text: str) -> bytes:
    if "=" in text or not text:
        raise ValueError("base64url without padding expected")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verified_credential(
    session: Session, *, jws: str, kid: str, submitter: Submitter, kind: str
) -> tuple[VerifiedCredential, SigningKey, Organization]:
    """Find the key by kid, check it is the submitter's, verify the JWS and its kind and
    issuer. Raises KeyUnknown, WrongIssuer, MalformedSubmission or a signature problem."""
    cache = transaction_cache(session)
    if ("key", kid) not in cache:
        # The key with its organization in one statement (the org is then in the session).
        found = session.execute(
            select(SigningKey, Organization)
            .join(Organization, Organization.id == SigningKey.organization_id)
            .where(SigningKey.kid == kid)
        ).first()
        cache[("key", kid)] = found[0] if found else None
    key: SigningKey | None = cache[("key", kid)]
    if key is None:
        raise KeyUnknown(
            Text("No registered key has kid {kid}.", "没有 kid 为 {kid} 的已注册密钥。").format(
                kid=kid
            )
        )
    if key.organization_id not in submitter.organization_ids:
        raise WrongIssuer(NOT_YOURS)
    try:
        credential = verify(jws, key.public_jwk)
    except SigningError as exc:
        raise problem_for(exc) from None
    if kind not in credential.payload["type"]:
        raise MalformedSubmission(
            Text("Only {k} credentials are accepted here.", "此处仅接受 {k} 凭证。").format(k=kind)
        )
    org = session.get(Organization, key.organization_id)
    assert org is not None
    if credential.issuer != org.urn:
        raise WrongIssuer(
            Text(
                "The credential's issuer {i} is not the key's organization {o}.",
                "凭证签发方 {i} 不是密钥所属组织 {o}。",
            ).format(i=credential.issuer, o=org.urn)
        )
    return credential, key, org


def check_key_at(
    session: Session, org: Organization, key: SigningKey, *, index: int, logged_at: datetime
) -> None:
    """The key must be valid for an entry logged at (index, time); call under the log lock."""
    try:
        history_of(session, org).check_valid(kid=key.kid, index=index, logged_at=logged_at)
    except SigningError as exc:
        raise problem_for(exc) from None
