"""Receipts (C2SP tlog-proof) and offline bundles for stored disclosures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from esgx_platform.db import begin_write
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.keys.services import key_events
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import (
    checkpoint_with_cosignatures,
    latest_checkpoint,
    publish_checkpoint,
)
from esgx_platform.ledger.models import LogCheckpoint, LogKey
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
    session: Session, indices: Sequence[int], checkpoint: LogCheckpoint
) -> dict[int, str]:
    """Receipts for several entries against one checkpoint, in three queries in all."""
    note = checkpoint_with_cosignatures(session, checkpoint)
    proofs = log.inclusion_proofs(session, indices=indices, size=checkpoint.size)
    bodies = log.entries(session, indices)
    return {
        i: build_receipt(index=i, proof=proofs[i], checkpoint=note, extra=bodies[i])
        for i in indices
    }


def bundle_for(
    session: Session, row: StoredDisclosure | FootprintCredential, signer: LogSigner
) -> dict[str, Any]:
    """Everything to verify `row` offline: JWS, receipt, the issuer's key events with their
    receipts, and the log's verifier key, all against one checkpoint."""
    checkpoint = covering_checkpoint(session, row.log_index, signer)
    return bundles_for(session, [row], checkpoint)[row.log_index]


def bundles_for(
    session: Session,
    rows: Sequence[StoredDisclosure | FootprintCredential],
    checkpoint: LogCheckpoint,
) -> dict[int, dict[str, Any]]:
    """Bundles for several records against one checkpoint that covers them all, by log index:
    each issuer's key events are read once and every receipt comes from one batch of proofs."""
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
    receipts = receipts_for(session, sorted(indices), checkpoint)
    return {
        row.log_index: build_bundle(
            credential=row.jws,
            receipt=receipts[row.log_index],
            key_events=[(e.envelope, receipts[e.log_index]) for e in events[row.organization_id]],
            log_key=log_key.verifier_key,
        )
        for row in rows
    }
