"""The one place periodic background work is started from: ``manage.py enqueue_periodic``.

Cron (or any scheduler) calls the command every few minutes. Each call enqueues the
frequent work (scheduled go-lives, the e-mail and webhook retry sweeps) and, once per day
whatever the number of calls or servers, the daily work (review reminders, the evidence
watch). Every task is idempotent on its own, so a call that runs twice, late, or on two
servers at once does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kb import tasks
from kb.models import PeriodicRun


@dataclass
class PeriodicReport:
    """Names of the tasks one call enqueued."""

    enqueued: list[str] = field(default_factory=list)


def frequent_work() -> list:
    """Tasks enqueued on every call."""
    from kb.webhooks.tasks import retry_due_deliveries

    return [tasks.publish_scheduled, tasks.send_unsent_notifications, retry_due_deliveries]


def daily_work() -> list:
    """Tasks enqueued on the first call of each day."""
    from kb.evidence.tasks import run_evidence_watch

    return [tasks.send_review_reminders, run_evidence_watch]


def claim_day(name: str, *, today=None) -> bool:
    """True for the first caller of the day for ``name`` (one conditional UPDATE)."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=name)
    except IntegrityError:  # a concurrent caller created it
        pass
    claimed = PeriodicRun.objects.filter(
        Q(last_day__isnull=True) | Q(last_day__lt=today), name=name
    ).update(last_day=today, last_enqueued_at=timezone.now())
    return claimed == 1


def enqueue_periodic(*, today=None) -> PeriodicReport:
    """Enqueue the frequent work, and the daily work when this is the day's first call."""
    report = PeriodicReport()
    for work in frequent_work():
        work.enqueue()
        report.enqueued.append(work.name)
    for work in daily_work():
        if claim_day(work.module_path, today=today):
            work.enqueue()
            report.enqueued.append(work.name)
    return report
