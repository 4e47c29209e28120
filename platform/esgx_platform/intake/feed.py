"""The native feed: verified disclosures in log order, each with everything to check it offline.

Only entries a signed checkpoint covers are served, and every bundle of a page is built against
one checkpoint; the position is a log index, and the log only grows at the end, so a page that
was full once stays the same set of records however much arrives after it.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from esgx_platform.intake.credentials import stored_subject
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.intake.receipts import bundles_for
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.organizations.models import Organization, org_urn
from esgx_platform.tenancy import Purpose, Readable, readable_subquery


@dataclass(frozen=True)
class FeedRecord:
    """The columns of a stored disclosure the feed serves (the typed figures are in the JWS)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    period_key: str
    content_id: str
    log_index: int
    logged_at: datetime
    restates_id: uuid.UUID | None
    restatement_reason: str | None
    jws: str


@dataclass(frozen=True)
class FeedSupplier:
    id: uuid.UUID
    uscc: str | None
    name_en: str
    name_zh: str

    @property
    def urn(self) -> str:
        return org_urn(self.uscc, self.id)


@dataclass(frozen=True)
class FeedItem:
    record: FeedRecord
    supplier: FeedSupplier
    bundle: dict[str, Any]

    @property
    def subject(self) -> dict[str, Any]:
        """The disclosure as filed (parsed from the JWS when asked: a caller holding the item
        already serialised needs no parse)."""
        return stored_subject(self.record.jws)


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    position: int  # the log index to resume after (the last item's, or where the page began)
    more: bool  # more records are ready now


_RECORD = tuple(getattr(StoredDisclosure, f.name) for f in fields(FeedRecord))
_SUPPLIER = tuple(getattr(Organization, f.name) for f in fields(FeedSupplier))


@functools.cache
def _page_statement(purpose: Purpose | None) -> Select[*tuple[Any, ...]]:
    """A page of records (parameters `after`, `size`, `limit`, and the readable organizations'
    for `purpose`; None: every organization's). Built once: polling followers ask it often.
    Columns, not entities: a stored disclosure has dozens of typed columns the feed never
    reads, and loading them was most of a page's cost."""
    stmt = (
        select(*_RECORD, *_SUPPLIER)
        .join(Organization, Organization.id == StoredDisclosure.organization_id)
        .where(
            StoredDisclosure.log_index > bindparam("after"),
            StoredDisclosure.log_index < bindparam("size"),
        )
        .order_by(StoredDisclosure.log_index)
        .limit(bindparam("limit"))
    )
    if purpose is not None:
        stmt = stmt.where(StoredDisclosure.organization_id.in_(readable_subquery(purpose)))
    return stmt


def feed_page(
    session: Session,
    readable: Readable | None,
    *,
    after: int,
    limit: int,
    checkpoint: LogCheckpoint | None,
) -> FeedPage:
    """Up to `limit` disclosures after log index `after` that `checkpoint` covers (none
    without one), of the organizations `readable` names (None: every organization)."""
    if checkpoint is None:
        return FeedPage([], after, False)
    values = {"after": after, "size": checkpoint.size, "limit": limit + 1}
    statement = _page_statement(None if readable is None else readable.purpose)
    if readable is not None:
        values |= readable.params()
    rows = session.connection().execute(statement, values).all()
    more, rows = len(rows) > limit, rows[:limit]
    split = len(_RECORD)
    records = [(FeedRecord(*row[:split]), FeedSupplier(*row[split:])) for row in rows]
    bundles = bundles_for(session, [record for record, _ in records], checkpoint)
    items = [
        FeedItem(record=record, supplier=supplier, bundle=bundles[record.log_index])
        for record, supplier in records
    ]
    return FeedPage(items, records[-1][0].log_index if records else after, more)
