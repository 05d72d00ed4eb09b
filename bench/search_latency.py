"""Time public search in-process, uncached, on whatever database ``DATABASE_URL`` names.

``make bench`` measures search under load on PostgreSQL, where most answers come from the
cache after their first request. This times the uncached work itself, on either database:
``kb.search.search_published`` for each of the bench's reader-like terms, ``--rounds``
times (the live names, kept per publication state, are built once first, as a running
server has them). It prints p50, p95 and the slowest terms (``--json``: one JSON line,
which ``make bench`` reads for its "search uncached" goals on both databases).

    DATABASE_URL=postgres://…/kb_bench python bench/search_latency.py
    DATABASE_URL=sqlite:///bench/kb_bench.sqlite3 python bench/search_latency.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["CACHE_URL"] = "locmem://"
os.environ["REDIS_URL"] = ""

import django  # noqa: E402

django.setup()

from corpus import SEARCH_TERMS  # noqa: E402
from django.db import connection  # noqa: E402

from kb import search_names  # noqa: E402
from kb.search import search_published  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON line instead")
    args = parser.parse_args()
    search_names.live_names()
    search_published(query="warm up")
    timings: dict[str, list[float]] = {term: [] for term in SEARCH_TERMS}
    #: This process's CPU time per search: on a machine shared with other work the elapsed
    #: time includes waiting for a core; this does not (nor the database server's work).
    cpu: list[float] = []
    totals: dict[str, int] = {}
    for _ in range(args.rounds):
        for term in SEARCH_TERMS:
            began, began_cpu = time.perf_counter(), time.process_time()
            results = search_published(query=term)
            timings[term].append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            totals[term] = results.total
    every = [ms for values in timings.values() for ms in values]
    slowest = sorted(timings, key=lambda t: -statistics.median(timings[t]))[:8]
    if args.json:
        figures = {
            "database": connection.vendor,
            "searches": len(every),
            "terms": len(SEARCH_TERMS),
            "p50_ms": round(percentile(every, 0.5), 1),
            "p95_ms": round(percentile(every, 0.95), 1),
            "max_ms": round(max(every), 1),
            "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
            "slowest": {t: [round(statistics.median(timings[t]), 1), totals[t]] for t in slowest},
        }
        print(json.dumps(figures))
        return
    print(f"{connection.vendor}: {len(every)} searches, {len(SEARCH_TERMS)} terms")
    print(f"p50 {percentile(every, 0.5):.1f} ms  p95 {percentile(every, 0.95):.1f} ms"
          f"  max {max(every):.1f} ms")  # fmt: skip
    print(f"this process's CPU per search: p95 {percentile(cpu, 0.95):.1f} ms")
    for term in slowest:
        print(f"  {term:<16} {statistics.median(timings[term]):7.1f} ms  {totals[term]} hits")


if __name__ == "__main__":
    main()
