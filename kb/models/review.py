"""A clinical sign-off: who reviewed which revision, when, and when it is next due (I8).

Approval writes the first review of a revision; re-confirming unchanged text later adds
another review of the same revision without a new revision. Reviews are history: once
recorded they are never changed or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kb.models.immutability import AppendOnlyModel


class ReviewKind(models.TextChoices):
    APPROVAL = "approval", "Approval"
    RECONFIRMATION = "reconfirmation", "Confirmed still accurate"


class Review(AppendOnlyModel):
    revision = models.ForeignKey("kb.Revision", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.APPROVAL)
    reviewed_on = models.DateField()
    next_review_due = models.DateField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-created_at", "-id"]
        get_latest_by = ["reviewed_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_due__gt=models.F("reviewed_on")),
                name="kb_review_next_due_after_review",
                violation_error_message="The next review must fall due after the review date.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.revision} by {self.reviewer} on {self.reviewed_on}"
