"""Group commit on real, committing connections: submissions waiting for the log lock share one
transaction and one checkpoint, yet each is judged alone (a refusal or a failure reaches only
its own submitter), and identical submissions in one group store one record.

Every test holds the log lock from a separate session while the submitting threads arrive, so
they queue behind one leader, and starts them one at a time (waiting until each is queued),
so a group's order is known and the outcomes are deterministic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import DetachedInstanceError

from esgx_platform.accounts.models import Role  # noqa: F401 - registers mappers for flushes
from esgx_platform.audit.models import AuditEvent
from esgx_platform.db import Database, begin_write
from esgx_platform.intake.credentials import Submitter, peek
from esgx_platform.intake.grouped import GroupCommit
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.intake.pipeline import Accepted, Prepared, prepare_submission
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.ledger import log
from esgx_platform.ledger.models import LogCheckpoint, LogKey, LogRecord
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from esgx_platform.organizations.uscc import complete_uscc
from esgx_platform.problems import DuplicatePeriod, RestatementInvalid
from esgx_platform.secretbox import SecretBox
from signing import (
    PrivateKey,
    build_credential,
    generate_key,
    leaf_hash,
    sign,
    verify_receipt,
)
from tests.platform.intake.helpers import (
    FACTORY_USCC,
    SUPPLIER_USCC,
    example_subject,
    register_key_directly,
)

SIGNER = LogSigner(SecretBox(["A" * 43 + "="]), "group.test/log")
TIMEOUT = 60.0  # seconds: generous, only reached when something hangs

Result = Accepted | BaseException


@dataclass(frozen=True)
class Filer:
    org: Organization
    key: PrivateKey
    submitter: Submitter

    def jws(self, period: str, **changes: Any) -> str:
        subject = example_subject()
        # No offsets: the example's serials may be claimed once only, across every filing.
        subject.update(period=period, offsets=[], **changes)
        credential = build_credential(subject=subject, issuer=self.org.urn)
        return sign(credential=credential, private_key=self.key)


def _filers(db: Database, count: int) -> list[Filer]:
    """Suppliers of one lead factory (the example's customer), each with a registered key."""
    filers = []
    with db.transaction() as s:
        factory = create_organization(
            s, {"kind": "lead_factory", "name_zh": "工厂", "name_en": "F", "uscc": FACTORY_USCC}
        )
        for n in range(count):
            uscc = SUPPLIER_USCC if n == 0 else complete_uscc(f"91320500MA{n:06d}")
            supplier = create_organization(
                s,
                {"kind": "supplier", "name_zh": f"供应商{n}", "name_en": f"S{n}", "uscc": uscc},
            )
            rel = create_relationship(
                s,
                lead_factory=factory,
                supplier=supplier,
                scope3_category=1,
                started_on=date(2024, 1, 1),
            )
            give_consent(s, rel, actor_user_id=None)
            key = generate_key("Ed25519")
            register_key_directly(s, supplier, key)
            filers.append(Filer(supplier, key, Submitter({supplier.id}, None, "group")))
    return filers


@contextmanager
def _preparing(db: Database) -> Iterator[Callable[[Filer, str], Prepared]]:
    """Prepare each submission in a session of its own whose read transaction is committed,
    kept open until the group is done (as a request's session is while it waits)."""
    with ExitStack() as stack:

        def prepare(filer: Filer, jws: str) -> Prepared:
            session = stack.enter_context(db.sessions())
            prepared = prepare_submission(session, jws=jws, submitter=filer.submitter)
            session.commit()
            return prepared

        yield prepare


def _wait_until_queued(group: GroupCommit, count: int) -> None:
    """Bounded polling: `count` submissions queued (a leader that got the lock early would
    empty the queue, and this would time out)."""
    deadline = time.monotonic() + TIMEOUT
    while group.waiting() != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{group.waiting()} submissions queued, not {count}")
        time.sleep(0.002)


def _in_one_group(db: Database, items: Sequence[tuple[Prepared, Submitter]]) -> list[Result]:
    """Submit `items` from one thread each, all queued behind the log lock before it is freed;
    each thread's result (its Accepted or what it raised), in the items' order."""
    group = GroupCommit(SIGNER)
    results: list[Result | None] = [None] * len(items)

    def run(position: int) -> None:
        prepared, submitter = items[position]
        try:
            results[position] = group.submit(db.sessions, prepared, submitter)
        except BaseException as exc:  # handed to the test, which asserts on it
            results[position] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(items))]
    with db.sessions() as blocker:
        begin_write(blocker)
        log.lock_state(blocker)
        try:
            for position, thread in enumerate(threads):
                thread.start()
                # The leader keeps its own ticket queued until it has the lock, so every
                # submitter stays counted here: one more each, in the order started.
                _wait_until_queued(group, position + 1)
        finally:
            blocker.rollback()  # frees the lock: the leader takes everything queued
    for thread in threads:
        thread.join(timeout=TIMEOUT)
        assert not thread.is_alive(), "a submitting thread did not finish"
    assert group.waiting() == 0
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def _count(db: Database, model: type[Any]) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _accepted(result: Result) -> Accepted:
    if isinstance(result, BaseException):
        raise AssertionError(f"expected acceptance, got {result!r}") from result
    return result


