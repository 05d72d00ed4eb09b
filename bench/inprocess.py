"""Django-side steps of the benchmark, run as a subprocess against the benchmark database.

``prepare``  sets the bench partner's throttle out of the way, revokes its older keys and
             picks the article pool (seeded sample of the live set) and the cold list.
``queries``  requests each scenario's URL twice with Django's test client under
             ``CaptureQueriesContext`` (cold, then warm) and reports the counts and the
             slowest query of each: gunicorn workers do not expose query counts.
``explain``  ``EXPLAIN (ANALYZE, BUFFERS)`` of one captured SELECT (plain ``EXPLAIN`` when
             it is too slow to run again).

Every query runs under a ``statement_timeout``, so one pathological page cannot stall the run.

Input and output are JSON on stdin/stdout, so the orchestrator needs no Django itself.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

#: High enough never to answer 429 under load; the throttle still counts every request
#: (one ``incr`` in the shared cache, whatever the rate: kb/api/throttling.py).
BENCH_THROTTLE = "1000000/second"


def prepare(params: dict) -> dict:
    from accounts.models import Partner, PartnerAPIKey
    from kb.selectors import published_revisions

    partner = Partner.objects.get(name=params["partner"])
    partner.throttle_rate = BENCH_THROTTLE
    partner.full_clean()
    partner.save(update_fields=["throttle_rate"])
    PartnerAPIKey.objects.filter(partner=partner, revoked=False).exclude(
        prefix=params["key_prefix"]
    ).update(revoked=True)
    live = sorted(published_revisions().values_list("condition__slug", flat=True))
    rng = random.Random(params["seed"])
    shuffled = rng.sample(live, len(live))
    pool = shuffled[: params["pool"]]
    return {"live": len(live), "pool": pool, "cold": shuffled[params["pool"] :]}


def _statement_timeout(milliseconds: int) -> None:
    """Bound every query of this process: a pathological page must not stall the run."""

    def apply(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(milliseconds)}")

    connection_created.connect(apply, weak=False)
    if connection.connection is not None:
        apply(None, connection)


def _request(client: Client, path: str, headers: dict) -> dict:
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        try:
            status = client.get(path, headers=headers).status_code
        except Exception as exc:  # noqa: BLE001 (a timed-out query: reported, not fatal)
            status = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    wall_ms = (time.perf_counter() - began) * 1000
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
    return {
        "status": status,
        "ms": round(wall_ms, 1),
        "queries": len(ctx.captured_queries),
        "slowest_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_sql": slowest["sql"] if slowest else None,
    }


def _probe(client: Client, item: dict, *, slow_ms: float) -> dict:
    headers = dict(item.get("headers") or {})
    if item.get("etag"):  # conditional GET: ask for the validator first, uncounted
        first = client.get(item["path"], headers=headers)
        headers["If-None-Match"] = first.headers.get("ETag", "")
    cold = _request(client, item["path"], headers)
    if isinstance(cold["status"], str) or cold["ms"] > slow_ms:
        # Too slow to ask twice within the run's time budget; nothing is cached for it
        # anyway (or the request failed), so the cold figures stand for both.
        warm = {**cold, "note": "not repeated: the cold request was too slow or failed"}
    else:
        warm = _request(client, item["path"], headers)
    return {"path": item["path"], "cold": cold, "warm": warm}


def queries(params: dict) -> dict:
    _statement_timeout(params["statement_timeout_ms"])
    client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=True)
    for path in params.get("prime", []):
        client.get(path, headers=params.get("headers") or {})
    return {
        item["name"]: _probe(client, item, slow_ms=params["slow_ms"]) for item in params["plan"]
    }


def explain(params: dict) -> dict:
    """The plan of one captured query; with ANALYZE only when it runs in reasonable time."""
    sql = params["sql"].strip()
    if not sql.upper().startswith("SELECT"):
        return {"plan": "(not a SELECT; not explained)"}
    analyse = params.get("analyse", True)
    _statement_timeout(params["statement_timeout_ms"])
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyse else "EXPLAIN ") + sql)
        lines = [row[0] for row in cursor.fetchall()]
    if not analyse:
        lines.insert(0, "(EXPLAIN without ANALYZE: the query takes too long to run again)")
    return {"plan": "\n".join(lines)}


COMMANDS = {"prepare": prepare, "queries": queries, "explain": explain}

if __name__ == "__main__":
    result = COMMANDS[sys.argv[1]](json.load(sys.stdin))
    # On a line of its own, last: libraries may print banners on stdout before it.
    sys.stdout.write("\n" + json.dumps(result) + "\n")
