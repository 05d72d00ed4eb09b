"""The ordered parts of a revision: overview, causes, symptoms …

Each body is CommonMark; ``kb.rendering`` turns it into sanitised HTML.
"""

from __future__ import annotations

from django.db import models

from kb.exceptions import ImmutableRevision
from kb.models.immutability import RevisionChildQuerySet
from kb.text import normalise_markdown


class SectionKind(models.TextChoices):
    OVERVIEW = "overview", "Overview"
    CAUSES = "causes", "Causes"
    SYMPTOMS = "symptoms", "Symptoms"
    DIAGNOSIS = "diagnosis", "Diagnosis"
    TREATMENT = "treatment", "Treatment"
    PROGNOSIS = "prognosis", "Outlook"
    WHEN_TO_GET_HELP = "when_to_get_help", "When to get medical help"
    CUSTOM = "custom", "Other"


class SectionQuerySet(RevisionChildQuerySet):
    """Bulk writes skip ``Section.save``: they normalise the bodies they write too, so
    every path (services, workflow copies, imports, scripts) stores one spelling."""

    def update(self, **kwargs):
        if isinstance(kwargs.get("body"), str):
            kwargs["body"] = normalise_markdown(text=kwargs["body"])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.body = normalise_markdown(text=obj.body)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "body" in fields:
            for obj in objs:
                obj.body = normalise_markdown(text=obj.body)
        return super().bulk_update(objs, fields, *args, **kwargs)


class Section(models.Model):
    revision = models.ForeignKey("kb.Revision", on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order on the page; lower numbers first."
    )
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    heading = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Cite references with [@key] or [@key1; @key2].")
    #: Plain-language scores of ``body`` when it was last saved (``kb.readability``), kept
    #: so reviewers see what the author saw; derived, so never edited or exported.
    readability = models.JSONField(default=dict, blank=True, editable=False)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "position", "id"]
        # Related managers (revision.sections.add(...)) must go through the guarded queryset.
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(heading=""), name="kb_section_heading_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        from kb.models.immutability import is_restoring, refuse_move_between_revisions

        refuse_move_between_revisions(self)
        self.body = normalise_markdown(text=self.body)
        if not (self._state.adding and is_restoring()) and self._revision_is_approved():
            raise ImmutableRevision("Sections of an approved revision cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._revision_is_approved():
            raise ImmutableRevision("Sections of an approved revision cannot be deleted.")
        return super().delete(*args, **kwargs)

    def _revision_is_approved(self) -> bool:
        from kb.models.revision import Revision, RevisionStatus

        return Revision.objects.filter(pk=self.revision_id, status=RevisionStatus.APPROVED).exists()
