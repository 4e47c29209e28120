"""Key lifecycle: challenge, registration with proof of possession, rotation, revocation.

Every event is judged by `signing.KeyHistory` (the code an offline verifier replays) over the
organization's keys as stored, appended to the transparency log, and kept verbatim. A lost key
is replaced by registering a new key and revoking the lost one with a signature of the new one.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import NotFound, reason_of
from esgx_platform.i18n import Text
from esgx_platform.keys.models import KeyChallenge, KeyEventRecord, SigningKey
from esgx_platform.ledger.log import append, lock_state
from esgx_platform.organizations.models import Organization
from esgx_platform.problems import KeyConflict, KeyEventRejected
from signing import (
    KeyEvent,
    KeyHistory,
    KeyState,
    SigningError,
    build_challenge,
    key_event_log_entry,
    parse_json,
    verify_pop,
)

CHALLENGE_LIFETIME = timedelta(minutes=15)


def issue_challenge(session: Session, *, organization: Organization) -> dict[str, str]:
    """A one-time challenge the new key must sign within CHALLENGE_LIFETIME."""
    expires_at = utcnow() + CHALLENGE_LIFETIME
    challenge = build_challenge(organization=organization.urn, expires_at=expires_at)
    session.add(
        KeyChallenge(
            organization_id=organization.id, nonce=challenge["nonce"], expires_at=expires_at
        )
    )
    session.flush()
    return challenge


def history_of(session: Session, organization: Organization) -> KeyHistory:
    """The organization's key history rebuilt from stored state (no signature re-checks)."""
    history = KeyHistory(organization.urn)
    for key in list_keys(session, organization=organization):
        history.states[key.kid] = key_state(key)
    return history


def histories_of(
    session: Session, organizations: Sequence[Organization]
) -> dict[uuid.UUID, KeyHistory]:
    """`history_of` for several organizations, from one statement of columns (it does not
    flush the session first, as `history_of`'s query does: intake calls it under the log's
    lock, before its group has written anything)."""
    histories = {org.id: KeyHistory(org.urn) for org in organizations}
    rows = session.connection().execute(_KEY_STATES, {"organization_ids": list(histories)})
    for row in rows:
        histories[row.organization_id].states[row.kid] = key_state(row)
    return histories


# What a key history holds, for several organizations (intake asks under the log's lock).
_KEY_STATES = (
    select(
        SigningKey.organization_id,
        SigningKey.kid,
        SigningKey.public_jwk,
        SigningKey.registered_index,
        SigningKey.not_after,
        SigningKey.rotated_index,
        SigningKey.revoked_index,
        SigningKey.revoked_effective,
        SigningKey.revocation_reason,
    )
    .where(SigningKey.organization_id.in_(bindparam("organization_ids", expanding=True)))
    .order_by(SigningKey.registered_index)
)


class _KeyColumns(Protocol):
    """A signing key's row, as an entity or as the columns `_KEY_STATES` reads."""

    kid: str
    public_jwk: dict[str, Any]
    registered_index: int
    not_after: datetime | None
    rotated_index: int | None
    revoked_index: int | None
    revoked_effective: datetime | None
    revocation_reason: str | None


def key_state(key: _KeyColumns) -> KeyState:
    return KeyState(
        kid=key.kid,
        jwk=dict(key.public_jwk),
        registered_index=key.registered_index,
        not_after=key.not_after,
        rotated_index=key.rotated_index,
        revoked_index=key.revoked_index,
        revoked_effective=key.revoked_effective,
        revocation_reason=key.revocation_reason,
    )


def _rejected(exc: SigningError) -> KeyEventRejected:
    return KeyEventRejected(
        Text("The key event was rejected: {r}", "密钥事件被拒绝：{r}").format(r=reason_of(exc))
    )


def _claimed_nonce(proof: str) -> str:
    """The nonce a proof claims to answer (unverified; used only to find the challenge)."""
    try:
        payload = proof.split(".")[1]
        claimed = parse_json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claimed["nonce"])
    except (IndexError, ValueError, KeyError, TypeError, SigningError):
        raise KeyEventRejected(
            Text("The proof of possession is malformed.", "持有证明格式错误。")
        ) from None


def _use_challenge(session: Session, organization: Organization, proof: str) -> dict[str, str]:
    challenge = session.scalar(
        select(KeyChallenge).where(
            KeyChallenge.nonce == _claimed_nonce(proof),
            KeyChallenge.organization_id == organization.id,
        )
    )
    now = utcnow()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= now:
        raise KeyEventRejected(
            Text(
                "The challenge is unknown, used or expired: request a new one.",
                "挑战码未知、已使用或已过期，请重新申请。",
            )
        )
    try:
        jwk = verify_pop(proof, nonce=challenge.nonce, organization=organization.urn, now=now)
    except SigningError as exc:
        raise _rejected(exc) from None
    challenge.used_at = now
    return jwk


