"""Stand-alone `ProductFootprint` credentials: one PACT v3 footprint, signed and logged.

A footprint filed this way can then be linked from a disclosure's allocations. PACT footprints
are immutable: a changed footprint is a new id (naming the old one in precedingPfIds), so an id
can be filed once; resubmitting the same credential returns the original.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.disclosures.model import ProductFootprint
from esgx_platform.disclosures.pact import parse_product_footprint
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.intake.credentials import (
    NOT_YOURS,
    Submitter,
    check_key_at,
    peek,
    verified_credential,
)
from esgx_platform.intake.models import FootprintCredential, StoredFootprint
from esgx_platform.intake.store import footprint_row, jws_sha256
from esgx_platform.keys.models import SigningKey
from esgx_platform.ledger.log import append, lock_state
from esgx_platform.organizations.models import Organization
from esgx_platform.pact.index import index_footprints
from esgx_platform.problems import RuleViolation, SchemaInvalid, WrongIssuer
from signing import VerifiedCredential, disclosure_log_entry


@dataclass(frozen=True)
class FiledFootprint:
    credential: FootprintCredential
    duplicate: bool


def submit_footprint(session: Session, *, jws: str, submitter: Submitter) -> FiledFootprint:
    """Verify, validate, store and log one ProductFootprint credential (the caller commits,
    or rolls back on the EsgxError this raises)."""
    jws = jws.strip()
    kid, content_id = peek(jws)
    existing = _by_content(session, content_id)
    if existing is not None:
        if existing.organization_id not in submitter.organization_ids:
            raise WrongIssuer(NOT_YOURS)
        return FiledFootprint(existing, True)
    credential, key, org = verified_credential(
        session, jws=jws, kid=kid, submitter=submitter, kind="ProductFootprint"
    )
    subject = credential.payload["credentialSubject"]
    try:
        footprint = parse_product_footprint(subject)
    except InvalidInput as exc:
        raise SchemaInvalid(exc.detail, errors=exc.errors) from None
    _check(footprint, org)
    lock_state(session)
    existing = _by_content(session, content_id)  # someone may have filed it meanwhile
    if existing is not None:
        return FiledFootprint(existing, True)
    return FiledFootprint(
        _store(session, credential, key, org, footprint, subject, submitter), False
    )


def _by_content(session: Session, content_id: str) -> FootprintCredential | None:
    return session.scalar(
        select(FootprintCredential).where(FootprintCredential.content_id == content_id)
    )


def _check(footprint: ProductFootprint, org: Organization) -> None:
    if org.urn not in footprint.company_ids:
        raise RuleViolation(
            Text(
                "A supplier files footprints of its own products.",
                "供应商只能提交自己产品的碳足迹。",
            ),
            errors=(
                FieldError(
                    "$.credentialSubject.companyIds",
                    Text(
                        "companyIds must include the issuer {urn}.",
                        "companyIds 必须包含签发方 {urn}。",
                    ).format(urn=org.urn),
                ),
            ),
        )


def _store(
    session: Session,
    credential: VerifiedCredential,
    key: SigningKey,
    org: Organization,
    footprint: ProductFootprint,
    subject: dict[str, Any],
    submitter: Submitter,
) -> FootprintCredential:
    state = lock_state(session)
    logged_at = utcnow()
    check_key_at(session, org, key, index=state.size, logged_at=logged_at)
    if session.get(StoredFootprint, footprint.id) is not None:
        raise RuleViolation(
            Text("This footprint id was filed before.", "该碳足迹 ID 已提交过。"),
            errors=(
                FieldError(
                    "$.credentialSubject.id",
                    Text(
                        "PACT footprints never change: file a changed footprint under "
                        "a new id and list this one in precedingPfIds.",
                        "PACT 碳足迹不可修改：更改后的碳足迹请使用新 ID，"
                        "并在 precedingPfIds 中列出此 ID。",
                    ),
                ),
            ),
        )
    row = FootprintCredential(
        id=uuid.uuid4(),
        organization_id=org.id,
        content_id=credential.content_id,
        jws=credential.jws,
        jws_sha256=jws_sha256(credential.jws),
        issuer=credential.issuer,
        kid=credential.kid,
        signing_key_id=key.id,
        log_index=state.size,
        logged_at=logged_at,
        footprint_id=footprint.id,
        submitted_by=submitter.user_id,
        submitted_via=submitter.via,
    )
    session.add(row)
    session.flush()
    stored = footprint_row(footprint, subject, org.id, credential_id=row.id)
    session.add(stored)
    index_footprints(session, [stored], log_index=row.log_index)
    record_event(
        session,
        action="footprint.accepted",
        actor_user_id=submitter.user_id,
        organization_id=org.id,
        target_type="footprint",
        target_id=footprint.id,
        details={"content_id": row.content_id, "log_index": row.log_index, "via": submitter.via},
    )
    record = append(
        session,
        kind="disclosure",
        body=disclosure_log_entry(credential=credential, logged_at=logged_at),
        logged_at=logged_at,
    )
    assert record.index == row.log_index
    return row
