"""The submission pipeline: strict parse → canonical check → key → signature → schema → rules →
store → log append → receipt, in the caller's one transaction.

Submissions are serialized on the log's state row, so the duplicate check, the period's head,
offset serials and the log index are all decided under one lock: concurrent identical
submissions store one record, and racing restatements cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.disclosures.model import Disclosure
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.intake.context import IntakeOutcome, recheck_serials, rule_outcome
from esgx_platform.intake.credentials import (
    NOT_YOURS,
    Submitter,
    peek,
    verified_credential,
)
from esgx_platform.intake.errors import problem_for
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure, StoredFootprint
from esgx_platform.intake.receipts import LogSigner, receipt_for
from esgx_platform.intake.store import Provenance, add_children, disclosure_row, serial_text
from esgx_platform.keys.models import SigningKey
from esgx_platform.keys.services import histories_of, history_of
from esgx_platform.ledger.checkpoints import seal
from esgx_platform.ledger.log import append, lock_state, proofs_in_transaction
from esgx_platform.organizations.models import Organization
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from esgx_platform.problems import (
    DuplicatePeriod,
    RestatementInvalid,
    RuleViolation,
    SchemaInvalid,
    WrongIssuer,
)
from esgx_platform.webhooks.events import (
    announce_disclosure,
    disclosure_event_type,
    entitled_endpoints,
)
from esgx_platform.webhooks.models import WebhookEndpoint
from signing import (
    KeyHistory,
    SigningError,
    VerifiedCredential,
    build_receipt,
    disclosure_log_entry,
)


@dataclass(frozen=True)
class Accepted:
    disclosure: StoredDisclosure
    receipt: str | None  # None when the caller receipts a whole batch at once
    duplicate: bool


@dataclass(frozen=True)
class Prepared:
    """A submission checked as far as it can be without the log lock: signature verified,
    subject parsed and the rules run (or found to resubmit a stored disclosure)."""

    jws: str
    content_id: str
    existing: StoredDisclosure | None = None
    org: Organization | None = None
    key: SigningKey | None = None
    credential: VerifiedCredential | None = None
    disclosure: Disclosure | None = None
    outcome: IntakeOutcome | None = None
    endpoints: list[WebhookEndpoint] = field(default_factory=list)


def prepare_submission(session: Session, *, jws: str, submitter: Submitter) -> Prepared:
    """Everything that needs no lock: verify, canonical check, parse, rules. Concurrent
    submissions overlap here. Raises an EsgxError subclass."""
    jws = jws.strip()
    kid, content_id = peek(jws)
    existing = _by_content(session, content_id)
    if existing is not None:
        if existing.organization_id not in submitter.organization_ids:
            raise WrongIssuer(NOT_YOURS)
        return Prepared(jws, content_id, existing=existing)
    credential, key, org = verified_credential(
        session, jws=jws, kid=kid, submitter=submitter, kind="EmissionDisclosure"
    )
    try:
        disclosure = parse_disclosure(credential.payload["credentialSubject"])
    except InvalidInput as exc:
        raise SchemaInvalid(exc.detail, errors=exc.errors) from None
    outcome = rule_outcome(session, org, disclosure, utcnow().date())
    _raise_rule_errors(outcome.errors)
    # Looked up before the lock (a restatement's claim decides the event's type; a refused
    # one announces nothing): every delivery checks the supplier's consent again anyway.
    endpoints = entitled_endpoints(
        session, disclosure_event_type(disclosure.restates is not None), supplier_id=org.id
    )
    return Prepared(
        jws,
        content_id,
        org=org,
        key=key,
        credential=credential,
        disclosure=disclosure,
        outcome=outcome,
        endpoints=endpoints,
    )


def _raise_rule_errors(errors: tuple[FieldError, ...]) -> None:
    if errors:
        raise RuleViolation(
            Text("The disclosure breaks {n} rule(s).", "披露数据违反 {n} 条规则。").format(
                n=len(errors)
            ),
            errors=errors,
        )


def commit_submission(
    session: Session,
    prepared: Prepared,
    *,
    submitter: Submitter,
    signer: LogSigner,
    with_receipt: bool = True,
) -> Accepted:
    """Under the log lock: duplicate check, key validity at the log index, restatement rules,
    offset serials again, storage, log append and (unless told not to) the receipt, against a
    checkpoint signed in this transaction (so it commits with the entry).

    Every refusal (an EsgxError) is raised before anything is written, so a batch can go on
    with its next item in the same transaction.
    """
    if prepared.existing is not None:  # committed already: no lock needed to answer
        receipt = (
            receipt_for(session, prepared.existing.log_index, signer) if with_receipt else None
        )
        return Accepted(prepared.existing, receipt, True)
    lock_state(session)
    pending = _pending(session)
    # Writes wait for the transaction's one flush: a batch inserts each table in one go.
    with session.no_autoflush:
        existing = pending.stored_content(session, prepared.content_id)
        if existing is not None:
            receipt = receipt_for(session, existing.log_index, signer) if with_receipt else None
            return Accepted(existing, receipt, True)
        row = _accept(session, prepared, submitter, pending)
    if not with_receipt:
        return Accepted(row, None, False)
    return Accepted(row, sealed_receipts(session, [row.log_index], signer)[row.log_index], False)


def sealed_receipts(session: Session, indices: list[int], signer: LogSigner) -> dict[int, str]:
    """Receipts for entries this transaction appended, against a checkpoint signed in it (so
    it commits with them): built from what the appends kept, nothing read back."""
    checkpoint = seal(session, box=signer.box, origin=signer.origin)
    proofs = proofs_in_transaction(session, indices, checkpoint.size)
    return {
        i: build_receipt(index=i, proof=proof, checkpoint=checkpoint.note, extra=body)
        for i, (proof, body) in proofs.items()
    }


@dataclass
class _Pending:
    """What this transaction's commit phase decided and has not flushed yet, so the next item
    of a batch sees it without a flush: content ids, period heads, periods, key histories and
    offset serials claimed."""

    transaction: object
    contents: dict[str, StoredDisclosure] = field(default_factory=dict)
    rows: dict[uuid.UUID, StoredDisclosure] = field(default_factory=dict)
    heads: dict[tuple[uuid.UUID, uuid.UUID], DisclosureHead] = field(default_factory=dict)
    periods: dict[str, ReportingPeriod] = field(default_factory=dict)
    histories: dict[uuid.UUID, KeyHistory] = field(default_factory=dict)
    serials: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    footprints: dict[uuid.UUID, tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=dict)

    # Asked under the lock and answered by `prefetch` for a whole group: stored content ids
    # (None: not stored), and the (organization, period) pairs whose head is in `heads`.
    stored: dict[str, uuid.UUID | None] = field(default_factory=dict)
    heads_read: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)

    def prefetch(self, session: Session, items: Sequence[Prepared]) -> None:
        """Under the lock, read what a group of submissions will ask, one statement per
        question for the whole group (instead of one per submission): which contents are
        stored, the issuers' keys, the periods and their heads."""
        fresh = [p for p in items if p.existing is None and p.org is not None]
        contents = [p.content_id for p in fresh if p.content_id not in self.stored]
        if contents:
            self.stored.update(dict.fromkeys(contents))
            rows = session.connection().execute(_STORED_CONTENTS, {"content_ids": contents})
            self.stored.update({content_id: row_id for content_id, row_id in rows})
        orgs = {p.org.id: p.org for p in fresh if p.org and p.org.id not in self.histories}
        if orgs:
            self.histories.update(histories_of(session, list(orgs.values())))
        keys = {p.disclosure.period.key for p in fresh if p.disclosure}
        missing = sorted(keys - set(self.periods))
        if missing:
            found = session.scalars(select(ReportingPeriod).where(ReportingPeriod.key.in_(missing)))
            self.periods.update({period.key: period for period in found})
        pairs = {
            (p.org.id, self.periods[p.disclosure.period.key].id)
            for p in fresh
            if p.org and p.disclosure and p.disclosure.period.key in self.periods
        } - self.heads_read
        if pairs:
            found_heads = session.scalars(
                select(DisclosureHead).where(
                    tuple_(DisclosureHead.organization_id, DisclosureHead.period_id).in_(
                        sorted(pairs)
                    )
                )
            )
            for head in found_heads:
                self.heads.setdefault((head.organization_id, head.period_id), head)
            self.heads_read |= pairs

    def stored_content(self, session: Session, content_id: str) -> StoredDisclosure | None:
        if content_id in self.contents:
            return self.contents[content_id]
        if content_id in self.stored:
            found = self.stored[content_id]
            return None if found is None else session.get(StoredDisclosure, found)
        return _by_content(session, content_id)

    def head(
        self, session: Session, org_id: uuid.UUID, period_id: uuid.UUID
    ) -> DisclosureHead | None:
        if (org_id, period_id) in self.heads or (org_id, period_id) in self.heads_read:
            return self.heads.get((org_id, period_id))
        return session.scalar(
            select(DisclosureHead).where(
                DisclosureHead.organization_id == org_id, DisclosureHead.period_id == period_id
            )
        )

    def history(self, session: Session, org: Organization) -> KeyHistory:
        if org.id not in self.histories:
            self.histories[org.id] = history_of(session, org)
        return self.histories[org.id]

    def existing_period(self, session: Session, quarter: Quarter) -> ReportingPeriod | None:
        """The period if it exists (or was created earlier in this transaction); creating it
        waits until the item is accepted, so a refused item leaves no period behind."""
        if quarter.key not in self.periods:
            found = session.scalar(
                select(ReportingPeriod).where(ReportingPeriod.key == quarter.key)
            )
            if found is None:
                return None
            self.periods[quarter.key] = found
        return self.periods[quarter.key]

    def create_period(self, session: Session, quarter: Quarter) -> ReportingPeriod:
        self.periods[quarter.key] = ensure_period(session, quarter)
        return self.periods[quarter.key]

    def footprint_owner(
        self, session: Session, footprint_id: uuid.UUID
    ) -> tuple[uuid.UUID, dict[str, Any]] | None:
        """Who filed a footprint id and what they filed, in this transaction or before."""
        if footprint_id in self.footprints:
            return self.footprints[footprint_id]
        row = session.get(StoredFootprint, footprint_id)
        return (row.organization_id, row.body) if row is not None else None

    def serials_of_others(self, org_id: uuid.UUID, period_id: uuid.UUID | None) -> frozenset[str]:
        return frozenset(text for o, p, text in self.serials if (o, p) != (org_id, period_id))


