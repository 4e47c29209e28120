"""Appending to the log and answering proofs with O(log n) row reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from esgx_platform.db import begin_write, utcnow
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.ledger.models import LogRecord, LogState, LogSubtree
from signing import (
    CompactTree,
    SubtreeHash,
    consistency_proof_from_subtrees,
    inclusion_proof_from_subtrees,
    leaf_hash,
    root_from_subtrees,
)

STATE_ID = 1
R = TypeVar("R")
_PLACEHOLDER = bytes(32)


def lock_state(session: Session) -> LogState:
    """The log's state row, locked until the transaction ends (appends are serialized).

    Everything the session read before the lock may be stale (its objects outlive commits),
    so taking the lock flushes and expires them: what is read under the lock is current.
    """
    transaction = session.get_transaction()
    held = session.info.get("esgx_log_lock")
    if held is not None and transaction is not None and held[0] is transaction:
        return cast(LogState, held[1])  # locked already in this transaction: no round trip
    begin_write(session)
    session.flush()
    session.expire_all()
    state = session.scalar(
        select(LogState)
        .where(LogState.id == STATE_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if state is None:  # the first migration inserts it; its absence is a broken install
        raise NotFound(Text("The transparency log is not initialized.", "透明日志尚未初始化。"))
    session.info["esgx_log_lock"] = (session.get_transaction(), state)
    return state


def append(session: Session, *, kind: str, body: bytes, logged_at: datetime) -> LogRecord:
    """Append one entry; O(log n) rows written. The caller owns (and commits) the transaction."""
    state = lock_state(session)
    tree = CompactTree.from_frontier([(lvl, bytes.fromhex(h)) for lvl, h in state.frontier])
    leaf = leaf_hash(body)
    finished = tree.append(leaf)
    record = LogRecord(index=state.size, kind=kind, body=body, leaf_hash=leaf, logged_at=logged_at)
    session.add(record)
    session.add_all(LogSubtree(level=lvl, index=idx, hash=value) for lvl, idx, value in finished)
    state.size = tree.size
    state.root = tree.root()
    state.frontier = [[lvl, value.hex()] for lvl, value in tree.frontier()]
    state.updated_at = utcnow()
    return record


def current_state(session: Session) -> LogState:
    state = session.get(LogState, STATE_ID)
    if state is None:
        raise NotFound(Text("The transparency log is not initialized.", "透明日志尚未初始化。"))
    return state


def _batched(session: Session, compute: Callable[[SubtreeHash], R]) -> R:
    """Run a proof computation twice: once to learn which subtrees it reads, then with all of
    them fetched in one query (one round trip instead of one per level)."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return _PLACEHOLDER

    compute(record)
    rows = (
        session.execute(
            select(LogSubtree.level, LogSubtree.index, LogSubtree.hash).where(
                tuple_(LogSubtree.level, LogSubtree.index).in_(sorted(wanted))
            )
        ).all()
        if wanted
        else []
    )
    found = {(lvl, idx): value for lvl, idx, value in rows}

    def lookup(level: int, index: int) -> bytes:
        return found[(level, index)]

    return compute(lookup)


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries."""
    return inclusion_proofs(session, indices=[index], size=size)[index]


def inclusion_proofs(
    session: Session, *, indices: Sequence[int], size: int
) -> dict[int, list[bytes]]:
    """Inclusion proofs of several entries in one tree, from one query for all their nodes."""
    return _batched(
        session,
        lambda h: {
            i: inclusion_proof_from_subtrees(index=i, size=size, subtree_hash=h) for i in indices
        },
    )


def entries(session: Session, indices: Sequence[int]) -> dict[int, bytes]:
    """The bytes of several entries by index, in one query."""
    rows = session.execute(
        select(LogRecord.index, LogRecord.body).where(LogRecord.index.in_(sorted(set(indices))))
    ).all()
    return {index: body for index, body in rows}


def consistency_proof(session: Session, *, size1: int, size2: int) -> list[bytes]:
    """RFC 9162 consistency proof between two tree sizes."""
    proof = _batched(
        session, lambda h: consistency_proof_from_subtrees(size1=size1, size2=size2, subtree_hash=h)
    )
    return proof


def root_at(session: Session, size: int) -> bytes:
    """The root hash of the first `size` entries."""
    return _batched(session, lambda h: root_from_subtrees(size=size, subtree_hash=h))


def entry(session: Session, index: int) -> LogRecord:
    record = session.get(LogRecord, index)
    if record is None:
        raise NotFound(Text("No log entry {i}.", "日志条目 {i} 不存在。").format(i=index))
    return record
