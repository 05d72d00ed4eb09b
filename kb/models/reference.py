"""The shared reference library: one bibliographic record, cited by any number of articles.

DOI and PMID are stored normalised (``kb.refdata``) and are unique when present, so the
same paper is one record however an import or an editor spelled its identifiers.

What readers see of a record is frozen on each approved citation (``Citation.snapshot``,
I9), so editing a record changes no live page. The retraction flag is the one exception
(safety): it is read live by every page, so it changes only through
``kb.workflow.set_retraction`` (a medical reviewer, a note, a ``ReferenceEvent``). The
model refuses any other change of ``retracted`` or ``retraction_note`` on a stored record,
whoever writes it (desk, shell, bulk ``update``).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kb.models.immutability import AppendOnlyModel
from kb.models.publication import PublicQuerySet
from kb.refdata import normalise_doi, normalise_pmid, normalise_title

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.\-]*$")

#: The fields only ``kb.workflow.set_retraction`` may change on a stored record.
RETRACTION_FIELDS = ("retracted", "retraction_note", "retraction_changed_at")

#: How much of the normalised title is stored and indexed (``title_key``): a B-tree entry
#: must stay well under PostgreSQL's limit of about 2,700 bytes whatever the script.
TITLE_KEY_LENGTH = 255


def title_key(title: str) -> str:
    """The stored comparison key of a title: ``normalise_title``, cut to the indexed length.

    Two titles with the same key are compared in full by the caller; the key only finds
    the candidates, with one indexed query instead of a scan of the year.
    """
    return normalise_title(title or "")[:TITLE_KEY_LENGTH]


_setting_retraction = contextvars.ContextVar("kb_setting_retraction", default=False)


@contextlib.contextmanager
def setting_retraction() -> Iterator[None]:
    """Let ``kb.workflow.set_retraction`` (only) write the retraction fields."""
    token = _setting_retraction.set(True)
    try:
        yield
    finally:
        _setting_retraction.reset(token)


RETRACTION_REFUSED = (
    "Only a medical reviewer can flag or unflag a retraction, with a note, through "
    "“Flag as retracted” / “Remove retraction flag” on the reference's page."
)


class ReferenceQuerySet(PublicQuerySet):
    def update(self, **kwargs):
        from kb.exceptions import NotPermitted

        if not _setting_retraction.get() and set(kwargs) & set(RETRACTION_FIELDS):
            raise NotPermitted(RETRACTION_REFUSED)
        if "title" in kwargs:  # the duplicate finder's key follows the title, however written
            if not isinstance(kwargs["title"], str):
                raise ValueError("Update a reference's title with a plain string.")
            kwargs["title_key"] = title_key(kwargs["title"])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.title_key = title_key(obj.title)
        return super().bulk_create(objs, *args, **kwargs)


class ReferenceKind(models.TextChoices):
    JOURNAL = "journal", "Journal article"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    GUIDELINE = "guideline", "Guideline or report"
    WEBPAGE = "webpage", "Web page"
    THESIS = "thesis", "Thesis or dissertation"


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
    title_key = models.CharField(
        max_length=TITLE_KEY_LENGTH,
        blank=True,
        editable=False,
        help_text="The title as compared for duplicates (lower case, no accents or "
        "punctuation), kept by save: imports find candidates by it and the year in one "
        "indexed query.",
    )
    container_title = models.CharField(
        "journal or book", max_length=500, blank=True, help_text="Journal, book or website."
    )
    publisher = models.CharField(max_length=300, blank=True)
    place = models.CharField("place of publication", max_length=200, blank=True)
    edition = models.CharField(max_length=50, blank=True)
    degree = models.CharField(
        max_length=50,
        blank=True,
        help_text="For a thesis: “dissertation” (doctoral) or “master's thesis”.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    season = models.CharField(
        "season or months",
        max_length=30,
        blank=True,
        help_text="When the issue is dated by a season or several months: “Spring”, "
        "“Aug-Sep”. Printed after the year in place of month and day.",
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    doi = models.CharField("DOI", max_length=255, null=True, blank=True, unique=True)
    pmid = models.CharField("PMID", max_length=20, null=True, blank=True, unique=True)
    pmcid = models.CharField("PMCID", max_length=20, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    in_press = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="aliases",
        help_text="Set when this record was merged into another (kb.reference_merge): it "
        "stays, as an alias, for the approved text that cites it.",
    )
    retracted = models.BooleanField(default=False)
    retraction_note = models.TextField(blank=True)
    retraction_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the retraction flag last changed: the one change of a record that "
        "reaches live pages at once, so it is part of their ETag.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="Any change to the record. Live pages do not show bibliographic edits "
        "(they show the snapshot approved with them), so this is not part of their ETag.",
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["title_key", "year"], name="kb_reference_title_year")]
        permissions = [
            ("flag_retraction", "Can flag or unflag a reference as retracted (medical reviewer)"),
        ]
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
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="kb_reference_not_merged_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.key}] {self.title}"

    def save(self, *args, **kwargs):
        from kb.models.publication import advance

        with transaction.atomic(using=kwargs.get("using")):
            # The publication lock first (the order every public change takes it in): a
            # retraction decided meanwhile has committed before the stored row is compared,
            # so an edit opened earlier is refused, never writing the old flag back.
            advance(using=kwargs.get("using"))
            if not self._state.adding:
                self._refuse_key_change_if_cited_by_approved()
                self._refuse_retraction_change()
            self.fill_derived_fields()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "title" in update_fields:
                kwargs["update_fields"] = {*update_fields, "title_key"}
            self.updated_at = timezone.now()
            super().save(*args, **kwargs)

    def fill_derived_fields(self) -> None:
        """Normalised identifiers, the title key and (when empty) a generated key: what
        ``save`` derives, for writers that insert in bulk (``kb.reference_import``)."""
        self.doi = normalise_doi(self.doi or "") or None
        self.pmid = normalise_pmid(self.pmid or "") or None
        self.title_key = title_key(self.title)
        if not self.key:
            from kb.citations import generate_key

            self.key = generate_key(reference=self)

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

    def _refuse_retraction_change(self) -> None:
        """Outside ``set_retraction``, the stored flag and note stay as they are (I9)."""
        from kb.exceptions import NotPermitted

        if _setting_retraction.get():
            return
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values_list("retracted", "retraction_note", "retraction_changed_at")
            .first()
        )
        current = (self.retracted, self.retraction_note, self.retraction_changed_at)
        if stored is not None and tuple(stored) != current:
            raise NotPermitted(RETRACTION_REFUSED)

    @property
    def first_author_family(self) -> str:
        for author in self.authors or []:
            return author.get("family") or author.get("literal") or ""
        return ""


class ReferenceAction(models.TextChoices):
    FLAG = "flag", "Flagged as retracted"
    UNFLAG = "unflag", "Retraction flag removed"
    IMPORTED_RETRACTED = "imported_retracted", "Added as retracted by its source record"
    MERGED_INTO = "merged_into", "Merged into another record"
    MERGED_FROM = "merged_from", "Another record merged into this one"


class ReferenceEvent(AppendOnlyModel):
    """The append-only log of retraction decisions and merges of a library record (I4, I9).

    Why a log of its own rather than a ``WorkflowEvent`` on each citing condition: a
    retraction is one decision about one library record, not a move of any article. One
    row per decision keeps who, when and the note in one place, including for records that
    no live article cites yet (or that articles cite later); the articles affected are
    derived when needed (``kb.dashboard.retraction_flags``) instead of being copied into N
    condition logs that would then disagree with the citations of later revisions.
    """

    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reference_events",
        help_text="Empty when the record was imported from the command line.",
    )
    action = models.CharField(max_length=20, choices=ReferenceAction.choices)
    note = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "reference event"

    def __str__(self) -> str:
        who = self.actor or "import"
        return f"{self.get_action_display()} by {who} at {self.created_at:%Y-%m-%d %H:%M}"
