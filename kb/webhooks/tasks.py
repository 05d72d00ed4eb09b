"""Background tasks that deliver webhooks (see ``kb.tasks`` for the engine's rules)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from kb.tasks import enqueue_later

#: A pending delivery whose task has not run after this long is taken by the sweep.
LOST_AFTER = dt.timedelta(minutes=2)


class DeliveryFailed(Exception):
    """A webhook attempt failed; the next is scheduled unless it was the last."""


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Make one attempt; on failure schedule the next (back-off) and raise, so the failed
    attempt is visible in the desk's task results."""
    from kb.webhooks.delivery import attempt
    from kb.webhooks.models import DeliveryStatus

    delivery = attempt(delivery_id)
    if delivery is None:
        return "nothing due"
    if delivery.status == DeliveryStatus.DELIVERED:
        return f"delivered ({delivery.response_code})"
    if delivery.status == DeliveryStatus.RETRYING:
        enqueue_later(
            deliver_webhook,
            delivery_id,
            delay=max(delivery.next_attempt_at - timezone.now(), dt.timedelta(0)),
        )
    raise DeliveryFailed(f"Attempt {delivery.attempts}: {delivery.last_error}")


@task()
def retry_due_deliveries() -> int:
    """Attempt every delivery that is due and whose task is lost or could not be deferred
    (the immediate backend); returns how many were attempted."""
    from kb.webhooks.delivery import attempt
    from kb.webhooks.models import DeliveryStatus, WebhookDelivery

    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - LOST_AFTER)
    ).order_by("next_attempt_at", "pk")
    count = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        if attempt(pk) is not None:
            count += 1
    return count
