"""Appending to the log and answering proofs with O(log n) row reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
_APPENDED = "esgx_log_appended"
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


@dataclass
class _Appends:
    """What the session's current transaction appended: the subtree hashes it finished (and
    the right edge it started from) and the entries' bytes, so proofs of its own entries in
    the tree it leaves need no reads."""

    transaction: object
    nodes: dict[tuple[int, int], bytes] = field(default_factory=dict)
    bodies: dict[int, bytes] = field(default_factory=dict)


def _appends(session: Session) -> _Appends | None:
    found = session.info.get(_APPENDED)
    return (
        found
        if isinstance(found, _Appends) and found.transaction is session.get_transaction()
        else None
    )


def append(session: Session, *, kind: str, body: bytes, logged_at: datetime) -> LogRecord:
    """Append one entry; O(log n) rows written. The caller owns (and commits) the transaction."""
    state = lock_state(session)
    edge = [(lvl, bytes.fromhex(h)) for lvl, h in state.frontier]
    tree = CompactTree.from_frontier(edge)
    leaf = leaf_hash(body)
    finished = tree.append(leaf)
    record = LogRecord(index=state.size, kind=kind, body=body, leaf_hash=leaf, logged_at=logged_at)
    session.add(record)
    session.add_all(LogSubtree(level=lvl, index=idx, hash=value) for lvl, idx, value in finished)
    mine = _appends(session)
    if mine is None:
        mine = _Appends(session.get_transaction())
        session.info[_APPENDED] = mine
        start = 0
        for level, value in edge:  # the complete subtrees left of everything appended here
            mine.nodes[(level, start >> level)] = value
            start += 1 << level
    mine.nodes.update(((lvl, idx), value) for lvl, idx, value in finished)
    mine.bodies[record.index] = body
    state.size = tree.size
    state.root = tree.root()
    state.frontier = [[lvl, value.hex()] for lvl, value in tree.frontier()]
    state.updated_at = utcnow()
    return record


def appended_in_transaction(session: Session) -> bool:
    """Whether the session's current transaction has appended (so holds the lock, and the
    tree's size is one nobody outside it has seen)."""
    return _appends(session) is not None


def proofs_in_transaction(
    session: Session, indices: Sequence[int], size: int
) -> dict[int, tuple[list[bytes], bytes]]:
    """Inclusion proofs in the tree of `size` entries, with the entries' bytes, of those of
    `indices` this transaction appended (the others are left out: read them with
    `inclusion_proofs`). `size` must be the tree this transaction leaves.

    No reads: every subtree such a proof names was finished by an append here or is on the
    right edge the first append started from. (A left sibling wholly older than the first
    new entry is a maximal complete subtree of the old tree, as its parent reaches the new
    entries; those are exactly the old right edge.)
    """
    mine = _appends(session)
    if mine is None:
        return {}

    def lookup(level: int, index: int) -> bytes:
        return mine.nodes[(level, index)]

    return {
        i: (inclusion_proof_from_subtrees(index=i, size=size, subtree_hash=lookup), mine.bodies[i])
        for i in indices
        if i in mine.bodies
    }


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
