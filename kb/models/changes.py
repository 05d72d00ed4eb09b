"""The public change log partners sync from: each publication and withdrawal, with its time.

The workflow log (``WorkflowEvent``) is editorial: it holds comments, actors and drafts. This
log holds only what became public or stopped being public, so the partner API's changes feed
(``/api/v1/changes/``) is one indexed query that cannot reveal editorial detail.

A scheduled publication is written when it is approved, with its future go-live time; the
feed shows only entries whose time has come, so it appears exactly when the text does.
Entries are never changed; only a scheduled entry that has not yet come due is removed,
when its schedule is cancelled (nobody can have seen it).
"""

from __future__ import annotations

from django.db import models

from kb.generation import PublicQuerySet


class ChangeAction(models.TextChoices):
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PublicChange(models.Model):
    condition = models.ForeignKey(
        "kb.Condition", on_delete=models.PROTECT, related_name="public_changes"
    )
    revision = models.ForeignKey("kb.Revision", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12, choices=ChangeAction.choices)
    at = models.DateTimeField(db_index=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "public change"

    def __str__(self) -> str:
        return f"{self.condition} {self.action} revision {self.revision_id} at {self.at}"