def prefetch_group(session: Session, items: Sequence[Prepared]) -> None:
    """Take the log's lock and read what the group's submissions will ask under it, in one
    statement per question (see `_Pending.prefetch`)."""
    lock_state(session)
    _pending(session).prefetch(session, items)


def _pending(session: Session) -> _Pending:
    transaction = session.get_transaction()
    pending = session.info.get("esgx_pending")
    if not isinstance(pending, _Pending) or pending.transaction is not transaction:
        pending = _Pending(transaction)
        session.info["esgx_pending"] = pending
    return pending


def submit_disclosure(
    session: Session,
    *,
    jws: str,
    submitter: Submitter,
    signer: LogSigner,
    with_receipt: bool = True,
) -> Accepted:
    """Verify, validate, store, log and (unless told not to) receipt one disclosure JWS.

    Raises an EsgxError subclass naming the failing step; the caller then rolls back, which
    leaves nothing stored. An identical resubmission returns the original (duplicate=True).
    """
    prepared = prepare_submission(session, jws=jws, submitter=submitter)
    return commit_submission(
        session, prepared, submitter=submitter, signer=signer, with_receipt=with_receipt
    )


# Asked of every submission, before the lock and (for a group at once) under it: ids only,
# the row is loaded only for a resubmission.
_STORED_CONTENTS = select(StoredDisclosure.content_id, StoredDisclosure.id).where(
    StoredDisclosure.content_id.in_(bindparam("content_ids", expanding=True))
)


