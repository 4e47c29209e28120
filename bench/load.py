"""Load generation and CPU accounting shared by the HTTP benchmarks.

The load comes from `wrk` (Debian's package `wrk`), a separate C process: Python client
threads in the benchmark's own process cost about as much CPU per request as the server
does, and on a 2-core machine they would measure themselves. Where `wrk` is missing the
benchmarks fall back to Python keep-alive clients and say so.

CPU accounting reads /proc before and after a run: CPU seconds of the server's process tree
(`esgx`), of the load generator, and of the rest of the machine (`postgres`: PostgreSQL, and
the little else this machine runs), per request served.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLOCK = os.sysconf("SC_CLK_TCK")


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


@dataclass(frozen=True)
class WrkResult:
    requests: int
    per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    failed: int  # non-2xx/3xx answers and socket errors

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> WrkResult:
    """Figures from `wrk --latency` output."""
    found = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None or rate is None:
        raise RuntimeError(f"wrk said:\n{out}")
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.MULTILINE))
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        failed += sum(int(n) for n in errors.groups())
    return WrkResult(
        requests=int(found.group(1)),
        per_s=float(rate.group(1)),
        p50_ms=_ms(latency["50"]),
        p90_ms=_ms(latency["90"]),
        p99_ms=_ms(latency["99"]),
        failed=failed,
    )


def wrk(
    url: str,
    *,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    threads: int = 2,
    script: Path | None = None,
) -> WrkResult:
    """`connections` keep-alive connections sending requests for `seconds`."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], check=True, capture_output=True, text=True)
    return parse_wrk(done.stdout)


def _tree(root: int) -> set[int]:
    """`root` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    return found


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the server's tree, PostgreSQL, `wrk` (a finished child of
    this process, so counted by getrusage) and this process (its client threads, if any)."""
    server = _tree(server_pid)
    # PostgreSQL's server processes come and go (pooled connections closed, autovacuum), and a
    # process that has exited takes its CPU time with it: PostgreSQL's share is what the whole
    # machine used minus everything else measured here.
    busy = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = (sum(busy) - busy[3] - busy[4]) / CLOCK  # all but idle and iowait
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    totals = {
        "esgx": 0.0,
        "postgres": 0.0,
        "wrk": children.ru_utime + children.ru_stime,
        "bench": own.ru_utime + own.ru_stime,
    }
    for pid in server:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totals["esgx"] += (int(fields[11]) + int(fields[12])) / CLOCK
    totals["postgres"] = machine - totals["esgx"] - totals["wrk"] - totals["bench"]
    return totals


def measured(server_pid: int, run: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """`run()`'s result and the CPU seconds each group used meanwhile."""
    before = cpu_seconds(server_pid)
    result = run()
    after = cpu_seconds(server_pid)
    return result, {k: after[k] - before.get(k, 0.0) for k in after}
