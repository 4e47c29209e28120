"""Index rows written with every filed footprint, in the filing's transaction.

The migration that created these tables indexed the footprints on file then with the same rules
(tests index footprints both ways and compare).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.intake.models import StoredFootprint
from esgx_platform.pact.models import FootprintDeprecation, FootprintKey, FootprintListing


def plus_three_years(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 3)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 3, day=28)


def _keys(row: StoredFootprint) -> Iterable[tuple[str, str]]:
    geography = (row.geography_region, row.geography_country, row.geography_subdivision)
    for kind, values in (
        ("product", row.product_ids),
        ("company", row.company_ids),
        ("class", row.classifications),
        ("geo", [g for g in geography if g]),
    ):
        for value in sorted({str(v).lower() for v in values}):
            yield kind, value


def index_footprints(session: Session, rows: Sequence[StoredFootprint], *, log_index: int) -> None:
    """List `rows` (just added, filed at `log_index`) and deprecate what they name in
    precedingPfIds: only the same supplier's footprints, and each one by its first successor."""
    if not rows:
        return
    session.flush()  # the footprints exist before the rows that point at them
    for row in rows:
        end = row.reference_period_end
        session.add(
            FootprintListing(
                footprint_id=row.id,
                organization_id=row.organization_id,
                log_index=log_index,
                valid_from=row.validity_start or end,
                valid_until=row.validity_end or plus_three_years(end),
            )
        )
        session.add_all(
            FootprintKey(footprint_id=row.id, kind=kind, value=value) for kind, value in _keys(row)
        )
    named = {uuid.UUID(str(p)) for row in rows for p in row.preceding_ids}
    owners = {
        footprint_id: owner
        for footprint_id, owner in session.execute(
            select(StoredFootprint.id, StoredFootprint.organization_id).where(
                StoredFootprint.id.in_(named)
            )
        )
    }
    done = set(
        session.scalars(
            select(FootprintDeprecation.footprint_id).where(
                FootprintDeprecation.footprint_id.in_(named)
            )
        )
    )
    for row in rows:
        for old in (uuid.UUID(str(p)) for p in row.preceding_ids):
            if old != row.id and owners.get(old) == row.organization_id and old not in done:
                session.add(
                    FootprintDeprecation(footprint_id=old, successor_id=row.id, log_index=log_index)
                )
                done.add(old)
    session.flush()
