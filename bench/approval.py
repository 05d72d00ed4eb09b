"""Approval time with and without a slow partner webhook endpoint (``make bench``, step
``approval``; issue 17: "approving while a partner endpoint is slow does not slow the
approval, the delivery is a task").

Run by ``run.py`` as a subprocess against a small database of its own (never the load
scenarios' one), with the production task backend (``KB_TASKS_BACKEND=database``) and
loopback allowed for webhooks for this run only (``KB_WEBHOOKS_ALLOW_PRIVATE``). Input and
output are JSON on stdin/stdout, like ``inprocess.py``.

1. A local HTTP receiver that sleeps ``slow_seconds`` (5 s) before answering 204, and a
   partner endpoint registered for ``article.published`` pointing at it (``register_endpoint``).
   A second endpoint points at a receiver that answers at once.
2. ``approvals`` rounds of three revisions in review, each approved with
   ``kb.workflow.approve`` as the desk calls it, timed: with no endpoint switched on (no
   delivery), with the fast one on, with the slow one on; the order rotates each round so
   drift favours none. Two untimed approvals warm up first.
3. Then ``workers`` ``manage.py db_worker --batch`` processes run the queued tasks, and
   the deliveries made (and received) are counted.
"""

from __future__ import annotations

import http.server
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

from accounts.models import Partner  # noqa: E402
from accounts.roles import AUTHOR, MEDICAL_REVIEWER  # noqa: E402
from kb import services, workflow  # noqa: E402
from kb.models.review import ATTESTATION  # noqa: E402
from kb.webhooks import services as webhooks  # noqa: E402
from kb.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint  # noqa: E402

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "An overview paragraph. " * 40},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps\n" * 10},
]
WARM_UP = 2


class SlowReceiver:
    """A partner's receiver that takes ``delay`` seconds to answer every delivery."""

    def __init__(self, delay: float) -> None:
        self.received = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the name http.server calls)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                receiver.received += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kb"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def person(username: str, role: str, credentials: str = ""):
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "display_name": username.replace("-", " ").title(),
            "credentials": credentials,
            "email": f"{username}@example.org",
            "is_staff": True,
        },
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def in_review(*, author, run: str, count: int) -> list:
    revisions = []
    for n in range(count):
        revision = services.create_condition(
            slug=f"approval-{run}-{n:03d}",
            name=f"Approval bench {run} {n}",
            summary="A condition approved by the benchmark.",
            sections=SECTIONS,
            by=author,
        )
        workflow.submit(revision=revision, by=author)
        revisions.append(revision)
    return revisions


def approve_timed(revision, *, reviewer) -> float:
    """Milliseconds of one approval, the desk's call (its transaction and on-commit work)."""
    started = time.perf_counter()
    workflow.approve(revision=revision, by=reviewer, attestation=ATTESTATION)
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 1),
        "max_ms": round(ordered[-1], 1),
        "samples_ms": [round(s, 1) for s in samples],
    }


def run_workers(count: int) -> float:
    """Seconds for ``count`` batch workers to run every task that is due."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--batch",
                "--queue-name",
                "*",
                "--no-startup-delay",
                "--worker-id",
                f"bench-approval-{n}",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n in range(count)
    ]
    for worker in workers:
        _, errors = worker.communicate()
        if worker.returncode != 0:
            sys.stderr.write(errors[-4000:])
            sys.exit("db_worker failed.")
    return time.perf_counter() - started


#: The three ways each round approves: no endpoint wants the event, an endpoint that answers
#: at once wants it, the slow one wants it. Fast vs slow is the point (does the partner's
#: slowness reach the approval?); none vs fast is what queueing a delivery costs.
ARMS = ("without_endpoint", "with_fast_endpoint", "with_slow_endpoint")


def measure(params: dict) -> dict:
    approvals = int(params["approvals"])
    slow = float(params["slow_seconds"])
    run = uuid.uuid4().hex[:8]
    author = person("bench-approval-author", AUTHOR)
    reviewer = person("bench-approval-reviewer", MEDICAL_REVIEWER, "MD")
    partner, _ = Partner.objects.get_or_create(
        name="Bench partner", defaults={"contact_email": "bench@partner.example"}
    )
    WebhookEndpoint.objects.filter(partner=partner).delete()  # an earlier run's

    receivers = {"with_fast_endpoint": SlowReceiver(0), "with_slow_endpoint": SlowReceiver(slow)}
    try:
        endpoints = {
            arm: webhooks.register_endpoint(
                partner=partner, url=receiver.url, events=["article.published"]
            )[0]
            for arm, receiver in receivers.items()
        }
        revisions = in_review(author=author, run=run, count=WARM_UP + len(ARMS) * approvals)

        def only(arm: str) -> None:
            """Switch on the endpoint of ``arm`` alone (none for ``without_endpoint``)."""
            for name, endpoint in endpoints.items():
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=name == arm)

        only("without_endpoint")
        for revision in revisions[:WARM_UP]:
            approve_timed(revision, reviewer=reviewer)
        samples: dict[str, list[float]] = {arm: [] for arm in ARMS}
        queue = iter(revisions[WARM_UP:])
        for n in range(approvals):
            rotation = ARMS[n % len(ARMS) :] + ARMS[: n % len(ARMS)]  # no arm always first
            for arm in rotation:
                only(arm)
                samples[arm].append(approve_timed(next(queue), reviewer=reviewer))
        slow_endpoint = endpoints["with_slow_endpoint"]
        WebhookEndpoint.objects.update(active=True)
        queued = WebhookDelivery.objects.filter(endpoint=slow_endpoint)
        pending = queued.filter(status=DeliveryStatus.PENDING).count()
        contacted = sum(receiver.received for receiver in receivers.values())

        worker_seconds = run_workers(int(params["workers"]))
        delivered = queued.filter(status=DeliveryStatus.DELIVERED).count()
        all_delivered = WebhookDelivery.objects.filter(
            endpoint__in=endpoints.values(), status=DeliveryStatus.DELIVERED
        ).count()
    finally:
        for receiver in receivers.values():
            receiver.close()

    result = {
        "approvals": approvals,
        "slow_seconds": slow,
        "database": os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1],
        "tasks_backend": "database",
        **{arm: summary(values) for arm, values in samples.items()},
        "deliveries": {
            "queued_pending": pending,
            "received_during_approvals": contacted,
            "workers": int(params["workers"]),
            "worker_seconds": round(worker_seconds, 1),
            "delivered": delivered,
            "received": receivers["with_slow_endpoint"].received,
            "delivered_both_endpoints": all_delivered,
        },
    }
    for arm in ARMS[1:]:
        short = arm.removeprefix("with_").removesuffix("_endpoint")
        for figure in ("median", "p95"):
            result[f"ratio_{short}_{figure}"] = round(
                result[arm][f"{figure}_ms"] / result["without_endpoint"][f"{figure}_ms"], 2
            )
    result["ratio_slow_to_fast_median"] = round(
        result["with_slow_endpoint"]["median_ms"] / result["with_fast_endpoint"]["median_ms"], 2
    )
    return result


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.stdin.read() or "{}"))))
