"""Which references a revision cites, numbered in order of first citation (Vancouver).

Rows are derived from the section text and kept in step by ``kb.citations.sync_citations``
whenever a revision's sections are saved; nobody edits them by hand. Like sections, the
citations of an approved revision never change (I2).

``snapshot`` holds the bibliographic data of the cited record as it was approved (I9),
written by ``kb.citations.freeze_citations`` inside ``kb.workflow.approve`` just before
the status flips; from then on the row is immutable like the rest of the revision. It is
empty on drafts, which show the live library.
"""

from __future__ import annotations

from django.db import models

from kb.models.immutability import RevisionChildQuerySet


class Citation(models.Model):
    revision = models.ForeignKey("kb.Revision", on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(
        "kb.Reference", on_delete=models.PROTECT, related_name="citations"
    )
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The record's bibliographic data as approved; empty until approval.",
    )

    objects = RevisionChildQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "number"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "reference"], name="kb_citation_reference_once"
            ),
            models.UniqueConstraint(fields=["revision", "number"], name="kb_citation_number_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="kb_citation_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.number}] {self.reference.key}"

    def save(self, *args, **kwargs):
        from kb.exceptions import ImmutableRevision
        from kb.models.immutability import is_restoring, refuse_move_between_revisions
        from kb.models.revision import Revision, RevisionStatus

        refuse_move_between_revisions(self)
        approved = Revision.objects.filter(
            pk=self.revision_id, status=RevisionStatus.APPROVED
        ).exists()
        if approved and not (self._state.adding and is_restoring()):
            raise ImmutableRevision("Citations of an approved revision cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from kb.exceptions import ImmutableRevision
        from kb.models.revision import Revision, RevisionStatus

        if Revision.objects.filter(pk=self.revision_id, status=RevisionStatus.APPROVED).exists():
            raise ImmutableRevision("Citations of an approved revision cannot be deleted.")
        return super().delete(*args, **kwargs)
