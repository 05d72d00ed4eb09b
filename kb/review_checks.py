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


def readability_of(*, revision: Revision) -> str | None:
    """The sections' stored plain-language scores against their target, in one sentence
    (None when no section has scores yet, e.g. text saved before scores were kept)."""
    from kb.readability import Readability, targets

    scored = [
        (section.heading, Readability.from_json(section.readability))
        for section in revision.sections.order_by("position", "id")
    ]
    scored = [(heading, scores) for heading, scores in scored if scores is not None]
    if not scored:
        return None
    goal = targets()
    target = f"SMOG at most {goal.max_smog:g}, Flesch reading ease at least {goal.min_flesch:g}"

    def shown(value: float | None, digits: int) -> str:
        return "too short to score" if value is None else f"{value:.{digits}f}"

    missing = [
        f"{heading} (SMOG {shown(scores.smog, 1)}, Flesch {shown(scores.flesch, 0)})"
        for heading, scores in scored
        if scores.smog_ok is False or scores.flesch_ok is False
    ]
    if not missing:
        return f"every scored section meets the target ({target})."
    return (
        f"{len(missing)} of {len(scored)} sections miss the target ({target}): "
        + "; ".join(missing)
        + "."
    )


def unresolved_comments(*, revision: Revision) -> list[str]:
    """The revision's comment threads nobody has resolved, each as one line."""
    from kb.selectors import unresolved_threads

    lines = []
    for thread in unresolved_threads(revision=revision):
        comment = thread.comment
        where = f" on “{comment.section_heading}”" if comment.section_heading else ""
        lines.append(f"{comment.author}{where}: {comment.body}")
    return lines


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