def _by_content(session: Session, content_id: str) -> StoredDisclosure | None:
    rows = session.connection().execute(_STORED_CONTENTS, {"content_ids": [content_id]})
    found = next((row_id for _, row_id in rows), None)
    return None if found is None else session.get(StoredDisclosure, found)


def _accept(
    session: Session, prepared: Prepared, submitter: Submitter, pending: _Pending
) -> StoredDisclosure:
    org, key, credential = prepared.org, prepared.key, prepared.credential
    disclosure, outcome = prepared.disclosure, prepared.outcome
    assert org and key and credential and disclosure and outcome
    state = lock_state(session)
    logged_at = utcnow()
    try:
        pending.history(session, org).check_valid(
            kid=key.kid, index=state.size, logged_at=logged_at
        )
    except SigningError as exc:
        raise problem_for(exc) from None
    period = pending.existing_period(session, disclosure.period)
    restated = _restated(session, org, period.id if period else None, disclosure, pending)
    _raise_rule_errors(
        recheck_serials(
            session,
            org,
            disclosure,
            outcome,
            also_used=pending.serials_of_others(org.id, period.id if period else None),
        )
    )
    subject = credential.payload["credentialSubject"]
    new_footprints = _footprints_to_store(session, org, disclosure, subject, pending)
    # Every refusal is behind us: from here on, only writes.
    period = period or pending.create_period(session, disclosure.period)
    origin = Provenance(
        org.id,
        period,
        key.id,
        state.size,
        logged_at,
        submitter.user_id,
        submitter.via,
        restated.disclosure_id if restated else None,
    )
    row = disclosure_row(disclosure, credential, origin, [_warning(w) for w in outcome.warnings])
    session.add(row)
    pending.contents[row.content_id], pending.rows[row.id] = row, row
    pending.serials += [(org.id, period.id, serial_text(r)) for r in outcome.new_serials]
    add_children(
        session,
        disclosure,
        row,
        outcome.customers,
        new_serials=outcome.new_serials,
        new_footprints=new_footprints,
    )
    pending.footprints.update({fid: (org.id, body) for fid, body in new_footprints.items()})
    pending.heads[(org.id, period.id)] = _move_head(session, restated, row)
    record_event(
        session,
        action="disclosure.accepted",
        actor_user_id=submitter.user_id,
        organization_id=org.id,
        target_type="disclosure",
        target_id=row.id,
        details={
            "content_id": row.content_id,
            "period": row.period_key,
            "log_index": row.log_index,
            "via": submitter.via,
            "restates": str(row.restates_id) if row.restates_id else None,
        },
    )
    # The webhook outbox, in this transaction: a refused submission announces nothing.
    announce_disclosure(
        session,
        row,
        org,
        version=pending.heads[(org.id, period.id)].version,
        endpoints=prepared.endpoints,
    )
    record = append(
        session,
        kind="disclosure",
        body=disclosure_log_entry(credential=credential, logged_at=logged_at),
        logged_at=logged_at,
    )
    assert record.index == row.log_index  # the lock held since the index was read
    return row


