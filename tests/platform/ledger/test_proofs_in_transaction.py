"""Proofs of a transaction's own appends without reads, and `seal`'s checkpoint committed with
them: both agree with what the database answers once the appends are flushed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from esgx_platform.db import Database, utcnow
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import ensure_log_key, publish_checkpoint, seal
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.secretbox import SecretBox
from signing import leaf_hash, root_hash, verify_checkpoint, verify_inclusion

BOX = SecretBox(["A" * 43 + "="])
ORIGIN = "esgx.test/log"


def _body(n: int) -> bytes:
    return f'{{"n":{n}}}'.encode()


def _append(session: Session, first: int, count: int) -> None:
    for n in range(first, first + count):
        log.append(session, kind="disclosure", body=_body(n), logged_at=utcnow())


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement the session's connection runs inside the block."""
    seen: list[str] = []
    connection = session.connection()

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", note)


def _checkpoints_of_size(session: Session, size: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(LogCheckpoint).where(LogCheckpoint.size == size)
        )
        or 0
    )


# Starting sizes cover an empty log, powers of two (an edge of one subtree) and sizes whose
# edge has several subtrees; counts cover one entry, crossing a power of two, and many.
@pytest.mark.parametrize("start", [0, 1, 2, 3, 5, 7, 8, 13])
@pytest.mark.parametrize("count", [1, 2, 3, 8])
def test_proofs_of_own_appends_match_the_database(session: Session, start: int, count: int) -> None:
    if start:  # earlier entries commit in transactions of their own (uneven, on purpose)
        _append(session, 0, start // 2)
        session.commit()
        _append(session, start // 2, start - start // 2)
        session.commit()
    assert not log.appended_in_transaction(session)
    _append(session, start, count)
    assert log.appended_in_transaction(session)
    state = log.current_state(session)
    size = start + count
    assert state.size == size
    with _statements(session) as statements:
        mine = log.proofs_in_transaction(session, list(range(size)), size)
    assert statements == []  # answered from what the appends kept
    assert set(mine) == set(range(start, size))  # earlier transactions' entries left out
    session.flush()
    with _statements(session) as statements:
        stored = log.inclusion_proofs(session, indices=list(range(start, size)), size=size)
    # The listener does see reads (so the empty list above means none), unless the tree is
    # a single entry, whose proof is empty.
    assert statements or size == 1
    assert state.root == root_hash([leaf_hash(_body(n)) for n in range(size)])
    for index, (proof, body) in mine.items():
        assert body == _body(index)
        assert proof == stored[index]
        verify_inclusion(leaf_hash(body), index, size, proof, state.root)


def test_a_new_transaction_starts_with_nothing_of_its_own(session: Session) -> None:
    _append(session, 0, 3)
    session.commit()
    assert not log.appended_in_transaction(session)
    assert log.proofs_in_transaction(session, [0, 1, 2], 3) == {}
    _append(session, 3, 1)
    assert set(log.proofs_in_transaction(session, [0, 1, 2, 3], 4)) == {3}
    session.rollback()  # a rolled-back append is forgotten too
    assert log.proofs_in_transaction(session, [3], 4) == {}


def test_seal_signs_the_tree_the_transaction_leaves(session: Session, test_db: Database) -> None:
    _append(session, 0, 4)
    session.commit()
    _append(session, 4, 3)
    checkpoint = seal(session, box=BOX, origin=ORIGIN)
    state = log.current_state(session)
    assert state.size == 7
    assert (checkpoint.size, checkpoint.root) == (state.size, state.root)
    key = ensure_log_key(session, box=BOX, origin=ORIGIN)
    verified = verify_checkpoint(checkpoint.note, log_key=key.verifier_key)
    assert (verified.checkpoint.size, verified.checkpoint.root_hash) == (7, state.root)
    # The proofs a receipt is built from verify against the sealed root.
    for index, (proof, body) in log.proofs_in_transaction(session, [4, 5, 6], 7).items():
        verify_inclusion(leaf_hash(body), index, 7, proof, verified.checkpoint.root_hash)
    session.commit()
    with test_db.sessions() as other:  # stored by the commit, seen from another session
        stored = other.scalars(select(LogCheckpoint).where(LogCheckpoint.size == 7)).one()
        assert stored.note == checkpoint.note
        assert stored.root == state.root
    # The next publisher finds it: no second signature of the same size.
    assert publish_checkpoint(session, box=BOX, origin=ORIGIN).id == checkpoint.id
    assert _checkpoints_of_size(session, 7) == 1


def test_seal_rolled_back_with_its_appends_leaves_nothing(session: Session) -> None:
    _append(session, 0, 2)
    session.commit()
    _append(session, 2, 2)
    seal(session, box=BOX, origin=ORIGIN)
    session.rollback()
    assert log.current_state(session).size == 2
    assert _checkpoints_of_size(session, 4) == 0


@pytest.mark.parametrize("published_first", [True, False])
def test_seal_without_appends_is_publish_checkpoint(
    session: Session, published_first: bool
) -> None:
    _append(session, 0, 5)
    session.commit()
    if published_first:
        published = publish_checkpoint(session, box=BOX, origin=ORIGIN)
        session.commit()
        sealed = seal(session, box=BOX, origin=ORIGIN)
        session.commit()
    else:
        sealed = seal(session, box=BOX, origin=ORIGIN)
        session.commit()
        published = publish_checkpoint(session, box=BOX, origin=ORIGIN)
        session.commit()
    assert sealed.id == published.id
    assert (sealed.size, sealed.root) == (5, log.current_state(session).root)
    assert _checkpoints_of_size(session, 5) == 1
    key = ensure_log_key(session, box=BOX, origin=ORIGIN)
    assert verify_checkpoint(sealed.note, log_key=key.verifier_key).checkpoint.size == 5
