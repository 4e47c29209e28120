"""Benchmark the lead factory's yearly Scope 3 roll-up over a large supply chain.

For each database a fresh schema is migrated and filled with 10,000 suppliers of one lead
factory, each with 8 quarters (two years) of stored disclosures, allocations, tier-2 engagement
and spend. The rows are inserted directly (this measures the roll-up, not intake; the JWS
column holds a placeholder). It then times, best of --repeat runs:

- baseline: streaming the same relationship-quarter rows with a bare SELECT (no joins);
- the yearly roll-up (`compute_rollup`, no comparison) and with the year-before comparison;
- `report_json` of the yearly roll-up without the per-supplier drill-down;

and prints the ratio of each to the baseline. Peak Python memory (tracemalloc) of the yearly
roll-up is measured with 1, 2 and 4 years of history stored, to show it does not grow with the
number of stored disclosures.

    python bench/rollup_bench.py                          # SQLite and PostgreSQL
    python bench/rollup_bench.py --databases sqlite --suppliers 2000
"""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from esgx_platform.db import Database
from esgx_platform.intake.models import (
    DisclosureAllocation,
    DisclosureEngagement,
    DisclosureHead,
    StoredDisclosure,
)
from esgx_platform.keys.models import SigningKey
from esgx_platform.migrate import upgrade_to_head
from esgx_platform.organizations.models import (
    Organization,
    RelationshipSpend,
    SupplyRelationship,
)
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from esgx_platform.rollups.report import report_json
from esgx_platform.rollups.services import compute_rollup

sys.path.insert(0, str(Path(__file__).parent))
from ingest_bench import drop_postgres, postgres_url  # the sibling script: one copy of these

CHUNK = 5000


def quarters(first_year: int, years: int) -> list[Quarter]:
    return [Quarter(first_year + y, q) for y in range(years) for q in range(1, 5)]


def seed(db: Database, suppliers: int, years: int, first_year: int) -> uuid.UUID:
    """The lead factory id; suppliers × 4 × years disclosures with their children."""
    with db.transaction() as s:
        lead = _org(s, "lead_factory", 0)
        periods = [ensure_period(s, q) for q in quarters(first_year, years)]
        s.flush()
        key_id = _key(s, lead)
        orgs, rels, spend = [], [], []
        for n in range(1, suppliers + 1):
            org_id, rel_id = uuid.uuid4(), uuid.uuid4()
            orgs.append(_org_row(org_id, n))
            rels.append(_rel_row(rel_id, lead, org_id, n))
            spend += [_spend_row(rel_id, p, n) for p in periods]
        _bulk(s, Organization, orgs)
        _bulk(s, SupplyRelationship, rels)
        _bulk(s, RelationshipSpend, spend)
        _disclosures(s, lead, key_id, orgs, periods)
    analyze(db)
    return lead


