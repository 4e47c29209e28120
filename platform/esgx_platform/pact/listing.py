"""Which footprints a PACT client sees, filtered and paged (docs/pact-v3.md: ListFootprints).

A page is fixed by its cursor: the highest log index the listing saw when its first page was
asked for (`bound`) and the last footprint of the page before. Footprints filed later, and
deprecations by them, stay out of every page of that listing, so a `next` link returns the same
page each time, for as long as anyone keeps it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, tuple_
from sqlalchemy.orm import Session

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

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Cursor:
    bound: int  # the highest log index this listing sees
    after: tuple[int, uuid.UUID] | None = None  # (log index, footprint id) of the last row


@dataclass(frozen=True)
class Page:
    footprints: list[dict[str, Any]]
    next: Cursor | None


def log_bound(session: Session) -> int:
    """The highest log index of any filed footprint (-1 when there is none)."""
    return session.scalar(select(func.coalesce(func.max(FootprintListing.log_index), -1))) or -1


def _key_in(kind: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        FootprintKey.footprint_id == FootprintListing.footprint_id,
        FootprintKey.kind == kind,
        FootprintKey.value.in_(values),
    )


def _deprecated(bound: int) -> ColumnElement[bool]:
    replaced = exists().where(
        FootprintDeprecation.footprint_id == FootprintListing.footprint_id,
        FootprintDeprecation.log_index <= bound,
    )
    return or_(StoredFootprint.status == DEPRECATED, replaced)


def _conditions(filters: Filters, bound: int) -> list[ColumnElement[bool]]:
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
    readable: Select[uuid.UUID] | None, filters: Filters, bound: int
) -> Select[StoredFootprint, bool]:
    """Footprints `readable` organizations filed up to log index `bound`, with a deprecated
    flag as of `bound` (None for `readable`: every organization, for operators)."""
    stmt = (
        select(StoredFootprint, _deprecated(bound).label("deprecated"))
        .join(FootprintListing, FootprintListing.footprint_id == StoredFootprint.id)
        .where(FootprintListing.log_index <= bound, *_conditions(filters, bound))
    )
    if readable is not None:
        stmt = stmt.where(FootprintListing.organization_id.in_(readable))
    return stmt


def as_served(row: StoredFootprint, deprecated: bool) -> dict[str, Any]:
    """The footprint as its supplier filed it, with the status the host derives."""
    return {**row.body, "status": DEPRECATED if deprecated else row.status}


def list_page(
    session: Session,
    readable: Select[uuid.UUID] | None,
    filters: Filters,
    cursor: Cursor,
    limit: int,
) -> Page:
    """One page of at most `limit` footprints in log order, and the cursor of the next page."""
    order = (FootprintListing.log_index, FootprintListing.footprint_id)
    stmt = visible(readable, filters, cursor.bound).order_by(*order).limit(limit + 1)
    if cursor.after is not None:
        stmt = stmt.where(tuple_(*order) > tuple_(*cursor.after))
    rows = session.execute(stmt.add_columns(FootprintListing.log_index)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more:
        last = rows[-1]
        following = Cursor(cursor.bound, (last[2], last[0].id))
    return Page([as_served(r[0], r[1]) for r in rows], following)


def find(
    session: Session, readable: Select[uuid.UUID] | None, footprint_id: uuid.UUID
) -> dict[str, Any] | None:
    """One footprint as served now, if `readable` covers its supplier."""
    stmt = visible(readable, Filters(), log_bound(session)).where(
        StoredFootprint.id == footprint_id
    )
    row = session.execute(stmt).first()
    return None if row is None else as_served(row[0], row[1])
