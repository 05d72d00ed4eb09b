"""A clinical sign-off: who reviewed which revision, when, and when it is next due (I8).

Approval writes the first review of a revision; re-confirming unchanged text later adds
another review of the same revision without a new revision. Reviews are history: once
recorded they are never changed or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kb.models.immutability import AppendOnlyModel, AppendOnlyQuerySet
from kb.models.revision import ChangeClass

#: The newest review first: the one order every "latest review" read uses.
LATEST_FIRST = ("-reviewed_on", "-created_at", "-id")

#: What the reviewer confirms at approval and at "confirm still accurate", stored word for
#: word with the review so the record says what was attested.
ATTESTATION = "I checked the clinical content against the cited evidence."


class ReviewKind(models.TextChoices):
    APPROVAL = "approval", "Approval"
    RECONFIRMATION = "reconfirmation", "Confirmed still accurate"


class ReviewQuerySet(AppendOnlyQuerySet):
    def latest_first(self):
        return self.order_by(*LATEST_FIRST)

    def latest_for(self, revision):
        """The reviews of ``revision`` (an instance, id or ``OuterRef``), newest first.

        The one "latest review" query: ``.first()`` for one revision, ``[:1]`` in a
        subquery for many.
        """
        return self.filter(revision=revision).latest_first()


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
    attestation = models.CharField(
        max_length=200,
        blank=True,
        help_text="The statement the reviewer confirmed, as worded then (blank on reviews "
        "recorded before attestations were asked for).",
    )
    retraction_acknowledgement = models.TextField(
        blank=True,
        help_text="Why the text may cite publications flagged as retracted, and which; "
        "required to approve such a revision.",
    )
    change_class = models.CharField(
        max_length=20,
        choices=ChangeClass.choices,
        blank=True,
        help_text="The class of change the reviewer confirmed at approval.",
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = list(LATEST_FIRST)
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
