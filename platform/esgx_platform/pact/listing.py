"""Which footprints a PACT client sees, filtered and paged (docs/pact-v3.md: ListFootprints).

A page is fixed by its cursor: the highest log index the listing saw when its first page was
asked for (`bound`) and the last footprint of the page before. Footprints filed later, and
deprecations by them, stay out of every page of that listing, so a `next` link returns the same
page each time, for as long as anyone keeps it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from esgx_platform.intake.models import StoredFootprint
from esgx_platform.pact.models import FootprintDeprecation, FootprintKey, FootprintListing

ACTIVE, DEPRECATED = "Active", "Deprecated"


@dataclass(frozen=True)
class Filters:
    """Values of one field are OR-ed, fields AND-ed; identifiers lower-cased by the caller."""

    product_ids: tuple[str, ...] = ()
    company_ids: tuple[str, ...] = ()
    geographies: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()
    valid_on: tuple[datetime, ...] = ()
    valid_after: tuple[datetime, ...] = ()
    valid_before: tuple[datetime, ...] = ()
    statuses: tuple[str, ...] = ()  # Active | Deprecated


@dataclass(frozen=True)
class Cursor:
    # The highest log index this listing sees; None on a first page, which sees what the
    # database holds as its query runs and learns the bound from that same query.
    bound: int | None = None
    after: tuple[int, uuid.UUID] | None = None  # (log index, footprint id) of the last row


@dataclass(frozen=True)
class Page:
    footprints: list[str]  # each footprint's JSON text, as served
    next: Cursor | None

    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.footprints]


def _key_in(kind: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        FootprintKey.footprint_id == FootprintListing.footprint_id,
        FootprintKey.kind == kind,
        FootprintKey.value.in_(values),
    )


def _deprecated(bound: int | None) -> ColumnElement[bool]:
    replaced = exists().where(FootprintDeprecation.footprint_id == FootprintListing.footprint_id)
    if bound is not None:
        replaced = replaced.where(FootprintDeprecation.log_index <= bound)
    return or_(StoredFootprint.status == DEPRECATED, replaced)


def _conditions(filters: Filters, bound: int | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    for kind, values in (
        ("product", filters.product_ids),
        ("company", filters.company_ids),
        ("geo", filters.geographies),
        ("class", filters.classifications),
    ):
        if values:
            found.append(_key_in(kind, values))
    listing = FootprintListing
    if filters.valid_on:
        found.append(
            or_(
                *(and_(listing.valid_from <= t, listing.valid_until >= t) for t in filters.valid_on)
            )
        )
    if filters.valid_after:
        found.append(or_(*(listing.valid_from > t for t in filters.valid_after)))
    if filters.valid_before:
        found.append(or_(*(listing.valid_until < t for t in filters.valid_before)))
    if filters.statuses:
        wanted = set(filters.statuses)
        if wanted == {DEPRECATED}:
            found.append(_deprecated(bound))
        elif wanted == {ACTIVE}:
            found.append(~_deprecated(bound))
        elif not wanted & {ACTIVE, DEPRECATED}:
            found.append(false())
    return found


def visible(
    readable: Select[uuid.UUID] | None, filters: Filters, bound: int | None
) -> Select[uuid.UUID, str, str, bool, int]:
    """Footprints `readable` organizations filed up to log index `bound`: id, the body's JSON
    text as stored, status as filed, deprecated as of `bound`, log index (None for
    `readable`: every organization, for operators). Footprints never change, so the stored
    text is served as it is, not decoded and encoded again; only a derived status is spliced."""
    stmt = (
        select(
            StoredFootprint.id,
            cast(StoredFootprint.body, Text),
            StoredFootprint.status,
            _deprecated(bound).label("deprecated"),
            FootprintListing.log_index,
        )
        .join(FootprintListing, FootprintListing.footprint_id == StoredFootprint.id)
        .where(*_conditions(filters, bound))
    )
    if bound is not None:
        stmt = stmt.where(FootprintListing.log_index <= bound)
    if readable is not None:
        stmt = stmt.where(FootprintListing.organization_id.in_(readable))
    return stmt


def as_served(body: str, status: str, deprecated: bool) -> str:
    """The footprint's JSON text as its supplier filed it, with the status the host derives
    (which differs from the filed one only for a footprint a successor deprecated)."""
    if not deprecated or status == DEPRECATED:
        return body
    return json.dumps({**json.loads(body), "status": DEPRECATED}, ensure_ascii=False)


def list_page(
    session: Session,
    readable: Select[uuid.UUID] | None,
    filters: Filters,
    cursor: Cursor,
    limit: int,
) -> Page:
    """One page of at most `limit` footprints in log order, and the cursor of the next page."""
    order = (FootprintListing.log_index, FootprintListing.footprint_id)
    newest = aliased(FootprintListing)
    stmt = visible(readable, filters, cursor.bound).order_by(*order).limit(limit + 1)
    stmt = stmt.add_columns(select(func.max(newest.log_index)).scalar_subquery().label("newest"))
    if cursor.after is not None:
        stmt = stmt.where(tuple_(*order) > tuple_(*cursor.after))
    rows = session.execute(stmt).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        bound = cursor.bound if cursor.bound is not None else int(last._mapping["newest"])
        following = Cursor(bound, (last[4], last[0]))
    return Page([as_served(r[1], r[2], r[3]) for r in rows], following)


def find(
    session: Session, readable: Select[uuid.UUID] | None, footprint_id: uuid.UUID
) -> str | None:
    """One footprint as served now, if `readable` covers its supplier."""
    stmt = visible(readable, Filters(), None).where(StoredFootprint.id == footprint_id)
    row = session.execute(stmt).first()
    return None if row is None else as_served(row[1], row[2], row[3])
