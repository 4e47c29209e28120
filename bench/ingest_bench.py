"""Benchmark disclosure intake through the HTTP API on the production server (gunicorn).

For each database: a fresh database is migrated and seeded (suppliers with registered keys and
API tokens), every JWS is signed up front, `esgx serve` is started, and client threads with
keep-alive connections submit single disclosures and then batches. It prints disclosures per
second, p50/p99 latency, and the ratio to the raw `signing.verify` rate measured in the same run.

    python bench/ingest_bench.py                      # SQLite and PostgreSQL (127.0.0.1:5432)
    python bench/ingest_bench.py --databases sqlite --single 600 --clients 20
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from esgx_platform.db import Database
from esgx_platform.keys.services import issue_challenge, register_key
from esgx_platform.machine.services import create_api_token
from esgx_platform.migrate import upgrade_to_head
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from esgx_platform.organizations.uscc import complete_uscc
from esgx_platform.periods.quarters import Quarter
from load import measured
from signing import (
    build_credential,
    build_registration,
    generate_key,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
    verify,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "tests" / "platform" / "disclosures" / "example_disclosure.json"
FACTORY = "91120116MA05R7T29K"


@dataclass
class Supplier:
    urn: str
    token: str
    key: Any


def _quarters(count: int) -> list[str]:
    quarter, keys = Quarter(1990, 1), []
    for _ in range(count):
        keys.append(quarter.key)
        quarter = quarter.next()
    return keys


def seed(url: str, suppliers: int) -> list[Supplier]:
    db = Database(url)
    upgrade_to_head(db.engine)
    out = []
    with db.transaction() as s:
        factory = create_organization(
            s,
            {
                "kind": "lead_factory",
                "name_zh": "基准工厂",
                "name_en": "Bench Factory",
                "uscc": FACTORY,
            },
        )
        for n in range(suppliers):
            org = create_organization(
                s,
                {
                    "kind": "supplier",
                    "name_zh": f"基准供应商{n}",
                    "name_en": f"Bench Supplier {n}",
                    "uscc": complete_uscc(f"91320500MB{n:06d}"),
                },
            )
            rel = create_relationship(
                s,
                lead_factory=factory,
                supplier=org,
                scope3_category=1,
                started_on=date(1990, 1, 1),
            )
            give_consent(s, rel, actor_user_id=None)
            key = generate_key("Ed25519")
            challenge = issue_challenge(s, organization=org)
            event = sign_key_event(
                build_registration(organization=org.urn, public_jwk=public_jwk(key)),
                private_keys=[key],
            )
            register_key(
                s,
                organization=org,
                proof=sign_pop(challenge, private_key=key),
                event=event,
                actor_user_id=None,
            )
            token = create_api_token(
                s, organization=org, name="bench", actor_user_id=None, scopes=["disclosures:submit"]
            )
            out.append(Supplier(org.urn, token.secret, key))
    db.dispose()
    return out


def subject(period: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc.update(period=period, offsets=[])
    doc["allocations"][0]["productFootprintIds"] = []
    doc["verification"] = {"level": "none"}
    return doc


def sign_all(suppliers: list[Supplier], periods: list[str]) -> list[tuple[str, str]]:
    work: list[tuple[str, str]] = []
    for period in periods:
        for supplier in suppliers:
            credential = build_credential(subject=subject(period), issuer=supplier.urn)
            work.append((supplier.token, sign(credential=credential, private_key=supplier.key)))
    return work


def start_server(
    url: str, port: int, workers: int, threads: int, instance: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ESGX_DATABASE_URL": url,
        "ESGX_INSTANCE_DIR": str(instance),
        "ESGX_LOG_LEVEL": "WARNING",
    }
    cmd = [
        sys.executable,
        "-m",
        "esgx_platform.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    log = (instance / "server.log").open("wb")
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def run_clients(
    port: int, requests: list[tuple[str, str, bytes, int]], clients: int
) -> tuple[float, list[float], int]:
    """Send (token, path, body, expected status) requests from `clients` threads; return
    elapsed seconds, per-request latencies and the count of unexpected statuses."""
    latencies: list[float] = []
    failures = [0]
    first_error: list[str] = []
    lock = threading.Lock()
    shares = [requests[i::clients] for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(share: list[tuple[str, str, bytes, int]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        bad = 0
        barrier.wait()
        for token, path, body, expected in share:
            start = time.perf_counter()
            conn.request(
                "POST",
                path,
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            body_text = response.read()[:300].decode(errors="replace")
            mine.append(time.perf_counter() - start)
            if response.status != expected:
                bad += 1
                if not first_error:
                    first_error.append(f"{response.status} {body_text}")
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    if first_error:
        print(f"first unexpected answer: {first_error[0]}", file=sys.stderr)
    return time.perf_counter() - start, latencies, failures[0]


def verify_rate(jws_list: list[str], jwk: dict[str, str]) -> float:
    """signing.verify per second on one core over the given JWS (all of one supplier)."""
    start = time.perf_counter()
    done = 0
    while time.perf_counter() - start < 2:
        for jws in jws_list:
            verify(jws, jwk)
        done += len(jws_list)
    return done / (time.perf_counter() - start)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def bench(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    batches = args.batches
    suppliers = seed(url, args.suppliers)
    single_count = args.single // args.suppliers + 1
    # A batch is one supplier's: each needs batch_size distinct quarters per batch it sends.
    per_supplier = -(-batches // args.suppliers) * args.batch_size
    periods = _quarters(single_count + per_supplier)
    single_work = sign_all(suppliers, periods[:single_count])[: args.single]
    batch_work = sign_all(suppliers, periods[single_count:])
    own = [jws for token, jws in single_work if token == suppliers[0].token]
    baseline = verify_rate(own, public_jwk(suppliers[0].key))
    port = 18000 + os.getpid() % 1000
    instance = Path(tempfile.mkdtemp(prefix="esgx-ingest-bench-"))
    if True:
        server = start_server(url, port, args.workers, args.threads, instance)
        try:
            single = [
                (t, "/api/v1/disclosures", json.dumps({"jws": j}).encode(), 201)
                for t, j in single_work
            ]
            (elapsed, latencies, bad), single_cpu = measured(
                server.pid, lambda: run_clients(port, single, args.clients)
            )
            by_supplier: dict[str, list[str]] = {}
            for token, jws in batch_work:
                by_supplier.setdefault(token, []).append(jws)
            batch_requests = []
            for token, items in by_supplier.items():
                for i in range(0, len(items), args.batch_size):
                    chunk = items[i : i + args.batch_size]
                    if len(chunk) == args.batch_size and len(batch_requests) < batches:
                        batch_requests.append(
                            (
                                token,
                                "/api/v1/disclosures/batch",
                                json.dumps({"jws": chunk}).encode(),
                                200,
                            )
                        )
            (b_elapsed, b_latencies, b_bad), batch_cpu = measured(
                server.pid,
                lambda: run_clients(port, batch_requests, min(args.clients, len(batch_requests))),
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"server log: {instance / 'server.log'}", file=sys.stderr)
    n_batch = len(batch_requests) * args.batch_size
    return {
        "database": name,
        "verify_per_s": baseline,
        "single": {
            "n": len(single),
            "per_s": len(single) / elapsed,
            "p50_ms": pct(latencies, 0.5),
            "p99_ms": pct(latencies, 0.99),
            "unexpected": bad,
            "cpu_ms": {k: 1000 * v / len(single) for k, v in single_cpu.items()},
        },
        "batch": {
            "n": n_batch,
            "per_s": n_batch / b_elapsed,
            "requests": len(batch_requests),
            "p50_ms": pct(b_latencies, 0.5),
            "p99_ms": pct(b_latencies, 0.99),
            "unexpected": b_bad,
            "cpu_ms": {k: 1000 * v / n_batch for k, v in batch_cpu.items()},
        },
    }


def postgres_url(base: str) -> tuple[str, str]:
    name = f"esgx_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(base: str, name: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--single", type=int, default=1000, help="single submissions")
    parser.add_argument("--batches", type=int, default=40, help="batch requests")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()
    results = []
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results.append(bench("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args))
        else:
            url, db_name = postgres_url(args.pg_url)
            try:
                results.append(bench("postgresql", url, args))
            finally:
                drop_postgres(args.pg_url, db_name)
    print(
        f"ingest benchmark, {os.cpu_count()} cores, {args.clients} keep-alive clients, "
        f"{args.workers} server workers x {args.threads} threads"
    )
    for r in results:
        s, b, v = r["single"], r["batch"], r["verify_per_s"]
        print(f"\n[{r['database']}] raw signing.verify: {v:,.0f}/s (one core, same JWS)")
        print(
            f"  single : {s['n']} disclosures, {s['per_s']:,.1f}/s, p50 {s['p50_ms']:.1f} ms, "
            f"p99 {s['p99_ms']:.1f} ms, ratio to verify {s['per_s'] / v:.3f}, "
            f"unexpected statuses {s['unexpected']}"
        )
        print(
            f"  batch  : {b['n']} disclosures in {b['requests']} requests of "
            f"{args.batch_size}, {b['per_s']:,.1f}/s, p50 {b['p50_ms']:.0f} ms, "
            f"p99 {b['p99_ms']:.0f} ms, ratio to verify {b['per_s'] / v:.3f}, "
            f"unexpected statuses {b['unexpected']}"
        )
        for label, part in (("single", s), ("batch", b)):
            cpu = part["cpu_ms"]
            print(
                f"  cpu per disclosure ({label}): server {cpu['esgx']:.1f} ms, PostgreSQL "
                f"{cpu['postgres']:.1f} ms, client threads {cpu['bench']:.1f} ms"
            )
    print("\n" + json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
