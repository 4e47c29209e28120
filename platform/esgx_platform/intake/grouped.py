"""Group commit: submissions that reach the log lock together share one transaction.

Every accepted submission appends to the log, and appends are serialized on the log's state
row, so the time a submission holds that lock bounds how many a second the platform takes.
Most of that time is fixed (taking the lock, signing a checkpoint, flushing, committing), so
submissions waiting in one process are committed together: the first to arrive leads, waits
for the lock, takes every submission queued by then into its transaction, and hands leadership
to the next waiting thread when it is done. One submission alone is a group of one.

Each submission is still judged on its own: a refusal is decided before anything of it is
written (see `commit_submission`), so a refused submission leaves the rest of its group alone.
If the group's transaction fails for any other reason, its submissions are retried one per
transaction, so an unexpected failure reaches only the submission that caused it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from esgx_platform.db import begin_write
from esgx_platform.errors import EsgxError
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.pipeline import (
    Accepted,
    Prepared,
    commit_submission,
    prefetch_group,
    sealed_receipts,
)
from esgx_platform.intake.receipts import LogSigner, checkpoint_after_commit, receipts_for
from esgx_platform.ledger.log import lock_state

Outcome = Accepted | EsgxError
# Called in the group's transaction for each refused submission, with its position.
OnRefused = Callable[[Session, int, EsgxError], None]


def commit_group(
    session: Session,
    items: Sequence[tuple[Prepared | EsgxError, Submitter]],
    signer: LogSigner,
    on_refused: OnRefused | None = None,
) -> list[Outcome]:
    """Commit prepared submissions in one transaction under one checkpoint, then receipt them.

    `items` may hold refusals from the preparing phase (they are reported as they are). The
    outcomes come back in order: an Accepted with its receipt, or the EsgxError that refused
    it. Any other exception rolls the whole group back and propagates.
    """
    begin_write(session)
    outcomes: list[Outcome] = []
    try:
        prefetch_group(session, [item for item, _ in items if not isinstance(item, EsgxError)])
        for position, (item, submitter) in enumerate(items):
            try:
                if isinstance(item, EsgxError):
                    raise item
                outcomes.append(
                    commit_submission(
                        session, item, submitter=submitter, signer=signer, with_receipt=False
                    )
                )
            except EsgxError as exc:
                outcomes.append(exc)
                if on_refused is not None:
                    on_refused(session, position, exc)
        # What was appended commits with the checkpoint that covers it (see `seal`).
        filed = [
            o.disclosure.log_index for o in outcomes if isinstance(o, Accepted) and not o.duplicate
        ]
        receipts = sealed_receipts(session, filed, signer) if filed else {}
        session.commit()
    except BaseException:
        session.rollback()
        raise
    older = [
        o.disclosure.log_index
        for o in outcomes
        if isinstance(o, Accepted) and o.disclosure.log_index not in receipts
    ]
    if older:  # resubmissions: their entries were logged before this transaction
        checkpoint = checkpoint_after_commit(session, max(older), signer)
        receipts.update(receipts_for(session, older, checkpoint))
    return [
        replace(o, receipt=receipts[o.disclosure.log_index]) if isinstance(o, Accepted) else o
        for o in outcomes
    ]


@dataclass(eq=False)
class _Ticket:
    prepared: Prepared
    submitter: Submitter
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None
    failure: BaseException | None = None


class GroupCommit:
    """One per process: lets concurrent single submissions share a transaction.

    `limit` bounds a group, so no submission waits behind an unbounded queue.
    """

    def __init__(self, signer: LogSigner, *, limit: int = 64) -> None:
        self._signer = signer
        self._limit = limit
        self._mutex = threading.Lock()
        self._queue: list[_Ticket] = []
        self._leading = False

    def submit(
        self, sessions: Callable[[], Session], prepared: Prepared, submitter: Submitter
    ) -> Accepted:
        """Commit one prepared submission (with others waiting, if any) and return it with its
        receipt; raises the EsgxError that refused it, or what failed its transaction.

        `sessions` makes the session a leader commits its group in.
        """
        ticket = _Ticket(prepared, submitter)
        with self._mutex:
            self._queue.append(ticket)
            follow, self._leading = self._leading, True
        if follow:
            ticket.done.wait()  # done: decided, or made leader
        if ticket.outcome is None and ticket.failure is None:
            with sessions() as session:
                self._lead(session)
        if ticket.failure is not None:
            raise ticket.failure
        if isinstance(ticket.outcome, EsgxError):
            raise ticket.outcome
        assert ticket.outcome is not None
        return ticket.outcome

    def waiting(self) -> int:
        """Submissions queued and not yet taken into a group (for tests and diagnostics)."""
        with self._mutex:
            return len(self._queue)

    def _lead(self, session: Session) -> None:
        # Wait for the log's lock before gathering the group: what arrives meanwhile joins it.
        try:
            begin_write(session)
            lock_state(session)
        except Exception:  # the group's own transaction tries again, and reports
            session.rollback()
        with self._mutex:
            group, self._queue = self._queue[: self._limit], self._queue[self._limit :]
        try:
            self._decide(session, group)
        finally:
            with self._mutex:
                successor = self._queue[0] if self._queue else None
                self._leading = successor is not None
            for ticket in group:
                if ticket.outcome is None and ticket.failure is None:  # the leader was stopped
                    ticket.failure = RuntimeError("the submission's group commit was interrupted")
                ticket.done.set()
            if successor is not None:
                successor.done.set()  # no outcome yet: it leads the next group

    def _decide(self, session: Session, group: list[_Ticket]) -> None:
        items = [(t.prepared, t.submitter) for t in group]
        try:
            outcomes = commit_group(session, items, self._signer)
        except Exception:
            if len(group) == 1:
                raise
            # Something other than a refusal failed the group: one transaction each, so it
            # fails only the submission it comes from.
            for ticket in group:
                try:
                    ticket.outcome = commit_group(
                        session, [(ticket.prepared, ticket.submitter)], self._signer
                    )[0]
                except Exception as exc:  # handed to the submission's own thread
                    ticket.failure = exc
                # The next retry's lock (or rollback) would expire what this one returned.
                session.expunge_all()
            return
        for ticket, outcome in zip(group, outcomes, strict=True):
            ticket.outcome = outcome