def analyze(db: Database) -> None:
    """Refresh the planner's statistics, as autovacuum would after such a load."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def _bulk(s: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        s.execute(insert(model), rows[start : start + CHUNK])


def _org(s: Session, kind: str, n: int) -> uuid.UUID:
    row = _org_row(uuid.uuid4(), n) | {"kind": kind}
    s.execute(insert(Organization), [row])
    return uuid.UUID(str(row["id"]))


def _org_row(org_id: uuid.UUID, n: int) -> dict[str, Any]:
    return {
        "id": org_id,
        "kind": "supplier",
        "name_zh": f"供应商 {n}",
        "name_en": f"Supplier {n}",
        "uscc": None,
        "identifiers": {},
        "country": "CN",
        "province": "JS",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
    }


def _rel_row(rel_id: uuid.UUID, lead: uuid.UUID, org_id: uuid.UUID, n: int) -> dict[str, Any]:
    return {
        "id": rel_id,
        "lead_factory_id": lead,
        "supplier_id": org_id,
        "scope3_category": 1 + n % 8,
        "description": None,
        "spend_sector_code": None,
        "started_on": date(2020, 1, 1),
        "ended_on": None,
        "consent_given_at": datetime(2024, 1, 1, tzinfo=UTC) if n % 10 else None,
        "consent_withdrawn_at": None,
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
    }


def _spend_row(rel_id: uuid.UUID, period: ReportingPeriod, n: int) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "relationship_id": rel_id,
        "period_id": period.id,
        "amount": Decimal(100_000 + n * 37 % 900_000),
        "currency": "CNY",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
    }


def _key(s: Session, lead: uuid.UUID) -> uuid.UUID:
    key_id = uuid.uuid4()
    s.execute(
        insert(SigningKey),
        [
            {
                "id": key_id,
                "organization_id": lead,
                "kid": secrets.token_hex(16),
                "alg": "Ed25519",
                "public_jwk": {},
                "label": "bench",
                "registered_index": 0,
                "registered_at": datetime(2024, 1, 1, tzinfo=UTC),
            }
        ],
    )
    return key_id


def _disclosures(
    s: Session,
    lead: uuid.UUID,
    key_id: uuid.UUID,
    orgs: list[dict[str, Any]],
    periods: list[ReportingPeriod],
) -> None:
    index = 1
    for period in periods:
        rows, heads, allocations, engagement = [], [], [], []
        for n, org in enumerate(orgs, start=1):
            disclosure_id = uuid.uuid4()
            logged = datetime.combine(period.ends_on, datetime.min.time(), tzinfo=UTC)
            rows.append(_disclosure_row(disclosure_id, org["id"], period, key_id, index, n, logged))
            heads.append(
                {
                    "id": uuid.uuid4(),
                    "organization_id": org["id"],
                    "period_id": period.id,
                    "disclosure_id": disclosure_id,
                    "version": 1,
                    "updated_at": logged,
                }
            )
            allocations.append(_allocation_row(disclosure_id, lead, n))
            engagement.append(
                {
                    "disclosure_id": disclosure_id,
                    "reporting_share_by_spend": Decimal(n % 100),
                    "targets_share_by_spend": Decimal(n % 40),
                    "green_factory": "none",
                    "take_back": False,
                }
            )
            index += 1
        _bulk(s, StoredDisclosure, rows)
        _bulk(s, DisclosureHead, heads)
        _bulk(s, DisclosureAllocation, allocations)
        _bulk(s, DisclosureEngagement, engagement)


def _disclosure_row(
    disclosure_id: uuid.UUID,
    org_id: uuid.UUID,
    period: ReportingPeriod,
    key_id: uuid.UUID,
    index: int,
    n: int,
    logged: datetime,
) -> dict[str, Any]:
    content = secrets.token_hex(32)
    figures = Decimal(100 + n % 500)
    return {
        "id": disclosure_id,
        "organization_id": org_id,
        "period_id": period.id,
        "period_key": period.key,
        "kind": "EmissionDisclosure",
        "content_id": content,
        "jws": "bench-placeholder",
        "jws_sha256": secrets.token_hex(32),
        "issuer": f"urn:esgx:org:{org_id}",
        "kid": "bench",
        "signing_key_id": key_id,
        "log_index": index,
        "logged_at": logged + timedelta(days=n % 40),
        "restates_id": None,
        "restatement_reason": None,
        "submitted_by": None,
        "submitted_via": "bench",
        "on_time": n % 40 <= 30,
        "boundary": "operationalControl",
        "gwp_set": "AR6",
        "scope1_tco2e": figures,
        "scope2_location_tco2e": figures * 2,
        "scope2_market_tco2e": figures * 2,
        "scope3_upstream_tco2e": figures * 3,
        "scope3_total_tco2e": figures * 3,
        "electricity_mwh": Decimal(1000),
        "total_energy_mwh": Decimal(1200),
        "renewable_electricity_mwh": Decimal(n % 1000),
        "revenue_amount": Decimal(10_000_000),
        "revenue_currency": "CNY",
        "output_amount": Decimal(1000),
        "output_unit": "piece",
        "primary_data_share": Decimal(n % 100),
        "technological_dqr": Decimal("1.5"),
        "geographical_dqr": Decimal("2.0"),
        "temporal_dqr": None,
        "verification_level": ("none", "limited", "reasonable")[n % 3],
        "verification_statement_date": None,
        "best_target_status": ("none", "committed", "validated", "netZero")[n % 4],
        "offsets_tco2e": Decimal(0),
        "warnings": [],
    }


def _allocation_row(disclosure_id: uuid.UUID, lead: uuid.UUID, n: int) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "disclosure_id": disclosure_id,
        "customer_id": lead,
        "customer_scope3_category": 1 + n % 8,
        "basis": "economic",
        "customer_quantity": Decimal(100_000),
        "total_quantity": Decimal(10_000_000),
        "allocated_tco2e": Decimal(n % 500) / 7,
        "product_footprint_ids": [],
    }


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_memory(run: Callable[[], Any]) -> float:
    """Peak Python heap in MiB while `run` runs."""
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def baseline(db: Database, year: int) -> int:
    """Stream every relationship-quarter row of the year with a bare SELECT."""
    with db.transaction(write=False) as s:
        stmt = select(StoredDisclosure.id, StoredDisclosure.scope1_tco2e).join(
            ReportingPeriod, ReportingPeriod.id == StoredDisclosure.period_id
        )
        stmt = stmt.where(ReportingPeriod.year == year)
        return sum(1 for _ in s.execute(stmt.execution_options(yield_per=2000)))


def time_rollups(db: Database, lead: uuid.UUID, year: int, repeat: int) -> dict[str, float]:
    def rollup(compare: bool) -> Any:
        with db.transaction(write=False) as s:
            return compute_rollup(s, lead_factory_id=lead, period=str(year), compare=compare)

    base, rows = best_of(repeat, lambda: baseline(db, year))
    plain, report = best_of(repeat, lambda: rollup(False))
    compared, _ = best_of(repeat, lambda: rollup(True))
    as_json, _ = best_of(repeat, lambda: report_json(report, suppliers=False))
    return {
        "rows": rows,
        "baseline_s": base,
        "rollup_s": plain,
        "rollup_with_previous_year_s": compared,
        "report_json_s": as_json,
        "lines": len(report.rollup.lines),
    }


def memory_by_history(
    url_for: Callable[[], tuple[str, Callable[[], None]]], suppliers: int
) -> list[tuple[int, int, float]]:
    """(years stored, disclosures stored, peak MiB of the last year's roll-up)."""
    found = []
    for years in (1, 2, 4):
        url, cleanup = url_for()
        try:
            db = Database(url)
            upgrade_to_head(db.engine)
            lead = seed(db, suppliers, years, 2026 - years)
            year = 2025

            def run(db: Database = db, lead: uuid.UUID = lead, year: int = year) -> None:
                with db.transaction(write=False) as s:
                    compute_rollup(s, lead_factory_id=lead, period=str(year), compare=False)

            found.append((years, suppliers * 4 * years, peak_memory(run)))
            db.engine.dispose()
        finally:
            cleanup()
    return found


def database_maker(
    kind: str, pg_base: str, workdir: Path
) -> Callable[[], tuple[str, Callable[[], None]]]:
    def make() -> tuple[str, Callable[[], None]]:
        if kind == "sqlite":
            path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
        url, name = postgres_url(pg_base)
        return url, lambda: drop_postgres(pg_base, name)

    return make


def bench(kind: str, args: argparse.Namespace, workdir: Path) -> None:
    make = database_maker(kind, args.pg_url, workdir)
    url, cleanup = make()
    try:
        db = Database(url)
        upgrade_to_head(db.engine)
        started = time.perf_counter()
        lead = seed(db, args.suppliers, 2, 2024)
        seeded = time.perf_counter() - started
        figures = time_rollups(db, lead, 2025, args.repeat)
        db.engine.dispose()
    finally:
        cleanup()
    print(f"\n{kind}: {args.suppliers:,} suppliers x 8 quarters seeded in {seeded:.1f} s")
    print(f"  yearly roll-up rows (relationship-quarters): {figures['lines']:,}")
    base = figures["baseline_s"]
    print(f"  baseline bare SELECT of {figures['rows']:,} rows: {base:.3f} s")
    for name in ("rollup_s", "rollup_with_previous_year_s", "report_json_s"):
        value = figures[name]
        print(f"  {name[:-2]:<28} {value:.3f} s   ({value / base:.1f}x baseline)")
    if args.memory:
        print("  peak Python memory of the 2025 roll-up by history stored:")
        for years, stored, peak in memory_by_history(make, args.memory_suppliers):
            print(f"    {years} year(s), {stored:,} disclosures stored: {peak:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--memory-suppliers", type=int, default=2000)
    args = parser.parse_args()
    print(f"esgx roll-up benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            bench(kind.strip(), args, Path(tmp))


if __name__ == "__main__":
    main()
