"""Key lifecycle through the services: events judged, logged and kept; bad ones store nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.keys.models import KeyEventRecord, SigningKey
from esgx_platform.keys.services import (
    change_key,
    history_of,
    issue_challenge,
    key_events,
    register_key,
)
from esgx_platform.ledger import log
from esgx_platform.organizations.models import Organization
from esgx_platform.problems import KeyConflict, KeyEventRejected
from signing import (
    KeyHistory,
    KeyStatusError,
    PrivateKey,
    build_registration,
    build_revocation,
    build_rotation,
    generate_key,
    public_jwk,
    sign_key_event,
    sign_pop,
)
from tests.platform.factories import make_world


def register(session: Session, org: Organization, key: PrivateKey) -> SigningKey:
    challenge = issue_challenge(session, organization=org)
    event = sign_key_event(
        build_registration(organization=org.urn, public_jwk=public_jwk(key)), private_keys=[key]
    )
    return register_key(
        session,
        organization=org,
        proof=sign_pop(challenge, private_key=key),
        event=event,
        actor_user_id=None,
        label="test",
    )


def _count(session: Session) -> tuple[int | None, int | None, int]:
    return (
        session.scalar(select(func.count()).select_from(SigningKey)),
        session.scalar(select(func.count()).select_from(KeyEventRecord)),
        log.current_state(session).size,
    )


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_register_logs_the_event(session: Session, alg: str) -> None:
    world = make_world(session)
    key = generate_key(alg)
    stored = register(session, world.supplier_a, key)
    assert stored.kid == public_jwk(key)["kid"]
    assert stored.status == "active"
    [event] = key_events(session, organization_id=world.supplier_a.id)
    assert event.event == "registered"
    assert log.entry(session, event.log_index).kind == "keyEvent"


def test_rotation_needs_both_keys_and_sets_the_overlap(session: Session) -> None:
    world = make_world(session)
    old, new = generate_key("Ed25519"), generate_key("ES256")
    register(session, world.supplier_a, old)
    not_after = utcnow() + timedelta(days=7)
    rotation = build_rotation(
        organization=world.supplier_a.urn,
        new_jwk=public_jwk(new),
        previous_kid=public_jwk(old)["kid"],
        previous_not_after=not_after,
    )
    before = _count(session)
    with pytest.raises(KeyEventRejected):  # signed by the new key only
        change_key(
            session,
            organization=world.supplier_a,
            expected="rotated",
            event=sign_key_event(rotation, private_keys=[new]),
            actor_user_id=None,
        )
    assert _count(session) == before
    rotated = change_key(
        session,
        organization=world.supplier_a,
        expected="rotated",
        event=sign_key_event(rotation, private_keys=[old, new]),
        actor_user_id=None,
    )
    assert rotated.kid == public_jwk(new)["kid"]
    old_row = session.scalar(select(SigningKey).where(SigningKey.kid == public_jwk(old)["kid"]))
    assert old_row is not None
    assert old_row.status == "rotated"
    assert old_row.not_after == not_after.replace(microsecond=0)


def test_revocation_with_earlier_effective_time(session: Session) -> None:
    world = make_world(session)
    key = generate_key("Ed25519")
    registered = register(session, world.supplier_a, key)
    effective = utcnow() - timedelta(days=2)
    revocation = build_revocation(
        organization=world.supplier_a.urn,
        kid=registered.kid,
        reason="keyCompromise",
        effective_at=effective,
    )
    revoked = change_key(
        session,
        organization=world.supplier_a,
        expected="revoked",
        event=sign_key_event(revocation, private_keys=[key]),
        actor_user_id=None,
    )
    assert revoked.status == "revoked"
    assert revoked.revocation_reason == "keyCompromise"
    history = history_of(session, world.supplier_a)
    with pytest.raises(KeyStatusError, match="revoked"):
        history.check_valid(
            kid=revoked.kid, index=log.current_state(session).size, logged_at=utcnow()
        )


def test_stored_events_replay_offline_to_the_same_state(session: Session) -> None:
    world = make_world(session)
    first, second = generate_key("Ed25519"), generate_key("Ed25519")
    register(session, world.supplier_a, first)
    register(session, world.supplier_a, second)
    revocation = build_revocation(
        organization=world.supplier_a.urn,
        kid=public_jwk(first)["kid"],
        reason="superseded",
        effective_at=utcnow(),
    )
    change_key(
        session,
        organization=world.supplier_a,
        expected="revoked",
        event=sign_key_event(revocation, private_keys=[second]),
        actor_user_id=None,
    )
    replay = KeyHistory(world.supplier_a.urn)
    for record in key_events(session, organization_id=world.supplier_a.id):
        replay.apply(record.envelope, index=record.log_index, logged_at=record.logged_at)
    assert replay.states == history_of(session, world.supplier_a).states


def test_challenge_is_single_use_and_bound_to_the_org(session: Session) -> None:
    world = make_world(session)
    key = generate_key("Ed25519")
    challenge = issue_challenge(session, organization=world.supplier_a)
    proof = sign_pop(challenge, private_key=key)
    event = sign_key_event(
        build_registration(organization=world.supplier_a.urn, public_jwk=public_jwk(key)),
        private_keys=[key],
    )
    with pytest.raises(KeyEventRejected, match="challenge"):  # another org's challenge
        register_key(
            session, organization=world.supplier_b, proof=proof, event=event, actor_user_id=None
        )
    register_key(
        session, organization=world.supplier_a, proof=proof, event=event, actor_user_id=None
    )
    with pytest.raises(KeyEventRejected, match="used"):
        register_key(
            session, organization=world.supplier_a, proof=proof, event=event, actor_user_id=None
        )


def test_a_key_belongs_to_one_organization(session: Session) -> None:
    world = make_world(session)
    key = generate_key("Ed25519")
    register(session, world.supplier_a, key)
    before = _count(session)
    with pytest.raises(KeyConflict):
        register(session, world.supplier_b, key)
    assert _count(session) == before


def test_event_must_register_the_challenged_key(session: Session) -> None:
    world = make_world(session)
    key, other = generate_key("Ed25519"), generate_key("Ed25519")
    challenge = issue_challenge(session, organization=world.supplier_a)
    event = sign_key_event(
        build_registration(organization=world.supplier_a.urn, public_jwk=public_jwk(other)),
        private_keys=[other],
    )
    before = _count(session)
    with pytest.raises(KeyEventRejected, match="answered the challenge"):
        register_key(
            session,
            organization=world.supplier_a,
            proof=sign_pop(challenge, private_key=key),
            event=event,
            actor_user_id=None,
        )
    assert _count(session)[2] == before[2]  # nothing appended to the log
