"""What a medical reviewer must weigh before approving a revision or confirming live text.

Reads only. The approve page and the "confirm still accurate" page list these so the
decision is made with them in view; ``kb.workflow.approve`` enforces the ones that block
(unresolved citations, ``approval_problems``) or need an explicit acknowledgement
(retracted publications, ``retracted_references``), and the review records the rest as
attested.

Two parts come from features built elsewhere and are reached through hooks, so this page
works before and after they land:

- ``readability_of``: the revision's readability scores against their target, read from a
  ``readability`` attribute of the revision when it has one (None otherwise);
- ``unresolved_comments``: section comments not yet resolved, from a ``kb.Comment`` model
  when the app has one ([] otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from kb import workflow
from kb.citations import SNAPSHOT_FIELDS, approved_reference, reference_snapshot, snapshot_value
from kb.models import Citation, Condition, Feedback, FeedbackStatus, Reference, Revision

OPEN_REPORT_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ChangedReference:
    """A cited library record edited since the author cited it."""

    reference: Reference
    #: The fields that differ from what the last approval froze; empty when the record is
    #: newly cited and was only edited after the revision was submitted.
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApprovalChecks:
    problems: list[str]
    retracted: list[Reference]
    changed_references: list[ChangedReference]
    readability: Any
    open_reports: list[Feedback]
    unresolved_comments: list[Any] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.problems)


def approval_checks(*, revision: Revision) -> ApprovalChecks:
    """Everything the approve page lists for ``revision`` (in review)."""
    return ApprovalChecks(
        problems=workflow.approval_problems(revision=revision),
        retracted=workflow.retracted_references(revision=revision),
        changed_references=changed_references(revision=revision),
        readability=readability_of(revision=revision),
        open_reports=open_reports(condition=revision.condition),
        unresolved_comments=unresolved_comments(revision=revision),
    )


def changed_references(*, revision: Revision) -> list[ChangedReference]:
    """Cited records edited in the library since the author cited them.

    A record the revision it is based on also cited is compared with the snapshot that
    approval froze (so the reviewer sees which fields changed); a newly cited record
    counts when it was edited after the revision was submitted (the author cannot have
    seen that edit).
    """
    cited = list(revision.citations.select_related("reference").order_by("number"))
    frozen: dict[int, dict] = {}
    if revision.based_on_id:
        frozen = dict(
            Citation.objects.filter(
                revision_id=revision.based_on_id, snapshot__isnull=False
            ).values_list("reference_id", "snapshot")
        )
    changed = []
    for citation in cited:
        reference = citation.reference
        snapshot = frozen.get(reference.pk)
        if snapshot is not None:
            now = reference_snapshot(reference)
            fields = tuple(f for f in SNAPSHOT_FIELDS if now.get(f) != snapshot_value(snapshot, f))
            if fields:
                changed.append(ChangedReference(reference, fields))
        elif revision.submitted_at and reference.updated_at > revision.submitted_at:
            changed.append(ChangedReference(reference))
    return changed


def open_reports(*, condition: Condition) -> list[Feedback]:
    """Reader reports on the live revision that nobody has resolved or rejected yet."""
    live = workflow.live_revision_of(condition)
    if live is None:
        return []
    return list(
        Feedback.objects.filter(revision=live, status__in=OPEN_REPORT_STATUSES).order_by(
            "created_at", "id"
        )
    )


def readability_of(*, revision: Revision) -> Any:
    """Hook: the revision's readability against its target, or None while there is none.

    Whatever ``revision.readability`` holds is shown as it renders (its ``__str__``); the
    readability feature connects here.
    """
    return getattr(revision, "readability", None)


def unresolved_comments(*, revision: Revision) -> list[Any]:
    """Hook: the revision's section comments still unresolved ([] without a comments model)."""
    try:
        model = apps.get_model("kb", "Comment")
    except LookupError:
        return []
    names = {f.name for f in model._meta.get_fields()}
    comments = model.objects.filter(revision=revision)
    if "resolved_at" in names:
        comments = comments.filter(resolved_at__isnull=True)
    elif "resolved" in names:
        comments = comments.filter(resolved=False)
    return list(comments)


@dataclass(frozen=True)
class LiveReference:
    number: int
    reference: Any  # what readers see: the approved snapshot, with the live retraction flag


def live_references(*, revision: Revision) -> list[LiveReference]:
    """The references of an approved revision as readers see them, retraction flags live."""
    return [
        LiveReference(citation.number, approved_reference(citation))
        for citation in revision.citations.select_related("reference").order_by("number")
    ]
