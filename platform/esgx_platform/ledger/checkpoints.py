"""The log's signing key and its signed checkpoints (C2SP tlog-checkpoint), and cosignatures."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, InvalidInput, NotFound
from esgx_platform.i18n import Text
from esgx_platform.ledger.log import STATE_ID, appended_in_transaction, lock_state
from esgx_platform.ledger.models import LogCheckpoint, LogCosignature, LogKey, LogState
from esgx_platform.memo import Lru
from esgx_platform.secretbox import SecretBox
from signing import (
    Checkpoint,
    SigningError,
    parse_note,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
)


def active_log_key(session: Session) -> LogKey | None:
    return session.scalar(
        select(LogKey).where(LogKey.retired_at.is_(None)).order_by(LogKey.id.desc()).limit(1)
    )


def ensure_log_key(session: Session, *, box: SecretBox, origin: str) -> LogKey:
    """The active log key, generated (and stored encrypted) on first use."""
    key = active_log_key(session)
    if key is not None:
        return key
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = LogKey(
        name=origin,
        verifier_key=verifier_key(name=origin, key=private),
        encrypted_private_key=box.encrypt(raw),
    )
    session.add(key)
    session.flush()
    return key


def rotate_log_key(session: Session, *, box: SecretBox, origin: str) -> LogKey:
    """Retire the active log key and make a new one; new checkpoints are signed with it.

    Old checkpoints, receipts and bundles keep verifying with the retired key's verifier key,
    which `/api/v1/log/key` goes on listing.
    """
    lock_state(session)
    current = active_log_key(session)
    if current is not None:
        current.retired_at = utcnow()
        session.flush()
    return ensure_log_key(session, box=box, origin=origin)


def reencrypt_log_keys(session: Session, *, box: SecretBox) -> int:
    """Re-encrypt every stored log key under the newest encryption key; returns how many."""
    keys = session.scalars(select(LogKey)).all()
    for key in keys:
        key.encrypted_private_key = box.rotate(key.encrypted_private_key)
    session.flush()
    return len(keys)


# Decrypted log keys, per process, by row and ciphertext (re-encryption is another entry).
_PRIVATE: Lru[tuple[int, bytes], ed25519.Ed25519PrivateKey] = Lru(8)


def _private(key: LogKey, box: SecretBox) -> ed25519.Ed25519PrivateKey:
    cached = _PRIVATE.get((key.id, key.encrypted_private_key))
    if cached is None:
        raw = box.decrypt(key.encrypted_private_key)
        cached = ed25519.Ed25519PrivateKey.from_private_bytes(raw)
        _PRIVATE.put((key.id, key.encrypted_private_key), cached)
    return cached


def publish_checkpoint(session: Session, *, box: SecretBox, origin: str) -> LogCheckpoint:
    """Sign the tree as it is now, unless the newest checkpoint already has this size.

    No log lock is taken: the state row always holds a size and root committed together, so
    signing what it says is safe while appends go on; two publishers racing for one size end
    with one checkpoint (unique per size and key).
    """
    state = session.scalar(
        select(LogState).where(LogState.id == STATE_ID).execution_options(populate_existing=True)
    )
    if state is None:
        raise NotFound(Text("The transparency log is not initialized.", "透明日志尚未初始化。"))
    key = active_log_key(session) or _first_log_key(session, box=box, origin=origin)
    latest = latest_checkpoint(session)
    if latest is not None and latest.size >= state.size and latest.log_key_id == key.id:
        return latest
    note = sign_checkpoint(
        Checkpoint(origin, state.size, state.root), private_key=_private(key, box)
    )
    checkpoint = LogCheckpoint(size=state.size, root=state.root, note=note, log_key_id=key.id)
    try:
        with session.begin_nested():
            session.add(checkpoint)
    except IntegrityError:
        found = session.scalar(
            select(LogCheckpoint).where(
                LogCheckpoint.size == state.size, LogCheckpoint.log_key_id == key.id
            )
        )
        assert found is not None
        return found
    return checkpoint


def seal(session: Session, *, box: SecretBox, origin: str) -> LogCheckpoint:
    """A checkpoint of the tree as this transaction leaves it, signed and stored in it.

    After a transaction's last append the entries and the checkpoint covering them commit
    together, and a receipt needs no transaction of its own or anything read back. Nobody else
    can have signed this size: it is not committed, and appends are serialized on the lock.
    A transaction that appended nothing gets `publish_checkpoint`'s answer instead.
    """
    if not appended_in_transaction(session):
        return publish_checkpoint(session, box=box, origin=origin)
    state = lock_state(session)
    key = active_log_key(session) or ensure_log_key(session, box=box, origin=origin)
    note = sign_checkpoint(
        Checkpoint(origin, state.size, state.root), private_key=_private(key, box)
    )
    checkpoint = LogCheckpoint(size=state.size, root=state.root, note=note, log_key_id=key.id)
    session.add(checkpoint)
    return checkpoint


def _first_log_key(session: Session, *, box: SecretBox, origin: str) -> LogKey:
    """Create the log key under the log lock, so two first publishers cannot make two."""
    lock_state(session)
    return ensure_log_key(session, box=box, origin=origin)


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    """The checkpoint of the largest tree (publishers may commit out of order)."""
    return session.scalar(
        select(LogCheckpoint).order_by(LogCheckpoint.size.desc(), LogCheckpoint.id.desc()).limit(1)
    )


def checkpoint_with_cosignatures(session: Session, checkpoint: LogCheckpoint) -> str:
    """The signed note with every stored witness cosignature line appended."""
    lines = session.scalars(
        select(LogCosignature.signature_line)
        .where(LogCosignature.checkpoint_id == checkpoint.id)
        .order_by(LogCosignature.id)
    ).all()
    return checkpoint.note + "".join(line + "\n" for line in lines)


def add_cosignature(
    session: Session, *, checkpoint: LogCheckpoint, witness_key: str, cosigned_note: str
) -> LogCosignature:
    """Store a witness's cosignature after verifying it over this exact checkpoint.

    `cosigned_note` is the checkpoint note carrying the witness's signature line;
    `witness_key` is the witness's verifier key. Raises InvalidInput or Conflict.
    """
    try:
        vkey = parse_verifier_key(witness_key)
        log_key = session.get(LogKey, checkpoint.log_key_id)
        assert log_key is not None
        verified = verify_checkpoint(
            cosigned_note, log_key=log_key.verifier_key, witness_keys=[witness_key], quorum=1
        )
    except SigningError as exc:
        raise InvalidInput(
            Text("The cosignature does not verify: {r}", "联署签名验证失败：{r}").format(r=str(exc))
        ) from None
    if (
        verified.checkpoint.size != checkpoint.size
        or verified.checkpoint.root_hash != checkpoint.root
    ):
        raise InvalidInput(
            Text(
                "The cosigned note is for another checkpoint.",
                "联署的签名注释对应的是另一个检查点。",
            )
        )
    line = next(s.line() for s in parse_note(cosigned_note).signatures if s.name == vkey.name)
    exists = session.scalar(
        select(LogCosignature).where(
            LogCosignature.checkpoint_id == checkpoint.id, LogCosignature.witness_name == vkey.name
        )
    )
    if exists is not None:
        raise Conflict(
            Text("This witness has cosigned this checkpoint already.", "该见证方已联署此检查点。")
        )
    cosignature = LogCosignature(
        checkpoint_id=checkpoint.id, witness_name=vkey.name, signature_line=line
    )
    try:
        with session.begin_nested():
            session.add(cosignature)
    except IntegrityError:  # the same witness, racing itself
        raise Conflict(
            Text("This witness has cosigned this checkpoint already.", "该见证方已联署此检查点。")
        ) from None
    return cosignature
