"""Writes on webhook endpoints: register, remove, test, send again (desk and API)."""

from __future__ import annotations

import base64
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kb.webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from kb.webhooks.ssrf import UnsafeURL, check_url


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def clean_events(events) -> list[str]:
    """The event types asked for, checked; a clear error names any unknown one."""
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError("Choose at least one event.", code="no_events")
    known = set(WebhookEventType.values)
    unknown = [str(event) for event in events if event not in known]
    if unknown:
        raise ValidationError(
            f"Unknown event {unknown[0]!r}; choose from {', '.join(sorted(known))}.",
            code="unknown_event",
        )
    return sorted(set(events))


def clean_url(url: str) -> str:
    """The URL, if webhooks may be sent there (``ssrf``); a clear error otherwise."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError("The URL is longer than 500 characters.", code="url_too_long")
    try:
        check_url(url)
    except UnsafeURL as exc:
        raise ValidationError(str(exc), code="unsafe_url") from exc
    return url


def register_endpoint(*, partner, url: str, events) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret, which is shown this once."""
    events = clean_events(events)
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url=clean_url(url), events=events, secret=new_secret()
    )
    return endpoint, endpoint.secret


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery record."""
    endpoint.delete()


def send_test_event(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` delivery to this endpoint alone, so a partner can check its
    receiver (and signature check) without waiting for a publication."""
    from kb.tasks import enqueue_on_commit
    from kb.webhooks.tasks import deliver_webhook

    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=f"msg_test_{secrets.token_hex(12)}",
        event_type=TEST_EVENT,
        payload={
            "type": TEST_EVENT,
            "timestamp": now.isoformat(),
            "data": {"endpoint": endpoint.pk, "time": now.isoformat()},
        },
        next_attempt_at=now,
    )
    enqueue_on_commit(deliver_webhook, delivery.pk)
    return delivery


@transaction.atomic
def send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same ``webhook-id``, so the receiver can tell), whatever
    happened to it before; the attempt count goes on from where it was."""
    from kb.tasks import enqueue_on_commit
    from kb.webhooks.tasks import deliver_webhook

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    enqueue_on_commit(deliver_webhook, delivery.pk)
    delivery.refresh_from_db()
    return delivery
