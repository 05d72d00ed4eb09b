"""A condition: the stable identity and public URL of one article.

The text lives in revisions; the condition only points at the one that is live
(``published_revision``). Pointing from the condition (rather than flagging a revision)
makes "one published revision per condition" hold by construction and makes publishing a
single-row update (I5).
"""

from __future__ import annotations

from django.core.validators import validate_slug
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kb.models.publication import PublicQuerySet


class Condition(models.Model):
    slug = models.SlugField(
        max_length=120,
        unique=True,
        validators=[validate_slug],
        help_text="The last part of the article's address, e.g. cramp-fasciculation-syndrome. "
        "Lower-case words and hyphens. Renaming keeps the old address redirecting.",
    )
    published_revision = models.OneToOneField(
        "kb.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="live_for",
        editable=False,
        help_text="The approved revision readers see. Changed only by the workflow.",
    )
    scheduled_revision = models.OneToOneField(
        "kb.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_for",
        editable=False,
        help_text="An approved revision waiting for its go-live time (its published_at). "
        "From that instant it is what readers see; the workflow then moves it to "
        "published_revision.",
    )
    related = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Conditions a reader would want next. Only published ones are ever shown.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(
        blank=True,
        editable=False,
        help_text="Why it was withdrawn, for the editorial log only (never shown to readers).",
    )
    withdrawn_public_reason = models.TextField(
        blank=True,
        editable=False,
        help_text="Optional note for readers, shown on the withdrawn page (HTTP 410).",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        editable=False,
        help_text="The article this one was merged into: its address then leads there (301).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        permissions = [
            ("withdraw_condition", "Can withdraw a condition from the public site"),
            ("restore_condition", "Can restore a withdrawn condition"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(slug=""),
                name="kb_condition_slug_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawn_reason=""),
                name="kb_condition_withdrawal_has_reason",
            ),
            # A reader-facing note or a successor only ever explains a withdrawal.
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=False)
                | (models.Q(withdrawn_public_reason="") & models.Q(merged_into__isnull=True)),
                name="kb_condition_public_reason_and_successor_need_withdrawal",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="kb_condition_not_merged_into_itself",
            ),
        ]
        indexes = [
            # Every request reads the latest due go-live (kb.caching.state): a handful of
            # conditions have a scheduled revision, so this index is tiny and the read a
            # lookup, where the unique index (nulls and all) leads to a scan of the table.
            models.Index(
                fields=["scheduled_revision"],
                condition=models.Q(scheduled_revision__isnull=False),
                name="kb_condition_scheduled",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("kb:article", kwargs={"slug": self.slug})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_merged(self) -> bool:
        return self.withdrawn_at is not None and self.merged_into_id is not None


class ConditionSlug(models.Model):
    """A former slug of a condition; public requests for it answer 301 to the current one."""

    slug = models.SlugField(max_length=120, unique=True)
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="old_slugs")
    retired_at = models.DateTimeField(default=timezone.now)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "former slug"
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} → {self.condition.slug}"