def _verify_receipts(db: Database, receipts: Sequence[tuple[str | None, str]]) -> set[int]:
    """Each receipt (with the content id it is for) verifies offline with the log's key, for
    the entry the database holds at that disclosure's index; returns the checkpoint sizes
    they were proved against."""
    sizes = set()
    with db.sessions() as s:
        log_keys = list(s.scalars(select(LogKey.verifier_key)))
        assert len(log_keys) == 1
        for receipt, content_id in receipts:
            assert receipt is not None
            stored = s.scalars(
                select(StoredDisclosure).where(StoredDisclosure.content_id == content_id)
            ).one()
            verified = verify_receipt(receipt, log_key=log_keys[0])
            assert verified.receipt.index == stored.log_index
            entry = s.get(LogRecord, stored.log_index)
            assert entry is not None
            assert verified.receipt.extra == entry.body
            assert verified.leaf_hash == leaf_hash(entry.body)
            sizes.add(verified.checkpoint.checkpoint.size)
    return sizes


def _usable(accepted: Accepted) -> tuple[str, int]:
    """What a caller reads of the record handed back (the API answers with it): it must be
    loaded, not expired and detached with the leader's session."""
    try:
        return accepted.disclosure.content_id, accepted.disclosure.log_index
    except DetachedInstanceError as exc:
        raise AssertionError(
            "the Accepted handed back holds an expired StoredDisclosure whose session is closed"
        ) from exc


def _stored_contents(db: Database) -> set[str]:
    with db.sessions() as s:
        return set(s.scalars(select(StoredDisclosure.content_id)))


def _receipts(accepted: Sequence[Accepted]) -> list[tuple[str | None, str]]:
    return [(a.receipt, _usable(a)[0]) for a in accepted]


def test_waiting_submissions_share_one_transaction_and_checkpoint(
    isolated_database: Database,
) -> None:
    db = isolated_database
    filers = _filers(db, 3)
    with _preparing(db) as prepare:
        work = [(f, prepare(f, f.jws(q))) for f in filers for q in ("2025-Q3", "2025-Q2")]
        size_before = _count(db, LogRecord)
        checkpoints_before = _count(db, LogCheckpoint)
        results = _in_one_group(db, [(p, f.submitter) for f, p in work])
    accepted = [_accepted(r) for r in results]
    assert [a.duplicate for a in accepted] == [False] * len(work)
    # One transaction: consecutive log indices in the group's order, one checkpoint for all.
    assert [_usable(a) for a in accepted] == [
        (p.content_id, size_before + i) for i, (_, p) in enumerate(work)
    ]
    assert _count(db, LogCheckpoint) == checkpoints_before + 1
    assert _verify_receipts(db, _receipts(accepted)) == {size_before + len(work)}
    assert _count(db, StoredDisclosure) == len(work)
    assert _count(db, DisclosureHead) == len(work)


