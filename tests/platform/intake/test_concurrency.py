"""Racing submissions on real, committing connections: duplicates store one record, racing
restatements cannot both win, and the log has no gaps and verifies throughout."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from esgx_platform.accounts.models import Role  # noqa: F401 - registers mappers for flushes
from esgx_platform.db import Database, begin_write
from esgx_platform.errors import EsgxError
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.ledger import log
from esgx_platform.ledger.models import LogRecord
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from esgx_platform.secretbox import SecretBox
from signing import (
    PrivateKey,
    build_credential,
    generate_key,
    leaf_hash,
    public_jwk,
    sign,
    sign_key_event,
    verify_inclusion,
)
from tests.platform.intake.helpers import (
    FACTORY_USCC,
    SUPPLIER_USCC,
    example_subject,
    register_key_directly,
)

SIGNER = LogSigner(SecretBox(["A" * 43 + "="]), "race.test/log")


def _setup(db: Database) -> tuple[Organization, PrivateKey]:
    key = generate_key("Ed25519")
    with db.transaction() as s:
        supplier = create_organization(
            s, {"kind": "supplier", "name_zh": "供应商", "name_en": "S", "uscc": SUPPLIER_USCC}
        )
        factory = create_organization(
            s, {"kind": "lead_factory", "name_zh": "工厂", "name_en": "F", "uscc": FACTORY_USCC}
        )
        rel = create_relationship(
            s,
            lead_factory=factory,
            supplier=supplier,
            scope3_category=1,
            started_on=date(2024, 1, 1),
        )
        give_consent(s, rel, actor_user_id=None)
        register_key_directly(s, supplier, key)
        return supplier, key


def _submit(db: Database, jws: str, submitter: Submitter) -> str:
    with db.sessions() as s:
        begin_write(s)
        try:
            accepted = submit_disclosure(s, jws=jws, submitter=submitter, signer=SIGNER)
            s.commit()
        except EsgxError as exc:
            s.rollback()
            return exc.type_slug
        return "duplicate" if accepted.duplicate else "accepted"


def test_racing_duplicates_and_restatements(isolated_database: Database) -> None:
    db = isolated_database
    supplier, key = _setup(db)
    urn = supplier.urn
    submitter = Submitter({supplier.id}, None, "race")

    def jws_for(subject: dict[str, object]) -> str:
        return sign(credential=build_credential(subject=subject, issuer=urn), private_key=key)

    base = example_subject()
    base_jws = jws_for(base)
    assert _submit(db, base_jws, submitter) == "accepted"
    with db.sessions() as s:
        base_id = s.scalars(select(StoredDisclosure.content_id)).one()
    restatements = []
    for n in range(2):
        changed = example_subject()
        changed.update(restates=base_id, restatementReason=f"correction {n}", allocations=[])
        changed["initiatives"] = [{"description": f"variant {n}", "status": "planned"}]
        restatements.append(jws_for(changed))
    other_quarters = []
    for quarter in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"):
        subject = example_subject()
        subject.update(period=quarter, offsets=[])
        other_quarters.append(jws_for(subject))
    duplicate_q1 = other_quarters[0]
    work = [base_jws] * 6 + restatements + other_quarters + [duplicate_q1] * 6
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(work))

    def run(jws: str) -> None:
        start.wait()
        result = _submit(db, jws, submitter)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(jws,)) for jws in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    counts = Counter(outcomes)
    # Accepted: 4 new quarters + the winning restatement = 5. Duplicates: 6 copies of the base
    # disclosure + 6 extra copies of 2024-Q1 = 12. The losing restatement is refused.
    assert counts == Counter({"accepted": 5, "duplicate": 12, "restatement-invalid": 1})
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StoredDisclosure)) == 6
        assert s.scalar(select(func.count()).select_from(DisclosureHead)) == 5
        indices = list(s.scalars(select(LogRecord.index).order_by(LogRecord.index)))
        assert indices == list(range(len(indices)))  # no gaps
        state = log.current_state(s)
        for record in s.scalars(select(LogRecord)):
            proof = log.inclusion_proof(s, index=record.index, size=state.size)
            verify_inclusion(leaf_hash(record.body), record.index, state.size, proof, state.root)


def test_commit_sees_what_changed_after_prepare(isolated_database: Database) -> None:
    """A key revoked, or the period filed, between the unlocked checks and the locked commit:
    the commit judges by the current state, not by what it read before the lock."""
    from esgx_platform.db import utcnow
    from esgx_platform.keys.services import change_key
    from esgx_platform.problems import DuplicatePeriod, KeyRevoked
    from signing import build_revocation

    db = isolated_database
    supplier, key = _setup(db)
    submitter = Submitter({supplier.id}, None, "race")
    urn = supplier.urn

    def jws_for(subject: dict[str, object]) -> str:
        return sign(credential=build_credential(subject=subject, issuer=urn), private_key=key)

    from esgx_platform.intake.pipeline import commit_submission, prepare_submission

    q3, other_q3 = example_subject(), example_subject()
    other_q3["initiatives"] = []
    with db.sessions() as first, db.sessions() as second:
        late = prepare_submission(first, jws=jws_for(q3), submitter=submitter)
        first.commit()
        begin_write(second)
        submit_disclosure(second, jws=jws_for(other_q3), submitter=submitter, signer=SIGNER)
        second.commit()
        begin_write(first)
        try:
            commit_submission(first, late, submitter=submitter, signer=SIGNER)
            raise AssertionError("a second filing for the period was accepted")
        except DuplicatePeriod:
            first.rollback()
    q2 = example_subject()
    q2.update(period="2025-Q2", offsets=[])
    with db.sessions() as first, db.sessions() as second:
        pending = prepare_submission(first, jws=jws_for(q2), submitter=submitter)
        first.commit()
        begin_write(second)
        org = second.get(Organization, supplier.id)
        assert org is not None
        revocation = build_revocation(
            organization=urn,
            kid=public_jwk(key)["kid"],
            reason="keyCompromise",
            effective_at=utcnow(),
        )
        change_key(
            second,
            organization=org,
            expected="revoked",
            actor_user_id=None,
            event=sign_key_event(revocation, private_keys=[key]),
        )
        second.commit()
        begin_write(first)
        try:
            commit_submission(first, pending, submitter=submitter, signer=SIGNER)
            raise AssertionError("a disclosure signed by a revoked key was accepted")
        except KeyRevoked:
            first.rollback()
