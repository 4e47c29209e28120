"""Receipts (C2SP tlog-proof) and offline bundles for stored disclosures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from esgx_platform.db import begin_write
from esgx_platform.keys.services import key_events
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import (
    checkpoint_with_cosignatures,
    latest_checkpoint,
    publish_checkpoint,
)
from esgx_platform.ledger.models import LogCheckpoint, LogKey
from esgx_platform.memo import Lru
from esgx_platform.secretbox import SecretBox
from signing import build_bundle, build_receipt


@dataclass(frozen=True)
class LogSigner:
    """What it takes to sign checkpoints: the key box and the log's origin line."""

    box: SecretBox
    origin: str


def covering_checkpoint(session: Session, index: int, signer: LogSigner) -> LogCheckpoint:
    """The newest checkpoint, signing a new one only when none covers entry `index` yet."""
    latest = latest_checkpoint(session)
    if latest is not None and latest.size > index:
        return latest
    return publish_checkpoint(session, box=signer.box, origin=signer.origin)


def checkpoint_after_commit(session: Session, index: int, signer: LogSigner) -> LogCheckpoint:
    """A checkpoint covering entry `index`, once that entry is committed.

    Signing happens outside the submission's own transaction: when many submissions commit at
    once, the first to get here signs a checkpoint covering all of them and the rest reuse it.
    """
    latest = latest_checkpoint(session)
    if latest is not None and latest.size > index:
        return latest
    session.commit()
    begin_write(session)
    checkpoint = covering_checkpoint(session, index, signer)
    session.commit()
    return checkpoint


def receipt_for(
    session: Session, index: int, signer: LogSigner, checkpoint: LogCheckpoint | None = None
) -> str:
    """A tlog-proof receipt for entry `index`: inclusion proof, signed checkpoint, the entry."""
    checkpoint = checkpoint or covering_checkpoint(session, index, signer)
    return receipts_for(session, [index], checkpoint)[index]


def receipts_for(
    session: Session, indices: Sequence[int], checkpoint: LogCheckpoint, note: str | None = None
) -> dict[int, str]:
    """Receipts for several entries against one checkpoint (`note`: its text with
    cosignatures, when the caller has read it), in three queries in all."""
    if note is None:
        note = checkpoint_with_cosignatures(session, checkpoint)
    proofs = log.inclusion_proofs(session, indices=indices, size=checkpoint.size)
    bodies = log.entries(session, indices)
    return {
        i: build_receipt(index=i, proof=proofs[i], checkpoint=note, extra=bodies[i])
        for i in indices
    }


def bundle_for(session: Session, row: Logged, signer: LogSigner) -> dict[str, Any]:
    """Everything to verify `row` offline: JWS, receipt, the issuer's key events with their
    receipts, and the log's verifier key, all against one checkpoint."""
    checkpoint = covering_checkpoint(session, row.log_index, signer)
    return bundles_for(session, [row], checkpoint)[row.log_index]


class Logged(Protocol):
    """A signed record in the log: a stored disclosure or footprint, or the feed's view of one."""

    @property
    def organization_id(self) -> uuid.UUID: ...
    @property
    def log_index(self) -> int: ...
    @property
    def jws(self) -> str: ...


# Bundles built lately, per process. A bundle is a function of its entry and the signed
# checkpoint it is proved against (entries and key events below a checkpoint's size never
# change), so the key is the entry's index and the checkpoint note as served, cosignatures
# included: a restored database with another log, or a new cosignature, is another key.
# A feed page of 20 records is about 150 KB of bundles; 2,000 keep a polling tail and recent
# pages (a few tens of MB per worker at most).
_BUNDLES: Lru[tuple[int, str], dict[str, Any]] = Lru(2000)


def bundles_for(
    session: Session, rows: Sequence[Logged], checkpoint: LogCheckpoint
) -> dict[int, dict[str, Any]]:
    """Bundles for several records against one checkpoint that covers them all, by log index:
    each issuer's key events are read once and every receipt comes from one batch of proofs.
    Callers must not change the dicts returned: they may be shared with later calls."""
    note = checkpoint_with_cosignatures(session, checkpoint)
    found = {row.log_index: _BUNDLES.get((row.log_index, note)) for row in rows}
    missing = [row for row in rows if found[row.log_index] is None]
    if missing:
        for index, bundle in _build_bundles(session, missing, checkpoint, note).items():
            _BUNDLES.put((index, note), bundle)
            found[index] = bundle
    return {index: bundle for index, bundle in found.items() if bundle is not None}


def _build_bundles(
    session: Session, rows: Sequence[Logged], checkpoint: LogCheckpoint, note: str
) -> dict[int, dict[str, Any]]:
    events = {
        org_id: [
            e for e in key_events(session, organization_id=org_id) if e.log_index < checkpoint.size
        ]
        for org_id in {row.organization_id for row in rows}
    }
    # The key that signed this checkpoint, even if a newer log key has replaced it since.
    log_key = session.get(LogKey, checkpoint.log_key_id)
    assert log_key is not None
    indices = {row.log_index for row in rows} | {
        e.log_index for found in events.values() for e in found
    }
    receipts = receipts_for(session, sorted(indices), checkpoint, note)
    return {
        row.log_index: build_bundle(
            credential=row.jws,
            receipt=receipts[row.log_index],
            key_events=[(e.envelope, receipts[e.log_index]) for e in events[row.organization_id]],
            log_key=log_key.verifier_key,
        )
        for row in rows
    }
