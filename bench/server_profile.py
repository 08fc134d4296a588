"""Summarise the per-request server timings written by ``app/request_profile.py``.

    .venv/bin/python bench/server_profile.py DIR [--since UNIX_SECONDS]

``bench/load.py --profile`` calls :func:`report` at the end of its run. Per endpoint it prints
p50 / p95 / max of: wall time inside the app (``wall``), the thread's own CPU time (``cpu``),
SQL statements per request (``sql#``) and their time (``sql``), the wait for a pooled
connection (``pool``), the COMMIT (``commit``: the WAL flush), garbage-collector pauses
while the request ran (``gc``) and the CPU of the collections its own thread ran (``gc cpu``,
part of ``cpu``), requests the worker was serving at once (``busy``), and the time before
the app saw the request (``queue``: connection, gunicorn's queue, a free thread; needs the
client's ``X-Request-Start``). Times in ms. ``wall - cpu - sql - commit`` is time spent
waiting for the GIL (other threads of the worker) or for the machine's cores.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

COLUMNS = (
    "wall_ms",
    "cpu_ms",
    "sql_n",
    "sql_ms",
    "pool_ms",
    "commit_ms",
    "gc_ms",
    "gc_cpu_ms",
    "in_flight",
    "queue_ms",
)
HEADERS = ("wall", "cpu", "sql#", "sql", "pool", "commit", "gc", "gc cpu", "busy", "queue")


def load(directory: Path, since: float = 0.0) -> list[dict[str, Any]]:
    """Every request record of every worker (those that started at or after ``since``)."""
    records = []
    for path in sorted(directory.glob("requests-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("t", since) >= since:
                    records.append(record)
    return records


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def _cell(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, 50):.0f}/{percentile(values, 95):.0f}/{max(values):.0f}"


def table(records: list[dict[str, Any]]) -> list[str]:
    """Lines of the per-endpoint table (p50/p95/max per column), all requests last."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[f"{record['method']} {record['endpoint']}"].append(record)
    groups["all"] = records
    lines = [
        "server side, per request: p50/p95/max (ms; sql# and busy are counts)",
        f"{'endpoint':26} {'n':>5} " + " ".join(f"{h:>13}" for h in HEADERS),
    ]
    for name, rows in sorted(groups.items(), key=lambda kv: (kv[0] == "all", -len(kv[1]))):
        cells = []
        for column in COLUMNS:
            values = [float(r[column]) for r in rows if r.get(column) is not None]
            cells.append(_cell(values))
        lines.append(f"{name[:26]:26} {len(rows):>5} " + " ".join(f"{c:>13}" for c in cells))
    full = sum(int(r.get("gc_full", 0)) for r in records)
    cpu = sum(float(r["cpu_ms"]) for r in records)
    gc_cpu = sum(float(r.get("gc_cpu_ms", 0)) for r in records)
    slow = [r for r in records if r["wall_ms"] > 150]
    lines.append(
        f"requests={len(records)} over_150ms_in_app={len(slow)} "
        f"requests_during_a_full_gc={full} 5xx={sum(1 for r in records if r['status'] >= 500)} "
        f"cpu_total={cpu / 1000:.1f}s of_which_gc={gc_cpu / 1000:.1f}s"
    )
    return lines


def totals(directory: Path) -> tuple[dict[str, list[float]], list[list[float]], list[int]]:
    """Every worker's statement totals, full collections and old-object counts, merged."""
    statements: dict[str, list[float]] = {}
    collections: list[list[float]] = []
    old_objects = []
    for path in sorted(directory.glob("totals-*.json")):
        data = json.loads(path.read_text())
        collections += data["gc"]["full_collections"]
        old_objects.append(int(data["gc_old_objects"]))
        for text, (n, total, top) in data["statements"].items():
            entry = statements.setdefault(text, [0, 0.0, 0.0])
            entry[0] += n
            entry[1] += total
            entry[2] = max(entry[2], top)
    return statements, collections, old_objects


def statements_table(statements: dict[str, list[float]], top: int = 15) -> list[str]:
    """The statements with the most time in total (whole run, logins included)."""
    lines = [f"top SQL by total time (whole run): {'n':>6} {'total ms':>9} {'mean':>6} {'max':>6}"]
    ranked = sorted(statements.items(), key=lambda kv: -kv[1][1])[:top]
    for text, (n, total, most) in ranked:
        flat = " ".join(text.split())[:150]
        lines.append(f"  {int(n):>6} {total:>9.0f} {total / n:>6.1f} {most:>6.0f}  {flat}")
    return lines


def gc_lines(collections: list[list[float]], old_objects: list[int]) -> list[str]:
    """Full collections of the workers: how many, how long (wall and own CPU)."""
    if not collections:
        return ["full GC: none"]
    walls = [c[0] for c in collections]
    cpus = [c[1] for c in collections]
    return [
        f"full GC (whole run, all workers): {len(collections)} collections; wall p50/max "
        f"{percentile(walls, 50):.0f}/{max(walls):.0f} ms; own CPU p50/max "
        f"{percentile(cpus, 50):.0f}/{max(cpus):.0f} ms; old (unfrozen) objects per worker "
        f"at the last dump: {old_objects}"
    ]


def report(directory: Path, since: float = 0.0) -> None:
    """Print the tables for the records in ``directory``."""
    records = load(directory, since)
    if not records:
        print(f"no server-side records in {directory}")
        return
    print("\n".join(table(records)))
    statements, collections, old_objects = totals(directory)
    print("\n".join(gc_lines(collections, old_objects)))
    print("\n".join(statements_table(statements)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--since", type=float, default=0.0)
    args = parser.parse_args()
    report(args.directory, args.since)


if __name__ == "__main__":
    main()
