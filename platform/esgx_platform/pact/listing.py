"""Which footprints a PACT client sees, filtered and paged (docs/pact-v3.md: ListFootprints).

A page is fixed by its cursor: the highest log index the listing saw when its first page was
asked for (`bound`) and the last footprint of the page before. Footprints filed later, and
deprecations by them, stay out of every page of that listing, so a `next` link returns the same
page each time, for as long as anyone keeps it.
"""

from __future__ import annotations

import functools
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
    bindparam,
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
from esgx_platform.tenancy import Purpose, Readable, readable_subquery

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


@dataclass(frozen=True)
class _Shape:
    """What fixes a listing statement's SQL; everything else is a bound value, so each shape
    is built once (`_statement`) and the database driver can keep it prepared."""

    keys: tuple[str, ...]  # the identifier kinds filtered on
    valid_on: int  # how many instants of each validity filter
    valid_after: int
    valid_before: int
    statuses: frozenset[str]
    bounded: bool  # a later page: the listing's bound is known
    after: bool  # a later page: rows after the last one seen
    readable: Purpose | None  # None: every organization (operators)
    by_id: bool = False  # one footprint (GetFootprint)


_KEY_KINDS = (
    ("product", "product_ids"),
    ("company", "company_ids"),
    ("geo", "geographies"),
    ("class", "classifications"),
)
_ID = StoredFootprint.id.type


def _deprecated(bounded: bool) -> ColumnElement[bool]:
    replaced = exists().where(FootprintDeprecation.footprint_id == FootprintListing.footprint_id)
    if bounded:
        replaced = replaced.where(FootprintDeprecation.log_index <= bindparam("bound"))
    return or_(StoredFootprint.status == DEPRECATED, replaced)


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [
        exists().where(
            FootprintKey.footprint_id == FootprintListing.footprint_id,
            FootprintKey.kind == kind,
            FootprintKey.value.in_(bindparam(f"key_{kind}", expanding=True)),
        )
        for kind in shape.keys
    ]
    listing = FootprintListing
    if shape.valid_on:
        found.append(
            or_(
                *(
                    and_(
                        listing.valid_from <= bindparam(f"valid_on_{i}"),
                        listing.valid_until >= bindparam(f"valid_on_{i}"),
                    )
                    for i in range(shape.valid_on)
                )
            )
        )
    if shape.valid_after:
        found.append(
            or_(
                *(
                    listing.valid_from > bindparam(f"valid_after_{i}")
                    for i in range(shape.valid_after)
                )
            )
        )
    if shape.valid_before:
        found.append(
            or_(
                *(
                    listing.valid_until < bindparam(f"valid_before_{i}")
                    for i in range(shape.valid_before)
                )
            )
        )
    if shape.statuses:
        if shape.statuses == {DEPRECATED}:
            found.append(_deprecated(shape.bounded))
        elif shape.statuses == {ACTIVE}:
            found.append(~_deprecated(shape.bounded))
        elif not shape.statuses & {ACTIVE, DEPRECATED}:
            found.append(false())
    return found


@functools.lru_cache(maxsize=256)
def _statement(shape: _Shape) -> Select[*tuple[Any, ...]]:
    """Footprints readable organizations filed (up to log index `bound` on a later page): id,
    the body's JSON text as stored, status as filed, deprecated as of `bound`, log index, and
    on a first page the newest log index, which becomes the bound of its later pages.
    Footprints never change, so the stored text is served as it is, not decoded and encoded
    again; only a derived status is spliced (`as_served`)."""
    order = (FootprintListing.log_index, FootprintListing.footprint_id)
    stmt: Select[*tuple[Any, ...]] = (
        select(
            StoredFootprint.id,
            cast(StoredFootprint.body, Text),
            StoredFootprint.status,
            _deprecated(shape.bounded).label("deprecated"),
            FootprintListing.log_index,
        )
        .join(FootprintListing, FootprintListing.footprint_id == StoredFootprint.id)
        .where(*_conditions(shape))
    )
    if shape.readable is not None:
        stmt = stmt.where(FootprintListing.organization_id.in_(readable_subquery(shape.readable)))
    if shape.by_id:
        return stmt.where(StoredFootprint.id == bindparam("footprint_id", type_=_ID))
    if shape.bounded:
        stmt = stmt.where(FootprintListing.log_index <= bindparam("bound"))
    else:
        newest = aliased(FootprintListing)
        stmt = stmt.add_columns(select(func.max(newest.log_index)).scalar_subquery())
    if shape.after:
        after: tuple[Any, Any] = (bindparam("after_index"), bindparam("after_id", type_=_ID))
        stmt = stmt.where(tuple_(*order) > tuple_(*after))
    return stmt.order_by(*order).limit(bindparam("limit"))


def _values(filters: Filters) -> dict[str, Any]:
    values: dict[str, Any] = {
        f"key_{kind}": list(getattr(filters, field))
        for kind, field in _KEY_KINDS
        if getattr(filters, field)
    }
    for name in ("valid_on", "valid_after", "valid_before"):
        values.update({f"{name}_{i}": t for i, t in enumerate(getattr(filters, name))})
    return values


def _shape(filters: Filters, readable: Readable | None, **kw: Any) -> _Shape:
    return _Shape(
        keys=tuple(kind for kind, field in _KEY_KINDS if getattr(filters, field)),
        valid_on=len(filters.valid_on),
        valid_after=len(filters.valid_after),
        valid_before=len(filters.valid_before),
        statuses=frozenset(filters.statuses),
        readable=None if readable is None else readable.purpose,
        **kw,
    )


def as_served(body: str, status: str, deprecated: bool) -> str:
    """The footprint's JSON text as its supplier filed it, with the status the host derives
    (which differs from the filed one only for a footprint a successor deprecated)."""
    if not deprecated or status == DEPRECATED:
        return body
    return json.dumps({**json.loads(body), "status": DEPRECATED}, ensure_ascii=False)


def list_page(
    session: Session,
    readable: Readable | None,
    filters: Filters,
    cursor: Cursor,
    limit: int,
) -> Page:
    """One page of at most `limit` footprints in log order, and the cursor of the next page;
    `readable` None lists every organization's (operators)."""
    shape = _shape(
        filters, readable, bounded=cursor.bound is not None, after=cursor.after is not None
    )
    values = _values(filters) | (readable.params() if readable is not None else {})
    values["limit"] = limit + 1
    if cursor.bound is not None:
        values["bound"] = cursor.bound
    if cursor.after is not None:
        values["after_index"], values["after_id"] = cursor.after
    rows = session.connection().execute(_statement(shape), values).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        bound = cursor.bound if cursor.bound is not None else int(last[5])
        following = Cursor(bound, (last[4], last[0]))
    return Page([as_served(r[1], r[2], r[3]) for r in rows], following)


def find(session: Session, readable: Readable | None, footprint_id: uuid.UUID) -> str | None:
    """One footprint as served now, if `readable` covers its supplier."""
    shape = _shape(Filters(), readable, bounded=False, after=False, by_id=True)
    values = readable.params() if readable is not None else {}
    row = (
        session.connection()
        .execute(_statement(shape), values | {"footprint_id": footprint_id})
        .first()
    )
    return None if row is None else as_served(row[1], row[2], row[3])
