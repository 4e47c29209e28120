"""Read models for procurement's ranking pages: the table's filters and order, the score
distribution, the comparison's choice of suppliers, ratings and configuration versions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import User
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.schemas import load
from esgx_platform.scoring.config import ScoringConfig
from esgx_platform.scoring.engine import Ranking, Scorecard
from esgx_platform.scoring.metrics import CDP_SCORES, ECOVADIS_MEDALS
from esgx_platform.scoring.records import RankingConfigRecord, SupplierRating

# Each sort and the direction it starts in (a column header first sorts the useful way).
SORTS: dict[str, str] = {
    "rank": "asc",
    "name": "asc",
    "score": "desc",
    "band": "asc",
    "penalties": "desc",
    "intensity": "asc",
    "change": "desc",
    "category": "asc",
    "province": "asc",
}
MIN_COMPARED, MAX_COMPARED = 2, 4
MAX_NOTE = 2000
BIN_WIDTH = 10


class TableQuery(Schema):
    """The ranking table's query string; empty values mean "any" (a form's blank choice)."""

    class Meta:
        unknown = EXCLUDE

    period = fields.String(validate=validate.Length(max=7), load_default=None)
    category = fields.Integer(validate=validate.Range(min=1, max=15), load_default=None)
    province = fields.String(validate=validate.Length(max=64), load_default=None)
    band = fields.String(validate=validate.Length(max=32), load_default=None)
    missing = fields.Boolean(load_default=None)
    sort = fields.String(validate=validate.OneOf(list(SORTS)), load_default="rank")
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]), load_default=None)


@dataclass(frozen=True)
class Table:
    """What the ranking table shows: the filters and order chosen, and the cards listed."""

    period: str | None
    category: int | None
    province: str | None
    band: str | None
    missing: bool | None
    sort: str
    dir: str

    @property
    def filtered(self) -> bool:
        chosen = (self.category, self.province, self.band, self.missing)
        return any(v is not None for v in chosen)

    def args(self, **changes: object) -> dict[str, object]:
        """The query string for links (sort headers, exports), without the blank ones."""
        values: dict[str, object] = {
            "period": self.period,
            "category": self.category,
            "province": self.province,
            "band": self.band,
            "missing": None if self.missing is None else ("true" if self.missing else "false"),
            "sort": None if self.sort == "rank" else self.sort,
            "dir": None if self.dir == SORTS[self.sort] else self.dir,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    def sort_args(self, key: str) -> dict[str, object]:
        """The link of a sortable header: its default direction first, then the reverse."""
        direction = SORTS[key]
        if key == self.sort:
            direction = "desc" if self.dir == "asc" else "asc"
        return self.args(
            sort=None if key == "rank" else key,
            dir=None if direction == SORTS[key] else direction,
        )

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "ascending" if self.dir == "asc" else "descending"


def parse_table(args: Mapping[str, str]) -> Table:
    """The table's filters and order from the query string; raises InvalidInput (422)."""
    given = {k: v.strip() for k, v in args.items() if v.strip()}
    found = load(TableQuery(), given)
    return Table(
        period=found["period"],
        category=found["category"],
        province=found["province"],
        band=found["band"],
        missing=found["missing"],
        sort=found["sort"],
        dir=found["dir"] or SORTS[found["sort"]],
    )


def matches(card: Scorecard, table: Table) -> bool:
    s = card.supplier
    return (
        (table.category is None or s.category == table.category)
        and (table.province is None or s.province == table.province)
        and (table.band is None or (card.band is not None and card.band.id == table.band))
        and (table.missing is None or card.missing_data == table.missing)
    )


def _keys(config: ScoringConfig, locale: str) -> dict[str, Callable[[Scorecard], Any]]:
    def band(card: Scorecard) -> int | None:
        return None if card.band is None else config.band_index(card.band.id)

    return {
        "rank": lambda c: c.rank,
        "name": lambda c: c.supplier.name_zh if locale == "zh" else c.supplier.name_en.casefold(),
        "score": lambda c: c.total,
        "band": band,
        "penalties": lambda c: c.penalty_points,
        "intensity": lambda c: c.intensity,
        "change": lambda c: None if c.trend is None else c.trend.score_change,
        "category": lambda c: c.supplier.category,
        "province": lambda c: c.supplier.province,
    }


def listed(ranking: Ranking, table: Table, locale: str) -> list[Scorecard]:
    """The cards that pass the filters, in the chosen order. Equal keys keep the rank order
    in either direction, and cards without a value (no intensity, no trend) come last."""
    key = _keys(ranking.config, locale)[table.sort]
    cards = [c for c in ranking.scorecards if matches(c, table)]
    present = [c for c in cards if key(c) is not None]
    absent = [c for c in cards if key(c) is None]
    # Already in rank order; sorted() is stable, and stays so with reverse=True.
    return sorted(present, key=key, reverse=table.dir == "desc") + absent


@dataclass(frozen=True)
class Choices:
    """The values the filters offer: those present in the whole ranking."""

    categories: list[int]
    provinces: list[str]


