"""Benchmark the pull APIs on the production server (gunicorn over TLS) and PostgreSQL.

A fresh database is migrated and seeded with 40 suppliers of one lead factory (keys, consent),
--footprints product footprints spread over them (inserted directly with their listing index:
this measures serving, not intake; the JWS column holds a placeholder) and --disclosures real
signed disclosures filed through the batch API (the native feed serves each with its bundle:
receipts and key events against a checkpoint). `esgx serve` (gunicorn, --workers x --threads)
then answers --clients keep-alive connections from `wrk` (bench/load.py; Python client threads
where `wrk` is missing), --seconds per scenario, twice: over TLS (`esgx serve --certfile
--keyfile`), and over plain HTTP as behind a TLS-terminating proxy on the same host (the
requests carry `X-Forwarded-Proto: https`, which the server trusts from 127.0.0.1). Scenarios:

- baseline: `GET /.well-known/openid-configuration` (a small JSON answer: no database, no
  authentication), i.e. what the server, TLS and Flask cost per request;
- `GET /3/footprints?limit=50` (the first page) and with a `productId` filter;
- `GET /3/footprints?limit=50&cursor=…` (a page deep in the listing);
- `GET /api/v1/feed/disclosures?limit=20` (first page, each record with its bundle).

It prints requests per second, p50/p90/p99 latency, the ratio of each rate to the baseline's,
and the CPU time per request of the server, PostgreSQL and the load generator.

    python bench/pull_bench.py                      # PostgreSQL at 127.0.0.1:5432
    python bench/pull_bench.py --footprints 20000 --seconds 5
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import http.client
import json
import os
import ssl
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from esgx_platform.db import Database
from esgx_platform.devcert import Certificate, self_signed
from esgx_platform.intake.models import FootprintCredential, StoredFootprint
from esgx_platform.keys.models import SigningKey
from esgx_platform.machine.services import create_oauth_client
from esgx_platform.organizations.models import Organization
from esgx_platform.pact.models import FootprintKey, FootprintListing

sys.path.insert(0, str(Path(__file__).parent))
import load
from ingest_bench import (
    FACTORY,
    REPO,
    Supplier,
    _quarters,
    drop_postgres,
    pct,
    postgres_url,
    seed,
    sign_all,
)

FOOTPRINT = REPO / "tests" / "platform" / "disclosures" / "example_footprint.json"
SUPPLIERS = 40
LOG_OFFSET = 10_000_000  # placeholder footprints' log indices, far above the real entries


def _footprint(n: int, urn: str, name: str, created: datetime) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(json.loads(FOOTPRINT.read_text(encoding="utf-8")))
    body.update(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-footprint-{n}")),
        created=created.isoformat().replace("+00:00", "Z"),
        companyIds=[urn],
        companyName=name,
        productIds=[f"urn:pact:bench.example:product-id:p{n}"],
        productClassifications=[f"urn:pact:productclassification:un-cpc:{4200 + n % 20}"],
        productNameCompany=f"Part {n}",
    )
    return body


def seed_footprints(db: Database, count: int) -> None:
    """`count` footprints over the suppliers, with the rows the listing reads."""
    created = datetime(2025, 10, 5, tzinfo=UTC)
    with db.transaction() as s:
        owners = s.execute(
            select(Organization.id, Organization.name_en, SigningKey.id, SigningKey.kid).join(
                SigningKey, SigningKey.organization_id == Organization.id
            )
        ).all()
        owners = [(org_id, name, key_id, kid) for org_id, name, key_id, kid in owners]
        urns = {org_id: s.get_one(Organization, org_id).urn for org_id, *_ in owners}
    for start in range(0, count, 5000):
        credentials, stored, listing, keys = [], [], [], []
        for n in range(start, min(count, start + 5000)):
            org_id, name, key_id, kid = owners[n % len(owners)]
            body = _footprint(n, urns[org_id], name, created)
            fid, cid = uuid.UUID(body["id"]), uuid.uuid4()
            digest = hashlib.sha256(f"bench {n}".encode()).hexdigest()
            credentials.append(
                {
                    "id": cid, "organization_id": org_id, "content_id": digest,
                    "jws": f"placeholder.{n}.jws", "jws_sha256": digest, "issuer": urns[org_id],
                    "kid": kid, "signing_key_id": key_id, "log_index": LOG_OFFSET + n,
                    "logged_at": created, "footprint_id": fid, "submitted_via": "bench",
                }
            )  # fmt: skip
            pcf = body["pcf"]
            stored.append(
                {
                    "id": fid, "organization_id": org_id, "credential_id": cid,
                    "spec_version": body["specVersion"], "created": created, "status": "Active",
                    "product_ids": body["productIds"], "company_ids": body["companyIds"],
                    "classifications": body["productClassifications"], "preceding_ids": [],
                    "geography_country": "CN",
                    "reference_period_start": datetime(2025, 7, 1, tzinfo=UTC),
                    "reference_period_end": datetime(2025, 10, 1, tzinfo=UTC),
                    "validity_start": datetime(2025, 10, 1, tzinfo=UTC),
                    "validity_end": datetime(2028, 9, 30, tzinfo=UTC),
                    "declared_unit": pcf["declaredUnitOfMeasurement"],
                    "pcf_excluding_biogenic": pcf["pcfExcludingBiogenicUptake"], "body": body,
                }
            )  # fmt: skip
            listing.append(
                {
                    "footprint_id": fid, "organization_id": org_id, "log_index": LOG_OFFSET + n,
                    "valid_from": datetime(2025, 10, 1, tzinfo=UTC),
                    "valid_until": datetime(2028, 9, 30, tzinfo=UTC),
                }
            )  # fmt: skip
            keys += [
                {"footprint_id": fid, "kind": "product", "value": body["productIds"][0].lower()},
                {"footprint_id": fid, "kind": "company", "value": urns[org_id].lower()},
                {"footprint_id": fid, "kind": "class", "value": body["productClassifications"][0]},
                {"footprint_id": fid, "kind": "geo", "value": "cn"},
            ]
        with db.transaction() as s:
            for model, rows in (
                (FootprintCredential, credentials),
                (StoredFootprint, stored),
                (FootprintListing, listing),
                (FootprintKey, keys),
            ):
                s.execute(insert(model), rows)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def analyze(url: str) -> None:
    db = Database(url)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    db.dispose()


def oauth_client(db: Database) -> tuple[str, str]:
    from esgx_platform.organizations.services import find_by_uscc

    with db.transaction() as s:
        factory = find_by_uscc(s, FACTORY)
        assert factory is not None
        issued = create_oauth_client(
            s,
            organization=factory,
            name="bench",
            scopes=["footprints:read", "disclosures:read"],
            actor_user_id=None,
        )
        return issued.record.client_id, issued.secret


class Client:
    """Keep-alive connections to the server: HTTPS trusting its self-signed certificate, or
    plain HTTP as a TLS-terminating proxy on the same host would send it."""

    def __init__(self, port: int, cert: Certificate | None) -> None:
        self.port = port
        self.context = (
            None if cert is None else ssl.create_default_context(cafile=str(cert.cert_file))
        )
        self.scheme = "http" if cert is None else "https"
        self.headers = {"X-Forwarded-Proto": "https"} if cert is None else {}

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def connect(self) -> http.client.HTTPConnection:
        if self.context is None:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.context)

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = self.connect()
        conn.request(method, path, body=body, headers=self.headers | (headers or {}))
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data, dict(response.getheaders())


def start_server(
    url: str, port: int, args: argparse.Namespace, instance: Path, cert: Certificate | None
) -> Any:
    import subprocess

    env = {
        **os.environ,
        "ESGX_DATABASE_URL": url,
        "ESGX_INSTANCE_DIR": str(instance),
        "ESGX_LOG_LEVEL": "WARNING",
    }
    cmd = [
        sys.executable, "-m", "esgx_platform.cli", "serve", "--port", str(port),
        "--workers", str(args.workers), "--threads", str(args.threads),
    ]  # fmt: skip
    if cert is not None:
        cmd += ["--certfile", str(cert.cert_file), "--keyfile", str(cert.key_file)]
    log = (instance / "server.log").open("ab")
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    client = Client(port, cert)
    for _ in range(300):
        try:
            if client.call("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"server did not start; see {instance / 'server.log'}")


def stop_server(server: Any) -> None:
    server.terminate()
    server.wait(timeout=30)


def file_disclosures(https: Client, suppliers: list[Supplier], count: int) -> None:
    """File `count` signed disclosures through the batch API (50 per request)."""
    per_supplier = -(-count // len(suppliers))
    work = sign_all(suppliers, _quarters(per_supplier))[:count]
    by_token: dict[str, list[str]] = {}
    for token, jws in work:
        by_token.setdefault(token, []).append(jws)
    for token, items in by_token.items():
        for i in range(0, len(items), 50):
            status, data, _ = https.call(
                "POST",
                "/api/v1/disclosures/batch",
                json.dumps({"jws": items[i : i + 50]}).encode(),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            if status != 200:
                raise SystemExit(f"batch filing failed: {status} {data[:300]!r}")


def access_token(https: Client, client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, data, _ = https.call(
        "POST",
        "/auth/token",
        b"grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, data
    return str(json.loads(data)["access_token"])


def run_gets(
    https: Client, path: str, headers: dict[str, str], requests: int, clients: int
) -> dict[str, float]:
    """`requests` GETs of `path` from `clients` keep-alive Python client threads (where `wrk`
    is missing): rate and latencies."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(count: int) -> None:
        conn = https.connect()
        conn.request("GET", "/healthz")  # the TLS handshake, before the clock starts
        conn.getresponse().read()
        mine, bad = [], 0
        barrier.wait()
        for _ in range(count):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status != 200
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    shares = [requests // clients + (i < requests % clients) for i in range(clients)]
    threads = [threading.Thread(target=client, args=(n,)) for n in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "requests": requests,
        "per_s": requests / elapsed,
        "p50_ms": pct(latencies, 0.5),
        "p90_ms": pct(latencies, 0.9),
        "p99_ms": pct(latencies, 0.99),
        "failed": failures[0],
    }


def deep_cursor_path(https: Client, token: str, pages: int) -> str:
    """The path of a page `pages` pages into the listing, by following next links."""
    path = "/3/footprints?limit=50"
    for _ in range(pages):
        status, _, headers = https.call("GET", path, headers={"Authorization": f"Bearer {token}"})
        assert status == 200
        link = headers["Link"]
        path = link[link.index("/3/") : link.index(">")]
    return path


def scenarios(token: str, deep: str) -> dict[str, tuple[str, str | None]]:
    return {
        "baseline GET /.well-known/openid-configuration": (
            "/.well-known/openid-configuration",
            None,
        ),
        "GET /3/footprints?limit=50": ("/3/footprints?limit=50", token),
        "  with productId filter": (
            "/3/footprints?limit=50&productId=urn:pact:bench.example:product-id:P4242",
            token,
        ),
        "  page 21 (cursor)": (deep, token),
        "GET /api/v1/feed/disclosures?limit=20": ("/api/v1/feed/disclosures?limit=20", token),
    }


def run_mode(
    client: Client, server: Any, args: argparse.Namespace, token: str, deep: str
) -> dict[str, dict[str, float]]:
    """Every scenario against one server; with `wrk`, CPU ms per request by process group."""
    results = {}
    for name, (path, tok) in scenarios(token, deep).items():
        headers = client.headers | ({"Authorization": f"Bearer {tok}"} if tok else {})
        if args.load == "wrk":
            url = client.base + path
            load.wrk(url, headers=headers, connections=args.clients, seconds=1)  # warm-up
            result, cpu = load.measured(
                server.pid,
                lambda url=url, headers=headers: load.wrk(
                    url, headers=headers, connections=args.clients, seconds=args.seconds
                ),
            )
            figures = result.as_dict()
            figures.update({f"cpu_ms_{k}": 1000 * v / result.requests for k, v in cpu.items()})
        else:
            figures = run_gets(client, path, headers, args.requests, args.clients)
        results[name] = figures
    return results


def report(mode: str, results: dict[str, dict[str, float]]) -> None:
    base = results["baseline GET /.well-known/openid-configuration"]["per_s"]
    print(f"  {mode}:")
    for name, r in results.items():
        cpu = ""
        if "cpu_ms_esgx" in r:
            cpu = (
                f"  cpu/request: server {r['cpu_ms_esgx']:.2f} ms, PostgreSQL "
                f"{r['cpu_ms_postgres']:.2f} ms, wrk {r['cpu_ms_wrk']:.2f} ms"
            )
        print(
            f"    {name:46} {r['per_s']:7,.0f}/s  p50 {r['p50_ms']:6.1f}  p90 {r['p90_ms']:6.1f}  "
            f"p99 {r['p99_ms']:6.1f} ms  x{r['per_s'] / base:.2f}  failed {r['failed']:.0f}{cpu}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--footprints", type=int, default=100_000)
    parser.add_argument("--disclosures", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20, help="keep-alive connections")
    parser.add_argument("--seconds", type=float, default=10, help="per scenario (wrk)")
    parser.add_argument(
        "--requests", type=int, default=4000, help="GETs per scenario (Python clients)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="gunicorn worker processes (default: one per core)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument(
        "--load",
        choices=("wrk", "python"),
        default="wrk" if load.have_wrk() else "python",
        help="load generator (default: wrk where installed)",
    )
    args = parser.parse_args()
    url, db_name = postgres_url(args.pg_url)
    instance = Path(tempfile.mkdtemp(prefix="esgx-pull-bench-"))
    cert = self_signed(instance / "tls")
    port = 19000 + os.getpid() % 1000
    results: dict[str, dict[str, dict[str, float]]] = {}
    try:
        t0 = time.perf_counter()
        suppliers = seed(url, SUPPLIERS)
        db = Database(url)
        seed_footprints(db, args.footprints)
        client_id, secret = oauth_client(db)
        db.dispose()
        for mode, mode_cert in (("TLS (esgx serve --certfile --keyfile)", cert),
                                ("plain HTTP behind a TLS-terminating proxy", None)):  # fmt: skip
            server = start_server(url, port, args, instance, mode_cert)
            try:
                client = Client(port, mode_cert)
                if not results:
                    file_disclosures(client, suppliers, args.disclosures)
                    analyze(url)  # as autovacuum would have by now
                    print(f"seeded in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
                token = access_token(client, client_id, secret)
                deep = deep_cursor_path(client, token, 20)
                results[mode] = run_mode(client, server, args, token, deep)
            finally:
                stop_server(server)
    finally:
        drop_postgres(args.pg_url, db_name)
    print(
        f"pull benchmark, PostgreSQL, {os.cpu_count()} cores, {args.footprints:,} footprints, "
        f"{args.disclosures:,} disclosures, {args.clients} keep-alive connections from "
        f"{args.load}, esgx serve with {args.workers} workers x {args.threads} threads"
    )
    for mode, figures in results.items():
        report(mode, figures)
    print("\n" + json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
