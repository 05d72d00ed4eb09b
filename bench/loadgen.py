"""A small closed-loop HTTP load generator (standard library only).

``concurrency`` threads each keep one ``http.client`` connection and send the next request
as soon as the previous answer is read (keep-alive when the server allows it; gunicorn's
sync workers close after every answer, and ``http.client`` then reconnects, so connection
set-up is part of each latency, as for a real client). Each run is bounded: ``warmup``
seconds, then ``duration`` seconds measured; no request starts after that, and one in
flight may take up to ``timeout`` more. Every answer (or failure) that arrives after the
warm-up counts, so a page slower than the whole window still shows its latency instead of
vanishing; latencies of failures (timeouts) count as measured, and throughput is the number
of expected answers divided by the time from the end of the warm-up to the last answer.

The generator shares the machine with the server, so absolute figures understate what the
server alone could do; ratios between scenarios of one run are the figures to compare.
"""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

#: (path, headers) for the next request, given the thread's own random generator.
RequestMaker = Callable[[random.Random], tuple[str, dict[str, str]]]


@dataclass
class Outcome:
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    rps: float = 0.0
    mean_ms: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None

    def as_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def run(
    *,
    host: str,
    port: int,
    make_request: RequestMaker,
    expect: int,
    warmup: float,
    duration: float,
    concurrency: int,
    timeout: float,
    seed: int = 1,
) -> Outcome:
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: list[Counter] = [Counter() for _ in range(concurrency)]
    finished = [measure_from] * concurrency

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        own_latencies, own_statuses = latencies[index], statuses[index]
        try:
            while True:
                began = time.perf_counter()
                if began >= stop_at:
                    break
                path, headers = make_request(rng)
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status: int | str = response.status
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    status = type(exc).__name__
                ended = time.perf_counter()
                if ended >= measure_from:
                    own_latencies.append(ended - began)
                    own_statuses[str(status)] += 1
                    finished[index] = ended
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    all_latencies = sorted(x * 1000 for own in latencies for x in own)
    counts: Counter = Counter()
    for own in statuses:
        counts.update(own)
    outcome = Outcome(requests=len(all_latencies), statuses=dict(sorted(counts.items())))
    outcome.errors = sum(n for status, n in counts.items() if status != str(expect))
    outcome.elapsed = max(finished) - measure_from
    if all_latencies and outcome.elapsed > 0:
        outcome.rps = counts.get(str(expect), 0) / outcome.elapsed
        outcome.mean_ms = sum(all_latencies) / len(all_latencies)
        outcome.p50_ms = percentile(all_latencies, 0.50)
        outcome.p95_ms = percentile(all_latencies, 0.95)
        outcome.p99_ms = percentile(all_latencies, 0.99)
        outcome.max_ms = all_latencies[-1]
    return outcome


def get(host: str, port: int, path: str, headers: dict | None = None, timeout: float = 30):
    """One request: (status, headers, body). For set-up steps, not for measuring."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
