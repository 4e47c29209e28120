"""Benchmark disclosure intake through the HTTP API on the production server (gunicorn).

For each database: a fresh database is migrated and seeded (suppliers with registered keys and
API tokens), every JWS is signed up front, `esgx serve` is started, and 20 client threads with
keep-alive connections submit, each disclosure a first filing of its own quarter:
  1. single disclosures in a closed loop (each client sends again once answered): the most the
     server takes; by Little's law the mean latency is then clients / throughput;
  2. single disclosures offered at --rate a second (open loop), latency counted from when each
     was due, so time queued behind a slow answer is not hidden;
  3. batches of --batch-size, closed loop.
It prints disclosures per second, p50/p99 latency, CPU per disclosure (server, the rest of the
machine, the client threads) and the ratio to the raw `signing.verify` rate measured in the
same run.

    python bench/ingest_bench.py                      # SQLite and PostgreSQL (127.0.0.1:5432)
    python bench/ingest_bench.py --databases postgresql --workers 4 --threads 8
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

from load import measured
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from esgx_platform.db import Database
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.keys.services import issue_challenge, register_key
from esgx_platform.ledger.integrity import check_log
from esgx_platform.machine.services import create_api_token
from esgx_platform.migrate import upgrade_to_head
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from esgx_platform.organizations.uscc import complete_uscc
from esgx_platform.periods.quarters import Quarter
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
    port: int,
    requests: list[tuple[str, str, bytes, int]],
    clients: int,
    rate: float | None = None,
) -> tuple[float, list[float], int]:
    """Send (token, path, body, expected status) requests from `clients` threads; return
    elapsed seconds, per-request latencies and the count of unexpected statuses.

    Without `rate` each client sends its next request as soon as the last is answered (closed
    loop: the server's saturation throughput). With `rate`, request j is due at start + j/rate
    and is sent then, or as soon as its client is free; its latency counts from when it was
    due, so time spent queued behind a slow answer is not hidden (no coordinated omission).
    """
    latencies: list[float] = []
    failures = [0]
    first_error: list[str] = []
    lock = threading.Lock()
    shares = [list(range(i, len(requests), clients)) for i in range(clients)]
    barrier = threading.Barrier(clients + 1)
    start = [0.0]

    def client(share: list[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        bad = 0
        barrier.wait()
        for j in share:
            token, path, body, expected = requests[j]
            due = start[0] + j / rate if rate else time.perf_counter()
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            conn.request(
                "POST",
                path,
                body=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            body_text = response.read()[:300].decode(errors="replace")
            mine.append(time.perf_counter() - due)
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
    start[0] = time.perf_counter() + 0.05
    barrier.wait()
    for thread in threads:
        thread.join()
    if first_error:
        print(f"first unexpected answer: {first_error[0]}", file=sys.stderr)
    return time.perf_counter() - start[0], latencies, failures[0]


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


def _singles(work: list[tuple[str, str]]) -> list[tuple[str, str, bytes, int]]:
    return [(t, "/api/v1/disclosures", json.dumps({"jws": j}).encode(), 201) for t, j in work]


def _batches(
    work: list[tuple[str, str]], size: int, count: int
) -> list[tuple[str, str, bytes, int]]:
    """`count` batch requests of `size`, each one supplier's."""
    by_supplier: dict[str, list[str]] = {}
    for token, jws in work:
        by_supplier.setdefault(token, []).append(jws)
    requests = []
    for token, items in by_supplier.items():
        for i in range(0, len(items) - size + 1, size):
            if len(requests) < count:
                body = json.dumps({"jws": items[i : i + size]}).encode()
                requests.append((token, "/api/v1/disclosures/batch", body, 200))
    return requests


def _figures(n: int, run: tuple[float, list[float], int], cpu: dict[str, float]) -> dict[str, Any]:
    elapsed, latencies, bad = run
    return {
        "n": n,
        "per_s": n / elapsed,
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "unexpected": bad,
        "cpu_ms": {k: 1000 * v / n for k, v in cpu.items()},
    }


def check_stored_log(url: str, filed: int) -> str:
    """After the load: every disclosure filed is stored once, and the whole log re-hashes to
    the newest signed checkpoint (so group commit kept it consistent); else stop with why."""
    db = Database(url)
    try:
        with db.transaction(write=False) as s:
            stored = s.scalar(select(func.count()).select_from(StoredDisclosure)) or 0
            checked = check_log(s)
    finally:
        db.dispose()
    if stored != filed:
        raise SystemExit(f"{filed} disclosures filed, {stored} stored")
    return (
        f"{stored} disclosures stored once each; all {checked.size} log entries re-hash "
        f"to the newest signed checkpoint"
    )


def bench(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    suppliers = seed(url, args.suppliers)
    # Every disclosure is a first filing of its own quarter (a duplicate would take the cheap
    # resubmission path): quarters for the closed-loop and paced singles, then the batches'.
    per_supplier = [
        -(-args.single // args.suppliers),
        -(-args.paced // args.suppliers),
        -(-args.batches // args.suppliers) * args.batch_size,
    ]
    periods = _quarters(sum(per_supplier))
    cut = [0, per_supplier[0], per_supplier[0] + per_supplier[1], len(periods)]
    single_work = sign_all(suppliers, periods[cut[0] : cut[1]])[: args.single]
    paced_work = sign_all(suppliers, periods[cut[1] : cut[2]])[: args.paced]
    batch_work = sign_all(suppliers, periods[cut[2] : cut[3]])
    own = [jws for token, jws in single_work if token == suppliers[0].token]
    baseline = verify_rate(own, public_jwk(suppliers[0].key))
    port = 18000 + os.getpid() % 1000
    instance = Path(tempfile.mkdtemp(prefix="esgx-ingest-bench-"))
    server = start_server(url, port, args.workers, args.threads, instance)
    try:
        single = _singles(single_work)
        closed = measured(server.pid, lambda: run_clients(port, single, args.clients))
        paced_requests = _singles(paced_work)
        paced = measured(
            server.pid,
            lambda: run_clients(port, paced_requests, args.clients, rate=args.rate),
        )
        batch_requests = _batches(batch_work, args.batch_size, args.batches)
        clients = min(args.clients, len(batch_requests))
        batched = measured(server.pid, lambda: run_clients(port, batch_requests, clients))
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"server log: {instance / 'server.log'}", file=sys.stderr)
    log = check_stored_log(
        url, len(single) + len(paced_requests) + len(batch_requests) * args.batch_size
    )
    return {
        "log": log,
        "database": name,
        "verify_per_s": baseline,
        "single": _figures(len(single), *closed),
        "paced": {"offered_per_s": args.rate, **_figures(len(paced_requests), *paced)},
        "batch": {
            "requests": len(batch_requests),
            **_figures(len(batch_requests) * args.batch_size, *batched),
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
    parser.add_argument("--single", type=int, default=1500, help="single submissions, closed loop")
    parser.add_argument(
        "--paced", type=int, default=1500, help="single submissions at --rate, open loop"
    )
    parser.add_argument("--rate", type=float, default=100.0, help="paced submissions a second")
    parser.add_argument("--batches", type=int, default=40, help="batch requests")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    # Two processes of twelve threads measured best for intake (docs/intake.md): a submission
    # waiting for its group holds a thread, and more processes contend for the log's lock.
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=12, help="threads per worker")
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
        v = r["verify_per_s"]
        print(f"\n[{r['database']}] raw signing.verify: {v:,.0f}/s (one core, same JWS)")
        lines = (
            ("single", "closed loop: each client sends when answered"),
            ("paced", f"offered {args.rate:g}/s; latency counted from when due"),
            ("batch", f"{args.batch_size} a request, closed loop"),
        )
        print(f"  log    : {r['log']}")
        rest = "PostgreSQL" if r["database"] == "postgresql" else "no database server"
        for key, how in lines:
            p = r[key]
            cpu = p["cpu_ms"]
            print(
                f"  {key:6s} : {p['n']} disclosures, {p['per_s']:,.1f}/s ({how}); "
                f"p50 {p['p50_ms']:.0f} ms, p99 {p['p99_ms']:.0f} ms a request; "
                f"ratio to verify {p['per_s'] / v:.3f}; unexpected statuses {p['unexpected']}"
            )
            print(
                f"           CPU a disclosure: server {cpu['esgx']:.1f} ms, rest of the machine "
                f"({rest}) {max(cpu['postgres'], 0.0):.1f} ms, client threads {cpu['bench']:.1f} ms"
            )
    print("\n" + json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
