"""Comments on a revision, anchored to a section and optionally quoting a passage.

A comment is part of the revision's review record, so it is append-only like the workflow
log (I4): written once, never edited or deleted. A thread is a top-level comment and its
replies (``parent``); resolving a thread is one more row (``is_resolution``) that names who
resolved it and when, so nothing of the conversation is ever overwritten. The database holds
the shape: a resolution or reply always belongs to a thread, a thread is resolved at most
once, and only a resolution may have no text.

The section a comment is about may later be deleted from a draft by its author (say, because
the reviewer asked for that): the comment then keeps the heading it was written against
(``section_heading``) and its ``section`` becomes empty, the one change the database makes
to a recorded comment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kb.models.immutability import AppendOnlyModel


class SectionComment(AppendOnlyModel):
    revision = models.ForeignKey("kb.Revision", on_delete=models.PROTECT, related_name="comments")
    section = models.ForeignKey(
        "kb.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The section the comment is about; empty for the whole revision.",
    )
    section_heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="The section's heading when the comment was written.",
    )
    quote = models.TextField(blank=True, help_text="The passage the comment is about (optional).")
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="section_comments"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        help_text="The thread this row answers or resolves; empty for a new thread.",
    )
    is_resolution = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "section comment"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_resolution=True) | ~models.Q(body=""),
                name="kb_comment_has_text",
                violation_error_message="Write the comment.",
            ),
            models.CheckConstraint(
                condition=models.Q(is_resolution=False) | models.Q(parent__isnull=False),
                name="kb_comment_resolution_in_thread",
            ),
            models.UniqueConstraint(
                fields=["parent"],
                condition=models.Q(is_resolution=True),
                name="kb_comment_resolved_once",
                violation_error_message="This comment is already resolved.",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.revision}"
