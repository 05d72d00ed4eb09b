"""The e-mail outbox: one row per message to one person.

Rows are written inside the transaction of the transition they report, so a rolled-back
transition leaves no message; they are sent after commit, so a slow or failing mail server
never blocks or undoes a transition. A row that could not be sent keeps its error and is
retried by the next ``send_review_reminders`` run. ``(recipient, key)`` is unique: one
message per event per person, and one reminder per person per day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes_requested", "Sent back"
    APPROVED = "approved", "Approved"
    WENT_LIVE = "went_live", "Went live"
    REMINDER = "reminder", "Review reminder"
    RETRACTION = "retraction", "Cited reference retracted"
    READER_REPORT = "reader_report", "Reader report"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(
        max_length=100, help_text="What the message is about, e.g. event:42 or reminder:2026-11-21."
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="kb_notification_once_per_person"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="kb_notification_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}: {self.subject}"