def _warning(error: FieldError) -> dict[str, Any]:
    return {"path": error.path, "en": error.message.en, "zh": error.message.zh}


def _restated(
    session: Session,
    org: Organization,
    period_id: uuid.UUID | None,
    d: Disclosure,
    pending: _Pending,
) -> DisclosureHead | None:
    """The head this disclosure replaces, checking restatement rules; None for a first filing."""
    head = None if period_id is None else pending.head(session, org.id, period_id)
    if head is None:
        if d.restates is not None:
            raise RestatementInvalid(
                Text(
                    "Nothing to restate: no disclosure exists for {p}.",
                    "无可重述的内容：{p} 尚无披露。",
                ).format(p=d.period.key)
            )
        return None
    current = pending.rows.get(head.disclosure_id) or session.get(
        StoredDisclosure, head.disclosure_id
    )
    assert current is not None
    if d.restates is None:
        raise DuplicatePeriod(
            Text(
                "A disclosure for {p} exists (content id {c}). To replace it, file a restatement "
                "with restates set to that content id and a restatementReason.",
                "{p} 已有披露（内容 ID {c}）。如需替换，请提交重述：将 restates 设为该内容 ID，"
                "并填写 restatementReason。",
            ).format(p=d.period.key, c=current.content_id),
            extra={"current_content_id": current.content_id},
        )
    if d.restates != current.content_id:
        raise RestatementInvalid(
            Text(
                "restates must name the current disclosure for {p}, content id {c}.",
                "restates 必须指向 {p} 的当前披露，内容 ID 为 {c}。",
            ).format(p=d.period.key, c=current.content_id),
            errors=(
                FieldError(
                    "$.credentialSubject.restates",
                    Text("Not the current disclosure of this period.", "不是该期间的当前披露。"),
                ),
            ),
            extra={"current_content_id": current.content_id},
        )
    return head


def _footprints_to_store(
    session: Session,
    org: Organization,
    d: Disclosure,
    subject: dict[str, Any],
    pending: _Pending,
) -> dict[uuid.UUID, dict[str, Any]]:
    """The disclosure's footprints not on file yet, by id, as filed. One already on file is
    reused only when this supplier filed exactly the same footprint (a restatement repeating
    it); PACT footprints never change, and another supplier's id is never taken over."""
    bodies = {uuid.UUID(str(pf["id"])): pf for pf in subject.get("productFootprints", [])}
    new: dict[uuid.UUID, dict[str, Any]] = {}
    for position, pf in enumerate(d.product_footprints):
        owner = pending.footprint_owner(session, pf.id)
        if owner is None:
            new[pf.id] = bodies[pf.id]
        elif owner != (org.id, bodies[pf.id]):
            raise RuleViolation(
                Text("A footprint id is taken.", "碳足迹 ID 已被占用。"),
                errors=(
                    FieldError(
                        f"$.credentialSubject.productFootprints[{position}].id",
                        Text(
                            "This footprint id is on file with other content: a changed footprint "
                            "needs a new id (and this one in precedingPfIds).",
                            "该碳足迹 ID 已以其他内容登记：更改后的碳足迹须使用新 ID"
                            "（并在 precedingPfIds 中列出此 ID）。",
                        ),
                    ),
                ),
            )
    return new


def _move_head(
    session: Session, head: DisclosureHead | None, row: StoredDisclosure
) -> DisclosureHead:
    if head is None:
        head = DisclosureHead(
            organization_id=row.organization_id,
            period_id=row.period_id,
            disclosure_id=row.id,
            version=1,
            updated_at=row.logged_at,
        )
        session.add(head)
    else:
        head.disclosure_id, head.version, head.updated_at = row.id, head.version + 1, row.logged_at
    return head