def choices(ranking: Ranking) -> Choices:
    cards = ranking.scorecards
    return Choices(
        categories=sorted({c.supplier.category for c in cards}),
        provinces=sorted({c.supplier.province for c in cards if c.supplier.province}),
    )


@dataclass(frozen=True)
class Bin:
    label: str
    counts: dict[str, int]  # band id -> suppliers whose total falls in the bin

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def distribution(ranking: Ranking) -> list[Bin]:
    """The totals of the whole ranking in 10-point bins (0–10, …, 90–100; 100 in the last),
    counted by band."""
    bands = [b.id for b in ranking.config.bands]
    bins = [
        Bin(f"{low}–{low + BIN_WIDTH}", dict.fromkeys(bands, 0)) for low in range(0, 100, BIN_WIDTH)
    ]
    for card in ranking.scorecards:
        if card.band is None:
            continue
        index = min(int(card.total // BIN_WIDTH), len(bins) - 1)
        bins[max(index, 0)].counts[card.band.id] += 1
    return bins


# --- the comparison --------------------------------------------------------------------------

COMPARE_COUNT = Text(
    "Choose between 2 and 4 different suppliers to compare (you chose {n}).",
    "请选择 2 至 4 家不同的供应商进行比较（您选择了 {n} 家）。",
)
NOT_AN_ID = Text("“{v}” is not a supplier identifier.", "“{v}”不是供应商标识。")


def compared_ids(values: Iterable[str]) -> list[uuid.UUID]:
    """The distinct supplier ids chosen, in order; raises InvalidInput unless 2 to 4."""
    chosen: list[uuid.UUID] = []
    for raw in values:
        try:
            found = uuid.UUID(raw.strip())
        except ValueError:
            message = NOT_AN_ID.format(v=raw.strip()[:40])
            raise InvalidInput(message, errors=(FieldError("s", message),)) from None
        if found not in chosen:
            chosen.append(found)
    if not MIN_COMPARED <= len(chosen) <= MAX_COMPARED:
        message = COMPARE_COUNT.format(n=len(chosen))
        raise InvalidInput(message, errors=(FieldError("s", message),))
    return chosen


# --- external ratings --------------------------------------------------------------------------

BAD_CDP = Text(
    "Choose a CDP score from the list, or “not rated”.", "请从列表中选择 CDP 评分，或选择“未评级”。"
)
BAD_MEDAL = Text(
    "Choose an EcoVadis medal from the list, or “not rated”.",
    "请从列表中选择 EcoVadis 奖章，或选择“未评级”。",
)
LONG_NOTE = Text("Keep the note to {n} characters or fewer.", "备注不得超过 {n} 个字符。").format(
    n=MAX_NOTE
)


@dataclass(frozen=True)
class RatingForm:
    cdp_score: str | None
    ecovadis_medal: str | None
    note: str | None


def parse_rating_form(form: Mapping[str, str]) -> tuple[RatingForm, dict[str, FieldError]]:
    """The rating form's values (blank: not rated) and its errors by field name."""
    cdp = form.get("cdp_score", "").strip() or None
    medal = form.get("ecovadis_medal", "").strip() or None
    note = form.get("note", "").strip() or None
    errors: dict[str, FieldError] = {}
    if cdp is not None and cdp not in CDP_SCORES:
        errors["cdp_score"] = FieldError("cdp_score", BAD_CDP)
    if medal is not None and medal not in ECOVADIS_MEDALS:
        errors["ecovadis_medal"] = FieldError("ecovadis_medal", BAD_MEDAL)
    if note is not None and len(note) > MAX_NOTE:
        errors["note"] = FieldError("note", LONG_NOTE)
    return RatingForm(cdp, medal, note), errors


@dataclass(frozen=True)
class Entry:
    """A stored version (a rating or a configuration) with who made it and when."""

    version: int
    at: datetime
    by: str | None
    record: Any


def _names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row.id: row.display_name for row in rows}


def rating_entries(session: Session, ratings: Sequence[SupplierRating]) -> list[Entry]:
    names = _names(session, (r.recorded_by for r in ratings))
    return [
        Entry(r.version, r.recorded_at, names.get(r.recorded_by) if r.recorded_by else None, r)
        for r in ratings
    ]


def config_entries(session: Session, organization_id: uuid.UUID) -> list[Entry]:
    """The factory's stored configuration versions, newest first (version 0, the platform
    default, is never stored)."""
    records = list(
        session.scalars(
            select(RankingConfigRecord)
            .where(RankingConfigRecord.organization_id == organization_id)
            .order_by(RankingConfigRecord.version.desc())
        )
    )
    names = _names(session, (r.created_by for r in records))
    return [
        Entry(r.version, r.created_at, names.get(r.created_by) if r.created_by else None, r)
        for r in records
    ]


def top_of_axis(bins: Sequence[Bin]) -> Decimal:
    """A chart axis maximum that is a multiple of 4, so its five ticks are whole numbers."""
    most = max((b.total for b in bins), default=0)
    return Decimal(max(4, -(-most // 4) * 4))