def test_a_refusal_in_a_group_is_refused_alone(isolated_database: Database) -> None:
    db = isolated_database
    a, b = _filers(db, 2)
    first_a = a.jws("2025-Q3")
    _, first_a_id = peek(first_a)
    first_b = b.jws("2025-Q3")
    _, first_b_id = peek(first_b)
    reason = {"restatementReason": "correction", "allocations": []}
    with _preparing(db) as prepare:
        plan = [
            (a, prepare(a, first_a), None),
            # A second first filing for a period the group already files: a duplicate period.
            (a, prepare(a, a.jws("2025-Q3", initiatives=[])), DuplicatePeriod),
            (b, prepare(b, first_b), None),
            # A restatement naming another supplier's disclosure, not the period's current one.
            (a, prepare(a, a.jws("2025-Q3", restates=first_b_id, **reason)), RestatementInvalid),
            # A restatement of what this group filed earlier: valid, the period's second version.
            (a, prepare(a, a.jws("2025-Q3", restates=first_a_id, **reason)), None),
            (b, prepare(b, b.jws("2025-Q2")), None),
        ]
        size_before = _count(db, LogRecord)
        results = _in_one_group(db, [(p, f.submitter) for f, p, _ in plan])
    accepted: dict[int, Accepted] = {}
    for position, ((_, prepared, refusal), result) in enumerate(zip(plan, results, strict=True)):
        if refusal is None:
            accepted[position] = _accepted(result)
            assert _usable(accepted[position])[0] == prepared.content_id
        else:
            assert isinstance(result, refusal), result
    assert not any(item.duplicate for item in accepted.values())
    # Nothing of the refused ones: no record, no log entry, no acceptance in the audit trail.
    stored = _stored_contents(db)
    assert stored == {_usable(item)[0] for item in accepted.values()}
    assert _count(db, LogRecord) == size_before + len(accepted)
    assert sorted(_usable(item)[1] for item in accepted.values()) == list(
        range(size_before, size_before + len(accepted))
    )
    with db.sessions() as s:
        audited = s.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "disclosure.accepted")
        )
        assert {details["content_id"] for details in audited} == stored
        head = s.scalars(
            select(DisclosureHead).where(
                DisclosureHead.organization_id == a.org.id,
                DisclosureHead.disclosure_id == accepted[4].disclosure.id,
            )
        ).one()
        assert head.version == 2
    assert len(_verify_receipts(db, _receipts(list(accepted.values())))) == 1


# The broken submission leads its group, follows in the middle, or comes last.
@pytest.mark.parametrize("broken", [0, 1, 3])
def test_a_failure_in_a_group_reaches_only_its_submitter(
    isolated_database: Database, broken: int
) -> None:
    db = isolated_database
    filers = _filers(db, 2)
    with _preparing(db) as prepare:
        work = [(f, prepare(f, f.jws(q))) for f in filers for q in ("2025-Q3", "2025-Q2")]
        # Not a refusal: a submission commit_submission cannot handle (its issuer is missing).
        filer, prepared = work[broken]
        work[broken] = (filer, replace(prepared, org=None))
        size_before = _count(db, LogRecord)
        results = _in_one_group(db, [(p, f.submitter) for f, p in work])
    assert isinstance(results[broken], AssertionError), results[broken]
    others = [i for i in range(len(work)) if i != broken]
    accepted = [_accepted(results[i]) for i in others]
    assert not any(a.duplicate for a in accepted)
    # The others are stored, logged and receipted...
    contents = [work[i][1].content_id for i in others]
    assert _stored_contents(db) == set(contents)
    assert _count(db, LogRecord) == size_before + len(accepted)
    _verify_receipts(db, [(a.receipt, c) for a, c in zip(accepted, contents, strict=True)])
    # ...and each submitter can read the record it was handed.
    assert [_usable(a)[0] for a in accepted] == contents


def test_identical_submissions_in_one_group_store_one_record(
    isolated_database: Database,
) -> None:
    db = isolated_database
    (filer,) = _filers(db, 1)
    earlier, twice = filer.jws("2025-Q2"), filer.jws("2025-Q3")
    with _preparing(db) as prepare:
        (first,) = _in_one_group(db, [(prepare(filer, earlier), filer.submitter)])
        original = _accepted(first)
        size_before = _count(db, LogRecord)
        # Two racing copies of a new disclosure, and a resubmission of one filed before (known
        # as such when prepared, so receipted against a checkpoint after the commit).
        items = [prepare(filer, twice), prepare(filer, twice), prepare(filer, earlier)]
        assert items[2].existing is not None
        results = _in_one_group(db, [(p, filer.submitter) for p in items])
    new, again, old = (_accepted(r) for r in results)
    assert (new.duplicate, again.duplicate, old.duplicate) == (False, True, True)
    assert again.disclosure.id == new.disclosure.id
    assert again.receipt == new.receipt
    assert old.disclosure.id == original.disclosure.id
    assert _count(db, StoredDisclosure) == 2
    assert _count(db, LogRecord) == size_before + 1
    _verify_receipts(db, _receipts([original, new, again, old]))
