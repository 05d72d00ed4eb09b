"""Partner webhook endpoints and their deliveries."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WebhookEventType(models.TextChoices):
    ARTICLE_PUBLISHED = "article.published", "An article was published (new revision live)"
    ARTICLE_WITHDRAWN = "article.withdrawn", "An article was withdrawn"
    ARTICLE_MOVED = "article.moved", "An article moved (renamed or merged)"
    ARTICLE_REVIEWED = "article.reviewed", "An article was re-reviewed (same revision)"
    REFERENCE_RETRACTED = "reference.retracted", "A live article cites a newly retracted reference"


#: Sent only by "Send a test event"; endpoints need not subscribe to it.
TEST_EVENT = "webhook.test"


class WebhookEndpoint(models.Model):
    """A partner's URL and the events it wants, with the secret deliveries are signed with.

    The secret is needed to sign every delivery, so it is stored; it is shown to the
    partner once, when the endpoint is registered (desk or API), and never again.
    """

    partner = models.ForeignKey(
        "accounts.Partner", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="First failure since the last success."
    )
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["partner__name", "url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"{self.partner} → {self.url}"

    def wants(self, event_type: str) -> bool:
        return event_type == TEST_EVENT or event_type in (self.events or [])


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed, no more retries"


class WebhookDelivery(models.Model):
    """One event for one endpoint: what was sent, and how each attempt went.

    ``message_id`` is the Standard Webhooks ``webhook-id``: the same on every attempt (and
    on "send again"), so a receiver can drop duplicates. Only a short excerpt of the
    response body is kept.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message_id"], name="kb_webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "retrying"]),
                name="kb_webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint.url} ({self.get_status_display()})"
