"""The lead factory's own operations, read back from its own signed disclosures."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from esgx_platform.disclosures.model import Disclosure
from esgx_platform.disclosures.schemas import parse_disclosure
from esgx_platform.disclosures.serials import SerialRange, overlapping
from esgx_platform.intake.models import DisclosureHead, OffsetSerialRange, StoredDisclosure
from esgx_platform.periods.models import ReportingPeriod

ZERO = Decimal(0)


@dataclass(frozen=True)
class OwnQuarter:
    quarter: str
    period_id: uuid.UUID
    content_id: str
    disclosure: Disclosure

    @property
    def scope12_market(self) -> Decimal:
        return self.disclosure.scope1.tco2e + self.disclosure.scope2.market_based_tco2e


def subject_of(jws: str) -> dict[str, object]:
    """The credential subject of a stored (already verified) compact JWS."""
    payload = jws.split(".")[1]
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    subject: dict[str, object] = document["credentialSubject"]
    return subject


def own_quarters(
    session: Session, organization_id: uuid.UUID, periods: Sequence[ReportingPeriod]
) -> list[OwnQuarter]:
    """The factory's current own-operations disclosure of each period that has one."""
    keys = {p.id: p.key for p in periods}
    rows = session.execute(
        select(DisclosureHead.period_id, StoredDisclosure.content_id, StoredDisclosure.jws)
        .join(StoredDisclosure, StoredDisclosure.id == DisclosureHead.disclosure_id)
        .where(
            DisclosureHead.organization_id == organization_id,
            DisclosureHead.period_id.in_(list(keys)),
        )
    ).all()
    found = [
        OwnQuarter(keys[period_id], period_id, content_id, parse_disclosure(subject_of(jws)))
        for period_id, content_id, jws in rows
    ]
    return sorted(found, key=lambda q: q.quarter)


def serials_used_elsewhere(
    session: Session, organization_id: uuid.UUID, quarter: OwnQuarter
) -> set[str]:
    """Serials of this quarter's offsets that any other organization or period also claims.

    Intake refuses such overlaps, so this normally finds nothing; the assessment checks again
    because a qualifying offset must be provably unique on the whole platform. Ranges are
    compared as parsed serial strings, exactly (the numeric columns lose digits on SQLite).
    """
    wanted = {
        text: SerialRange.parse(text) for o in quarter.disclosure.offsets for text in o.serials
    }
    if not wanted:
        return set()
    stored = session.execute(
        select(OffsetSerialRange.serial).where(
            OffsetSerialRange.prefix.in_({r.prefix for r in wanted.values()}),
            or_(
                OffsetSerialRange.organization_id != organization_id,
                OffsetSerialRange.period_id != quarter.period_id,
            ),
        )
    ).scalars()
    others = [SerialRange.parse(serial) for serial in stored]
    hits = overlapping(wanted.values(), others)
    return {text for text, found in wanted.items() if found in hits}
