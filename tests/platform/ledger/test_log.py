"""The database log agrees with the reference RFC 9162 functions over hundreds of appends."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import (
    add_cosignature,
    checkpoint_with_cosignatures,
    ensure_log_key,
    publish_checkpoint,
)
from esgx_platform.ledger.models import LogSubtree
from esgx_platform.secretbox import SecretBox
from signing import (
    EMPTY_ROOT,
    CheckpointError,
    cosign_checkpoint,
    cosigner_verifier_key,
    leaf_hash,
    root_hash,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)

BOX = SecretBox(["A" * 43 + "="])
ORIGIN = "esgx.test/log"


def _append_many(session: Session, count: int, start: int = 0) -> list[bytes]:
    bodies = [f'{{"n":{start + i}}}'.encode() for i in range(count)]
    for body in bodies:
        log.append(session, kind="disclosure", body=body, logged_at=utcnow())
    return bodies


def test_empty_log_has_the_empty_root(session: Session) -> None:
    state = log.current_state(session)
    assert state.size == 0
    assert state.root == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_every_proof_verifies_over_hundreds_of_appends(session: Session) -> None:
    bodies = _append_many(session, 300)
    leaves = [leaf_hash(b) for b in bodies]
    state = log.current_state(session)
    assert state.size == 300
    assert state.root == root_hash(leaves)
    for size in (1, 2, 3, 7, 64, 65, 128, 255, 300):
        root = log.root_at(session, size)
        assert root == root_hash(leaves[:size])
        for index in {0, size // 2, size - 1}:
            proof = log.inclusion_proof(session, index=index, size=size)
            verify_inclusion(leaves[index], index, size, proof, root)
    for size1, size2 in ((1, 300), (7, 8), (64, 300), (100, 257), (300, 300)):
        proof = log.consistency_proof(session, size1=size1, size2=size2)
        verify_consistency(
            size1, size2, proof, log.root_at(session, size1), log.root_at(session, size2)
        )


def test_storage_is_linear_and_appends_keep_log_n_edge(session: Session) -> None:
    _append_many(session, 100)
    # Each leaf stores itself plus the complete subtrees it finishes: 2n - popcount(n) rows.
    assert session.scalar(select(func.count()).select_from(LogSubtree)) == 2 * 100 - 3
    assert len(log.current_state(session).frontier) == bin(100).count("1")


def test_checkpoint_is_signed_and_verifies(session: Session) -> None:
    _append_many(session, 5)
    checkpoint = publish_checkpoint(session, box=BOX, origin=ORIGIN)
    key = ensure_log_key(session, box=BOX, origin=ORIGIN)
    verified = verify_checkpoint(checkpoint.note, log_key=key.verifier_key)
    assert verified.checkpoint.size == 5
    assert verified.checkpoint.root_hash == log.current_state(session).root
    # The private key is stored encrypted, never in the clear.
    assert key.encrypted_private_key.startswith(b"gAAAAA")
    # Same size: the same checkpoint, not a new signature.
    assert publish_checkpoint(session, box=BOX, origin=ORIGIN).id == checkpoint.id


def test_witness_cosignature_is_checked_and_kept(session: Session) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    _append_many(session, 3)
    checkpoint = publish_checkpoint(session, box=BOX, origin=ORIGIN)
    witness = ed25519.Ed25519PrivateKey.generate()
    witness_key = cosigner_verifier_key(name="witness.example", key=witness)
    log_key = ensure_log_key(session, box=BOX, origin=ORIGIN).verifier_key
    cosigned = cosign_checkpoint(
        checkpoint.note, log_key=log_key, name="witness.example", private_key=witness
    )
    add_cosignature(session, checkpoint=checkpoint, witness_key=witness_key, cosigned_note=cosigned)
    note = checkpoint_with_cosignatures(session, checkpoint)
    verified = verify_checkpoint(note, log_key=log_key, witness_keys=[witness_key], quorum=1)
    assert set(verified.witnesses) == {"witness.example"}


def test_forged_cosignature_is_refused(session: Session) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from esgx_platform.errors import InvalidInput

    _append_many(session, 3)
    checkpoint = publish_checkpoint(session, box=BOX, origin=ORIGIN)
    witness_key = cosigner_verifier_key(
        name="witness.example", key=ed25519.Ed25519PrivateKey.generate()
    )
    impostor = ed25519.Ed25519PrivateKey.generate()
    log_key = ensure_log_key(session, box=BOX, origin=ORIGIN).verifier_key
    cosigned = cosign_checkpoint(
        checkpoint.note, log_key=log_key, name="witness.example", private_key=impostor
    )
    with pytest.raises(InvalidInput, match="does not verify"):
        add_cosignature(
            session, checkpoint=checkpoint, witness_key=witness_key, cosigned_note=cosigned
        )


def test_tampered_checkpoint_fails_verification(session: Session) -> None:
    _append_many(session, 2)
    checkpoint = publish_checkpoint(session, box=BOX, origin=ORIGIN)
    key = ensure_log_key(session, box=BOX, origin=ORIGIN)
    tampered = checkpoint.note.replace("\n2\n", "\n3\n", 1)
    with pytest.raises(CheckpointError):
        verify_checkpoint(tampered, log_key=key.verifier_key)


def test_log_key_rotation_keeps_old_checkpoints_verifiable(session: Session) -> None:
    from esgx_platform.ledger.checkpoints import rotate_log_key

    _append_many(session, 4)
    old_checkpoint = publish_checkpoint(session, box=BOX, origin=ORIGIN)
    old_key = ensure_log_key(session, box=BOX, origin=ORIGIN).verifier_key
    new_key = rotate_log_key(session, box=BOX, origin=ORIGIN).verifier_key
    assert new_key != old_key
    fresh = publish_checkpoint(session, box=BOX, origin=ORIGIN)  # same size, the new key signs
    assert fresh.id != old_checkpoint.id
    verify_checkpoint(fresh.note, log_key=new_key)
    verify_checkpoint(old_checkpoint.note, log_key=old_key)
    with pytest.raises(CheckpointError):
        verify_checkpoint(old_checkpoint.note, log_key=new_key)


def test_encryption_key_rotation_reencrypts_log_keys(session: Session) -> None:
    from cryptography.fernet import Fernet

    from esgx_platform.ledger.checkpoints import reencrypt_log_keys

    _append_many(session, 1)
    publish_checkpoint(session, box=BOX, origin=ORIGIN)
    newer = Fernet.generate_key().decode()
    rotated_box = SecretBox([newer, "A" * 43 + "="])
    assert reencrypt_log_keys(session, box=rotated_box) == 1
    _append_many(session, 1, start=1)
    # Only the new encryption key is needed now to sign.
    checkpoint = publish_checkpoint(session, box=SecretBox([newer]), origin=ORIGIN)
    assert checkpoint.size == 2
