"""One version of a condition's article.

Status moves only through ``kb.workflow``. Two guards live here because they must hold
whoever writes the row:

- I2: once the stored row is approved, ``save`` and ``delete`` refuse (and the queryset's
  bulk ``update``/``delete`` too).
- I6: every save of an existing row compares ``lock_version`` with the stored one under a
  row lock and bumps it; a stale instance is refused with ``StaleEdit``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kb.exceptions import ImmutableRevision, StaleEdit
from kb.models.publication import PublicQuerySet
from kb.text import normalise_markdown


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class ChangeClass(models.TextChoices):
    """How much a revision changes: chosen by the author, confirmed by the reviewer.

    Partners re-review clinical changes only; a correction does not move the article's
    public "last updated" date (it is still listed in "What changed").
    """

    CLINICAL = "clinical", "Clinical (changes advice or facts)"
    EDITORIAL = "editorial", "Editorial (wording, structure)"
    CORRECTION = "correction", "Correction (typos, links)"


#: Statuses in which authors may still change the text.
EDITABLE_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.CHANGES_REQUESTED)
#: Statuses of a revision still on its way to approval; at most one per condition.
OPEN_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.CHANGES_REQUESTED)


class RevisionQuerySet(PublicQuerySet):
    def _is_public_bulk(self) -> bool:
        from kb.models.immutability import is_restoring

        return is_restoring()  # only a restore writes approved rows in bulk

    def update(self, **kwargs):
        if self.filter(status=RevisionStatus.APPROVED).exists():
            raise ImmutableRevision("An approved revision cannot be changed.")
        if kwargs.get("status") == RevisionStatus.APPROVED:
            raise ImmutableRevision("Only kb.workflow.approve can approve a revision.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=RevisionStatus.APPROVED).exists():
            raise ImmutableRevision("An approved revision cannot be deleted.")
        return super().delete()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def live(self, at=None):
        """What readers see at ``at`` (default now): the query twin of ``Revision.is_live``.

        Live is the condition's published revision, unless a scheduled revision's go-live
        time has come, in which case it is the scheduled one. Withdrawn conditions show
        nothing.
        """
        from django.db.models import Q

        now = at or timezone.now()
        current = Q(live_for__isnull=False) & ~Q(
            live_for__scheduled_revision__published_at__lte=now
        )
        due = Q(scheduled_for__isnull=False, published_at__lte=now)
        return self.filter(
            current | due,
            status=RevisionStatus.APPROVED,
            condition__withdrawn_at__isnull=True,
        )


class Revision(models.Model):
    condition = models.ForeignKey(
        "kb.Condition", on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(editable=False)
    status = models.CharField(
        max_length=20,
        choices=RevisionStatus.choices,
        default=RevisionStatus.DRAFT,
        editable=False,
        db_index=True,
    )

    name = models.CharField(max_length=200, help_text="The condition's name as readers know it.")
    also_known_as = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names readers may search for, one per line.",
    )
    summary = models.CharField(
        max_length=300, help_text="One plain sentence saying what the condition is."
    )
    change_note = models.CharField(
        max_length=500,
        blank=True,
        help_text="What changed in this revision, for reviewers and the public change log.",
    )

    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    edited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        editable=False,
        help_text="Everyone who changed the text. None of them may approve it (I3).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="Who saved the text last (with ``updated_at``): named when a save or an "
        "autosave is refused as stale, so an editor knows whom to ask.",
    )

    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    change_class = models.CharField(
        max_length=20,
        choices=ChangeClass.choices,
        default=ChangeClass.CLINICAL,
        help_text="Clinical: changes advice or facts. Editorial: wording or structure. "
        "Correction: typos or links (does not move the public “last updated” date). The "
        "reviewer confirms it at approval.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When this revision went live.",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["condition", "-number"]
        get_latest_by = "number"
        permissions = [
            ("submit_revision", "Can submit a revision for medical review"),
            ("approve_revision", "Can approve a revision (medical reviewer)"),
            ("request_changes_revision", "Can send a revision back with changes requested"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "number"], name="kb_revision_number_unique_per_condition"
            ),
            models.UniqueConstraint(
                fields=["condition"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="kb_revision_one_open_per_condition",
                violation_error_message="This condition already has a revision in progress.",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="kb_revision_number_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RevisionStatus.APPROVED)
                | (
                    models.Q(approved_by__isnull=False)
                    & models.Q(approved_at__isnull=False)
                    & models.Q(published_at__isnull=False)
                ),
                name="kb_revision_approval_recorded",
            ),
            # I3 in the database: the creator is never the approver.
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("created_by")),
                name="kb_revision_four_eyes",
            ),
        ]
        indexes = [
            # The partner API's list walks the live revisions A–Z by name, a page at a time
            # (kb.api.queries): approved revisions in name order, with the columns deciding
            # which are live, so a page's keys are a range scan from its place (index-only
            # once the table is vacuumed) instead of a sort of every approved revision.
            models.Index(
                fields=["name"],
                include=["id", "condition", "published_at"],
                condition=models.Q(status=RevisionStatus.APPROVED),
                name="kb_revision_listed_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (revision {self.number}, {self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        # Compared and shown like section bodies: one spelling (``kb.text``).
        self.summary = normalise_markdown(text=self.summary)
        self.change_note = normalise_markdown(text=self.change_note)
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            stored = (
                type(self)
                .objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("status", "lock_version")
                .first()
            )
            if stored is None:
                raise StaleEdit("This revision no longer exists.")
            status, version = stored
            if status == RevisionStatus.APPROVED:
                raise ImmutableRevision(
                    "An approved revision cannot be changed. Start a new draft from it instead."
                )
            if version != self.lock_version:
                raise StaleEdit(
                    "Someone else saved this revision after you opened it. Nothing of yours "
                    "was saved and their changes are kept: reload the page, then make your "
                    "changes again."
                )
            self.lock_version = version + 1
            self.updated_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "lock_version", "updated_at"}
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk, status=RevisionStatus.APPROVED).exists():
            raise ImmutableRevision("An approved revision cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == RevisionStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_scheduled(self) -> bool:
        """Approved with a go-live time that has not come yet."""
        return (
            self.is_approved
            and self.condition.scheduled_revision_id == self.pk
            and self.published_at > timezone.now()
        )

    @property
    def is_live(self) -> bool:
        """What readers see now (the same rule as ``kb.selectors.published_revisions``)."""
        if not self.is_approved or self.condition.is_withdrawn:
            return False
        condition = self.condition
        if condition.scheduled_revision_id == self.pk:
            return self.published_at <= timezone.now()
        if condition.published_revision_id != self.pk:
            return False
        scheduled = condition.scheduled_revision
        return scheduled is None or scheduled.published_at > timezone.now()
