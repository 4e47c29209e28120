"""The product footprints an allocation of the form may link to: the supplier's own footprints
on file (filed in a disclosure or as a credential of their own), the footprints of this
draft's step 12, and any id the draft already links (so it can be unticked)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.intake.models import StoredFootprint
from supplier_portal.form import text_list

# The newest footprints on file are offered; one linked already is offered whatever its age.
MAX_OFFERED = 50
_DRAFT_ID = re.compile(r"productFootprints\[(\d{1,3})\]\.id")
_LINKS = re.compile(r"allocations\[\d{1,3}\]\.productFootprintIds")


@dataclass(frozen=True)
class FootprintChoice:
    id: str
    name: str  # productNameCompany, "" when the row has none yet
    detail: str  # "5.31 kgCO2e / piece · 2025-07-01 – 2025-10-01", "" for a draft's row
    row: int | None = None  # the step 12 row it comes from (filed with this disclosure)


def footprint_choices(
    session: Session, org_id: uuid.UUID, values: Mapping[str, str]
) -> list[FootprintChoice]:
    """This draft's footprints first, then the organization's own on file, newest first."""
    rows = sorted(
        (int(match.group(1)), value)
        for name, value in values.items()
        if (match := _DRAFT_ID.fullmatch(name)) and value
    )
    choices = {
        value: FootprintChoice(
            id=value,
            name=values.get(f"productFootprints[{row}].productNameCompany", ""),
            detail="",
            row=row,
        )
        for row, value in rows
    }
    for choice in _on_file(session, org_id, _linked(values) - set(choices)):
        choices.setdefault(choice.id, choice)
    for linked in sorted(_linked(values) - set(choices)):
        choices[linked] = FootprintChoice(linked, "", "")
    return list(choices.values())


def _linked(values: Mapping[str, str]) -> set[str]:
    return {
        item
        for name, value in values.items()
        if _LINKS.fullmatch(name)
        for item in text_list(value)
    }


def _on_file(session: Session, org_id: uuid.UUID, linked: set[str]) -> list[FootprintChoice]:
    """The organization's footprints on file: the newest, and those the draft links."""
    wanted = {uuid.UUID(item) for item in linked if _is_uuid(item)}
    columns = (
        StoredFootprint.id,
        StoredFootprint.body,
        StoredFootprint.reference_period_start,
        StoredFootprint.reference_period_end,
        StoredFootprint.declared_unit,
    )
    mine = select(*columns).where(StoredFootprint.organization_id == org_id)
    newest = session.execute(
        mine.order_by(StoredFootprint.reference_period_end.desc(), StoredFootprint.id).limit(
            MAX_OFFERED
        )
    ).all()
    older = session.execute(mine.where(StoredFootprint.id.in_(wanted))).all() if wanted else []
    return [
        FootprintChoice(
            str(fid),
            str(body.get("productNameCompany", "")),
            f"{body.get('pcf', {}).get('pcfExcludingBiogenicUptake', '')} kgCO2e / {unit} · "
            f"{start.date().isoformat()} – {end.date().isoformat()}",
        )
        for fid, body, start, end, unit in [*newest, *older]
    ]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