def _apply_and_log(
    session: Session,
    organization: Organization,
    envelope: Mapping[str, Any],
    *,
    actor_user_id: uuid.UUID | None,
    expect: Callable[[KeyEvent], None],
) -> KeyEvent:
    """Judge the event against the history (and `expect`), append it to the log, keep it."""
    state = lock_state(session)
    history = history_of(session, organization)
    logged_at = utcnow()
    try:
        event = history.apply(envelope, index=state.size, logged_at=logged_at)
    except SigningError as exc:
        raise _rejected(exc) from None
    expect(event)
    record = append(
        session,
        kind="keyEvent",
        body=key_event_log_entry(event=event, logged_at=logged_at),
        logged_at=logged_at,
    )
    session.add(
        KeyEventRecord(
            organization_id=organization.id,
            kid=event.kid,
            event=event.event,
            envelope=dict(envelope),
            digest=event.digest,
            log_index=record.index,
            logged_at=logged_at,
            actor_user_id=actor_user_id,
        )
    )
    _sync_states(session, organization, history)
    record_event(
        session,
        action=f"key.{event.event}",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="signing_key",
        target_id=event.kid,
        details={"log_index": record.index},
    )
    return event


def _sync_states(session: Session, organization: Organization, history: KeyHistory) -> None:
    """Write the history's key states back into the typed columns."""
    existing = {k.kid: k for k in list_keys(session, organization=organization)}
    for kid, state in history.states.items():
        key = existing.get(kid)
        if key is None:
            key = SigningKey(
                organization_id=organization.id,
                kid=kid,
                alg="EdDSA" if state.jwk.get("kty") == "OKP" else "ES256",
                public_jwk=dict(state.jwk),
                registered_index=state.registered_index,
                registered_at=utcnow(),
            )
            session.add(key)
        key.not_after, key.rotated_index = state.not_after, state.rotated_index
        key.revoked_index, key.revoked_effective = state.revoked_index, state.revoked_effective
        key.revocation_reason = state.revocation_reason
    session.flush()


def _kid_taken(session: Session, kid: str) -> bool:
    return session.scalar(select(SigningKey.id).where(SigningKey.kid == kid)) is not None


def register_key(
    session: Session,
    *,
    organization: Organization,
    proof: str,
    event: Mapping[str, Any],
    actor_user_id: uuid.UUID | None,
    label: str | None = None,
) -> SigningKey:
    """Register a new key: proof of possession over a challenge plus its signed `registered`
    event. Raises KeyEventRejected or KeyConflict; the caller rolls back, storing nothing."""
    # The log lock first: on PostgreSQL it is what stops two registrations from spending one
    # challenge, or one key from being registered to two organizations at once.
    lock_state(session)
    jwk = _use_challenge(session, organization, proof)
    if _kid_taken(session, jwk["kid"]):
        raise KeyConflict(
            Text(
                "This key is already registered (here or to another organization).",
                "该密钥已注册（在本组织或其他组织）。",
            )
        )

    def expect(verified: KeyEvent) -> None:
        if verified.event != "registered" or verified.kid != jwk["kid"]:
            raise KeyEventRejected(
                Text(
                    "The event must register the key that answered the challenge.",
                    "事件必须注册应答挑战的那把密钥。",
                )
            )

    verified = _apply_and_log(
        session, organization, event, actor_user_id=actor_user_id, expect=expect
    )
    key = get_key(session, organization=organization, kid=verified.kid)
    key.label = label
    return key


def change_key(
    session: Session,
    *,
    organization: Organization,
    event: Mapping[str, Any],
    actor_user_id: uuid.UUID | None,
    expected: str,
) -> SigningKey:
    """Apply a signed `rotated` (old and new key sign) or `revoked` event; `expected` names
    which. Raises KeyEventRejected or KeyConflict."""

    def expect(verified: KeyEvent) -> None:
        if verified.event != expected:
            raise KeyEventRejected(
                Text("Expected a {e} event, got {g}.", "应为 {e} 事件，实为 {g}。").format(
                    e=expected, g=verified.event
                )
            )
        if verified.event == "rotated" and _kid_taken(session, verified.kid):
            raise KeyConflict(Text("The new key is already registered.", "新密钥已被注册。"))

    verified = _apply_and_log(
        session, organization, event, actor_user_id=actor_user_id, expect=expect
    )
    return get_key(session, organization=organization, kid=verified.kid)


def get_key(session: Session, *, organization: Organization, kid: str) -> SigningKey:
    key = session.scalar(
        select(SigningKey).where(
            SigningKey.organization_id == organization.id, SigningKey.kid == kid
        )
    )
    if key is None:
        raise NotFound(Text("No such key.", "密钥不存在。"))
    return key


def list_keys(session: Session, *, organization: Organization) -> list[SigningKey]:
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.organization_id == organization.id)
            .order_by(SigningKey.registered_index)
        )
    )


def key_events(session: Session, *, organization_id: uuid.UUID) -> list[KeyEventRecord]:
    return list(
        session.scalars(
            select(KeyEventRecord)
            .where(KeyEventRecord.organization_id == organization_id)
            .order_by(KeyEventRecord.log_index)
        )
    )
