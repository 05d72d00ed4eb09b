"""The shared reference library: one bibliographic record, cited by any number of articles.

DOI and PMID are stored normalised (``kb.refdata``) and are unique when present, so the
same paper is one record however an import or an editor spelled its identifiers.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils import timezone

from kb.models.publication import PublicQuerySet
from kb.refdata import normalise_doi, normalise_pmid

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.\-]*$")


class ReferenceKind(models.TextChoices):
    JOURNAL = "journal", "Journal article"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    GUIDELINE = "guideline", "Guideline or report"
    WEBPAGE = "webpage", "Web page"


class Reference(models.Model):
    key = models.CharField(
        max_length=60,
        unique=True,
        help_text="Citation key used in the text as [@key]. Generated (e.g. jansen1991) "
        "when left empty; letters, digits and _ : . - only.",
    )
    kind = models.CharField(max_length=20, choices=ReferenceKind.choices, default="journal")
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text="Ordered authors: people as family name and initials, or an organisation.",
    )
    editors = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=1000)
    container_title = models.CharField(
        "journal or book", max_length=500, blank=True, help_text="Journal, book or website."
    )
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField("place of publication", max_length=200, blank=True)
    edition = models.CharField(max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    doi = models.CharField("DOI", max_length=255, null=True, blank=True, unique=True)
    pmid = models.CharField("PMID", max_length=20, null=True, blank=True, unique=True)
    pmcid = models.CharField("PMCID", max_length=20, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    in_press = models.BooleanField(default=False)
    retracted = models.BooleanField(default=False)
    retraction_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(month__range=(1, 12)),
                name="kb_reference_month_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True) | models.Q(day__range=(1, 31)),
                name="kb_reference_day_valid",
            ),
            models.CheckConstraint(condition=~models.Q(key=""), name="kb_reference_key_set"),
            models.CheckConstraint(condition=~models.Q(doi=""), name="kb_reference_doi_null"),
            models.CheckConstraint(condition=~models.Q(pmid=""), name="kb_reference_pmid_null"),
        ]

    def __str__(self) -> str:
        return f"[{self.key}] {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self._refuse_key_change_if_cited_by_approved()
        self.doi = normalise_doi(self.doi or "") or None
        self.pmid = normalise_pmid(self.pmid or "") or None
        if not self.key:
            from kb.citations import generate_key

            self.key = generate_key(reference=self)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def _refuse_key_change_if_cited_by_approved(self) -> None:
        """Approved text cites by key (I2): its keys must keep resolving to this record."""
        from kb.exceptions import ImmutableRevision

        stored = type(self).objects.filter(pk=self.pk).values_list("key", flat=True).first()
        if (
            stored
            and stored != self.key
            and self.citations.filter(revision__status="approved").exists()
        ):
            raise ImmutableRevision(
                f"The key “{stored}” is cited by approved text and cannot be changed."
            )

    @property
    def first_author_family(self) -> str:
        for author in self.authors or []:
            return author.get("family") or author.get("literal") or ""
        return ""
