"""Background work, on Django's Tasks API (the ``django-tasks`` backport).

Why a task engine: e-mail, partner webhooks and the evidence watch talk to servers that may
be slow or down. None of that may slow or undo an editorial transition, and none of it may
be lost. Each piece of work is a task: enqueued once the transition's transaction has
committed (``enqueue_on_commit``), so a rolled-back transition sends nothing, and run by a
worker (``manage.py db_worker``) or, with ``KB_TASKS_BACKEND=immediate`` (the default with
DEBUG on), in the process that committed.

The rows that carry the work stay the source of truth: the e-mail outbox
(``Notification``), webhook deliveries (``kb.webhooks``), evidence findings
(``kb.evidence``). A task only moves a row forward, under a row lock, so running it twice
sends nothing twice; and the periodic sweep (``enqueue_periodic``) re-enqueues any row a
lost task left behind, so nothing is lost either.

A failed attempt schedules the next one with exponential back-off (when the backend can
defer; otherwise the periodic sweep is the back-off) and then raises, so the attempt is
recorded with its error and shows in the desk (Tasks › Task results), where staff can run
it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)


class NotificationNotSent(Exception):
    """An e-mail could not be sent this time; a later attempt is scheduled."""


def backoff(attempt: int, *, base: dt.timedelta, cap: dt.timedelta) -> dt.timedelta:
    """The wait before attempt ``attempt + 1``: ``base`` doubled per attempt, at most ``cap``."""
    return min(base * (2 ** max(attempt - 1, 0)), cap)


def enqueue_on_commit(work, *args) -> None:
    """Enqueue ``work(*args)`` once the current transaction commits (at once outside one).

    A transition that rolls back enqueues nothing. Enqueueing never raises into the code
    that committed: a task that could not be enqueued is found by the periodic sweep.
    """
    transaction.on_commit(partial(_enqueue, work, args), robust=True)


def _enqueue(work, args) -> None:
    try:
        work.enqueue(*args)
    except Exception:
        logger.exception("Could not enqueue %s%r; the periodic sweep retries.", work.name, args)


def enqueue_later(work, *args, delay: dt.timedelta) -> bool:
    """Enqueue ``work(*args)`` to run after ``delay``; False when the backend cannot defer
    (the immediate backend), in which case the periodic sweep picks the work up."""
    if not default_task_backend.supports_defer:
        return False
    work.using(run_after=timezone.now() + delay).enqueue(*args)
    return True


# --- e-mail ----------------------------------------------------------------------------------

NOTIFICATION_BACKOFF = dt.timedelta(minutes=1)
NOTIFICATION_BACKOFF_CAP = dt.timedelta(hours=6)


@task()
def send_notification(notification_id: int) -> str:
    """Send one outbox row (once: the row is claimed under a lock and marked sent)."""
    from kb import notifications
    from kb.models import Notification

    outcome = notifications.send_one(notification_id)
    if outcome is False:
        row = Notification.objects.get(pk=notification_id)
        if row.attempts < notifications.MAX_ATTEMPTS:
            enqueue_later(
                send_notification,
                notification_id,
                delay=backoff(
                    row.attempts, base=NOTIFICATION_BACKOFF, cap=NOTIFICATION_BACKOFF_CAP
                ),
            )
        raise NotificationNotSent(f"Attempt {row.attempts}: {row.last_error}")
    return "sent" if outcome else "already sent"


@task()
def send_unsent_notifications() -> dict:
    """Retry every outbox row still worth retrying (the sweep behind the per-row tasks)."""
    from kb.notifications import send_pending

    report = send_pending()
    return {"sent": report.sent, "failed": report.failed}


# --- periodic work -----------------------------------------------------------------------------


@task()
def publish_scheduled() -> list[str]:
    """Record scheduled go-lives whose time has come (idempotent)."""
    from kb import workflow

    return [condition.slug for condition in workflow.publish_scheduled()]


@task()
def send_review_reminders() -> dict:
    """Today's review reminders (a person already reminded today is not reminded again)."""
    from kb import reminders

    run = reminders.send_reminders()
    return {"sent": run.sent, "failed": run.failed}


# --- rendered pages ---------------------------------------------------------------------------


@task()
def keep_rendered_answers(condition_id: int) -> int:
    """Render a condition's live page and API detail and keep them (``kb.pages``): after a
    publication or a re-review, so its first reader gets stored bytes rather than a render.
    Nothing depends on it having run: a page not kept is rendered on its first read."""
    from kb.models import Condition
    from kb.pages import keep_answers

    slug = Condition.objects.filter(pk=condition_id).values_list("slug", flat=True).first()
    return keep_answers(slug=slug) if slug else 0
