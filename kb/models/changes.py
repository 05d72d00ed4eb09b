"""The public change log partners sync from: each publication, withdrawal and move.

The workflow log (``WorkflowEvent``) is editorial: it holds comments, actors and drafts. This
log holds only what became public or stopped being public, so the partner API's changes feed
(``/api/v1/changes/``) is one indexed query that cannot reveal editorial detail.

Each entry keeps what it was made under and never changes:

- ``sequence`` is the publication number of the transaction that made it
  (``kb.models.publication``), taken under one row lock, so the order of numbers is the
  order of commits. ``(sequence, id)`` is the partner's cursor: an entry that commits later
  always sorts after every entry a partner could already have read, so following the
  cursor never skips a change. ``at`` is taken under the same lock and grows the same way.
- ``slug`` is the condition's slug when the entry was made; a rename is an entry of its
  own (``moved``, with ``previous_slug``), and every entry lists the condition's earlier
  slugs (``former_slugs``), so a partner holding any of them can find a withdrawal.

A scheduled publication is entered when the go-live is caught up (``publish_scheduled``,
every minute), in the order of that commit; readers already see the text from its go-live
time (query-time resolution).
"""

from __future__ import annotations

from django.db import models

from kb.models.publication import PublicQuerySet


class ChangeAction(models.TextChoices):
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED = "moved", "Moved to a new address"
    UPDATED = "updated", "Updated around the same revision (a review, a retraction notice)"


class PublicChange(models.Model):
    condition = models.ForeignKey(
        "kb.Condition", on_delete=models.PROTECT, related_name="public_changes"
    )
    revision = models.ForeignKey("kb.Revision", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12, choices=ChangeAction.choices)
    at = models.DateTimeField(db_index=True)
    sequence = models.BigIntegerField(
        help_text="The publication number of the transaction (commit order)."
    )
    slug = models.SlugField(max_length=120, help_text="The condition's slug at the time.")
    previous_slug = models.SlugField(
        max_length=120, blank=True, help_text="For a move: the slug it moved from."
    )
    former_slugs = models.JSONField(
        default=list, blank=True, help_text="Every earlier slug of the condition at the time."
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = "public change"
        indexes = [models.Index(fields=["sequence", "id"], name="kb_publicchange_cursor")]

    def __str__(self) -> str:
        return f"{self.condition} {self.action} revision {self.revision_id} at {self.at}"
