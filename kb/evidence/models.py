"""Findings of the evidence watch: what a source reports about a cited publication."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class FindingKind(models.TextChoices):
    RETRACTION = "retraction", "Retraction"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
    CORRECTION = "correction", "Correction"


#: Kinds a reviewer's confirmation turns into the public retraction notice.
RETRACTING_KINDS = (FindingKind.RETRACTION, FindingKind.WITHDRAWAL)


class FindingSource(models.TextChoices):
    CROSSREF = "crossref", "Crossref"
    PUBMED = "pubmed", "PubMed"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open: a medical reviewer decides"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class EvidenceFinding(models.Model):
    """A flag on a reference, never a change of public content by itself.

    One row per reference, source, kind and notice, so a nightly run that sees the same
    notice again opens nothing new (and a dismissed finding stays dismissed).
    """

    reference = models.ForeignKey(
        "kb.Reference", on_delete=models.CASCADE, related_name="evidence_findings"
    )
    source = models.CharField(max_length=10, choices=FindingSource.choices)
    kind = models.CharField(max_length=24, choices=FindingKind.choices)
    notice = models.CharField(
        max_length=255, blank=True, help_text="The notice's DOI (Crossref), or the PMID."
    )
    summary = models.CharField(max_length=500)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = "evidence finding"
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "source", "kind", "notice"], name="kb_finding_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(decision_note=""),
                name="kb_finding_decided_with_note",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def retracts(self) -> bool:
        return self.kind in RETRACTING_KINDS
