"""A reader's report about a page ("Report an inaccuracy").

Tied to the condition and to the revision the reader saw, and routed to the medical
reviewer who approved that revision, who triages it. A report may quote the passage it is
about and name its section, so the reviewer sees exactly which words of that revision
the reader meant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"


class Feedback(models.Model):
    condition = models.ForeignKey("kb.Condition", on_delete=models.PROTECT, related_name="feedback")
    revision = models.ForeignKey(
        "kb.Revision",
        on_delete=models.PROTECT,
        related_name="feedback",
        help_text="The revision the reader was looking at.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_feedback",
        help_text="The medical reviewer who approved that revision.",
    )
    message = models.TextField()
    passage = models.TextField(
        blank=True,
        help_text="The words the reader selected or quoted, as they saw them (optional).",
    )
    section = models.CharField(
        max_length=120,
        blank=True,
        help_text="The anchor of the section the passage is in, on the revision seen (optional).",
    )
    contact = models.CharField(
        max_length=254, blank=True, help_text="Optional e-mail address for a reply."
    )
    status = models.CharField(
        max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW, db_index=True
    )
    triage_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(message=""), name="kb_feedback_message_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.condition.slug} ({self.get_status_display().lower()})"
