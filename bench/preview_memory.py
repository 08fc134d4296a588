"""Peak memory of an import preview (the admin page's dry run) of a 20 MB customers CSV.

    .venv/bin/python bench/preview_memory.py [--mb 20] [--backend sqlite|postgresql]

Builds a `;`-separated customers file of the given size (Brazilian numbers, accents; about
110 bytes a row), stores 2,000 of its customers first (so the preview compares as well as
creates), then runs the same dry run the upload page runs, twice, each in a fresh process:
once measuring Python allocations with ``tracemalloc`` (peak above the start) and once
measuring the process's peak resident memory (``ru_maxrss``) growth without tracing.
Prints one line per measure, then a JSON line with the figures and the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from app.services.imports import import_file  # noqa: E402
from bench.support import bench_app, company_with_rep, scratch_database  # noqa: E402
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows  # noqa: E402


def build_file(megabytes: int) -> bytes:
    """A customers CSV of about `megabytes` MB."""
    one = len(csv_bytes(CUSTOMER_HEADER, customer_rows(1, start=10_000)))
    per_row = len(csv_bytes(CUSTOMER_HEADER, customer_rows(2, start=10_000))) - one
    rows = megabytes * 1024 * 1024 // per_row
    return csv_bytes(CUSTOMER_HEADER, customer_rows(rows))


def prepare(url: str) -> int:
    """Schema, a company, its rep R010 and 2,000 stored customers; the company id."""
    app = bench_app(url)
    with app.app_context():
        db.create_all()
        company = company_with_rep(slug=f"bench-{uuid.uuid4().hex[:6]}")
        first = import_file(
            kind="customers",
            raw=csv_bytes(CUSTOMER_HEADER, customer_rows(2_000)),
            filename="c.csv",
            company_id=company.id,
            actor_id=None,
            dry_run=False,
        )
        assert first.ok, first.problems[:3]
        db.session.commit()
        return company.id


def measure(url: str, company_id: int, path: Path, trace: bool) -> dict[str, float]:
    """One dry run in this process: seconds, rows, and the peak above the start (MB)."""
    app = bench_app(url)
    raw = path.read_bytes()
    with app.app_context():
        db.session.execute(sa.text("select 1"))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        result = import_file(
            kind="customers",
            raw=raw,
            filename="clientes.csv",
            company_id=company_id,
            actor_id=None,
            dry_run=True,
        )
        seconds = time.perf_counter() - started
        peak = 0.0
        if trace:
            peak = (tracemalloc.get_traced_memory()[1] - base) / 1024 / 1024
            tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert result.ok, result.problems[:3]
        db.session.rollback()
    return {
        "seconds": round(seconds, 2),
        "rows": result.rows,
        "created": result.created,
        "unchanged": result.unchanged,
        "tracemalloc_peak_mb": round(peak, 1),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "rss_peak_mb": round(rss_after, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--child", nargs=4, metavar=("URL", "COMPANY", "FILE", "TRACE"))
    args = parser.parse_args()
    if args.child:
        url, company, file, trace = args.child
        print(json.dumps(measure(url, int(company), Path(file), trace == "1")))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_database(args.backend, Path(tmp), "preview")
        try:
            company_id = prepare(url)
            path = Path(tmp) / "clientes.csv"
            path.write_bytes(build_file(args.mb))
            size_mb = path.stat().st_size / 1024 / 1024
            figures: dict[str, object] = {"file_mb": round(size_mb, 1), "cores": os.cpu_count()}
            for trace in ("0", "1"):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, str(company_id), str(path), trace],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                run = json.loads(out.strip().splitlines()[-1])
                label = "tracemalloc" if trace == "1" else "rss"
                print(f"{label}: {run}")
                if trace == "1":
                    figures["tracemalloc_peak_mb"] = run["tracemalloc_peak_mb"]
                    figures["rows"] = run["rows"]
                else:
                    figures["rss_growth_mb"] = run["rss_growth_mb"]
                    figures["rss_peak_mb"] = run["rss_peak_mb"]
                    figures["seconds"] = run["seconds"]
            print(json.dumps(figures))
        finally:
            drop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
