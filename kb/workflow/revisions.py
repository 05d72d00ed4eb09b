"""A revision's way through review: submit, take back, send back, approve, start a new draft."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kb import renditions
from kb.citations import (
    cited_keys,
    freeze_citations,
    merged_keys,
    replace_cited_key,
    sync_citations,
)
from kb.exceptions import (
    ContentProblems,
    TransitionNotAllowed,
)
from kb.models import (
    ChangeAction,
    Condition,
    Review,
    Revision,
    Section,
)
from kb.models.events import WorkflowAction
from kb.models.publication import advance
from kb.models.review import ReviewKind
from kb.models.revision import ChangeClass
from kb.search_index import sync_condition
from kb.workflow._base import (
    PERM_APPROVE,
    PERM_REQUEST_CHANGES,
    PERM_START_DRAFT,
    PERM_SUBMIT,
    S,
    _cancel_schedule,
    _go_live_due,
    _lock_condition,
    _lock_revision,
    _next_number,
    _public_change,
    _raise,
    _record,
    _refresh,
    _require,
    default_next_review_due,
)
from kb.workflow.rules import (
    _retraction_acknowledgement,
    approval_problems,
    approve_refusal,
    citation_problems,
    request_changes_refusal,
    start_draft_refusal,
    submit_refusal,
    take_back_refusal,
)


@transaction.atomic
def submit(*, revision: Revision, by, comment: str = "") -> Revision:
    """Send a draft (or a sent-back revision) to the medical reviewers."""
    _require(by, PERM_SUBMIT, "submit revisions for review")
    locked = _lock_revision(revision)
    refusal = submit_refusal(user=by, revision=locked)
    if refusal.error is not ContentProblems:  # citation problems are raised with their list
        _raise(refusal)
    if not locked.sections.exists():
        raise ContentProblems("Add at least one section before submitting.")
    problems = citation_problems(revision=locked)
    if problems:
        raise ContentProblems("This revision cannot be submitted yet:", problems=problems)
    previous = locked.status
    locked.status = S.IN_REVIEW
    locked.submitted_at = timezone.now()
    locked.save()
    _record(
        condition=locked.condition,
        revision=locked,
        actor=by,
        action=WorkflowAction.SUBMIT,
        from_status=previous,
        to_status=S.IN_REVIEW,
        comment=(comment or "").strip(),
    )
    _refresh(revision)
    return locked


@transaction.atomic
def approve(
    *,
    revision: Revision,
    by,
    reviewed_on: dt.date | None = None,
    next_review_due: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
    go_live_at: dt.datetime | None = None,
    attestation: str = "",
    change_class: str | None = None,
    retraction_acknowledgement: str = "",
) -> Revision:
    """Approve a revision in review and publish it, recording the review (I3, I5, I7, I8).

    ``expected_version`` is the lock version of the text the reviewer read; if the revision
    changed since (sent back, edited, resubmitted), approval is refused: a reviewer only
    ever approves text they saw.

    ``go_live_at`` (optional, in the future) schedules the publication instead: the text
    stays invisible until then (I1) and goes live at that instant with no human action. A
    newer approval replaces a schedule that has not yet come due.

    ``attestation`` is the statement the reviewer confirmed (``ATTESTATION``), stored with
    the review; ``change_class`` is the class the reviewer confirms (default: the one the
    author chose). A revision that cites publications flagged as retracted is approved
    only with a ``retraction_acknowledgement`` saying why, recorded in the review.
    """
    _require(by, PERM_APPROVE, "approve revisions (medical reviewers only)")
    publication = advance()  # first lock of every public change: one lock order everywhere
    locked = _lock_revision(revision)
    _raise(approve_refusal(user=by, revision=locked, opened_version=expected_version))
    sync_citations(revision=locked)  # the citations approved are exactly those in the text
    problems = approval_problems(revision=locked)
    if problems:
        raise ContentProblems("This revision cannot be approved yet:", problems=problems)
    retraction_acknowledgement = _retraction_acknowledgement(
        revision=locked, acknowledgement=retraction_acknowledgement
    )
    if change_class is not None:
        if change_class not in ChangeClass.values:
            raise ContentProblems(
                f"Choose the class of change: {', '.join(ChangeClass.values)} "
                f"(got “{str(change_class)[:20]}”)."
            )
        locked.change_class = change_class  # the reviewer confirms or corrects the author

    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise ContentProblems("The review date cannot be in the future.")
    next_review_due = next_review_due or default_next_review_due(reviewed_on)
    if next_review_due <= reviewed_on:
        raise ContentProblems("The next review must fall due after the review date.")

    # What readers will see of the references is what the reviewer approved (I9): frozen
    # now, while the rows may still be written; the immutability guard holds them after.
    freeze_citations(revision=locked)

    now = publication.at  # grows in commit order, like the partner feed
    if go_live_at is not None:
        if timezone.is_naive(go_live_at):
            raise ContentProblems("Give the go-live time with its time zone.")
        if go_live_at <= now:
            go_live_at = None  # a go-live time already past means: publish now
    condition = _lock_condition(locked.condition_id)
    _go_live_due(condition, now=now)
    if go_live_at is not None and condition.is_withdrawn:
        raise TransitionNotAllowed(
            "This condition is withdrawn: restore it before scheduling a go-live time, or "
            "approve without one."
        )
    superseded = condition.scheduled_revision
    locked.status = S.APPROVED
    locked.approved_by = by
    locked.approved_at = now
    locked.published_at = go_live_at or now
    locked.save()
    Review.objects.create(
        revision=locked,
        reviewer=by,
        kind=ReviewKind.APPROVAL,
        reviewed_on=reviewed_on,
        next_review_due=next_review_due,
        note=note,
        created_at=now,
        attestation=(attestation or "").strip(),
        retraction_acknowledgement=retraction_acknowledgement,
        change_class=locked.change_class,
    )
    if superseded is not None:
        _cancel_schedule(
            condition,
            by=by,
            comment=f"Replaced by revision {locked.number}, approved {now:%Y-%m-%d %H:%M}.",
        )
    if go_live_at is not None:
        condition.scheduled_revision = locked
        condition.save(update_fields=["scheduled_revision"])
        # The partner feed enters it when the go-live is caught up (``_go_live_due``).
        _record(
            condition=condition,
            revision=locked,
            actor=by,
            action=WorkflowAction.SCHEDULE,
            from_status=S.IN_REVIEW,
            to_status=S.APPROVED,
            comment=note or f"Next review due {next_review_due:%d %B %Y}.",
        )
    else:
        condition.published_revision = locked
        condition.save(update_fields=["published_revision"])
        if not condition.is_withdrawn:
            _public_change(condition, locked, ChangeAction.PUBLISHED)
        _record(
            condition=condition,
            revision=locked,
            actor=by,
            action=WorkflowAction.APPROVE,
            from_status=S.IN_REVIEW,
            to_status=S.APPROVED,
            comment=note,
        )
    # Its search text, once; the revision it supersedes (if any) leaves the search.
    sync_condition(condition)
    renditions.write(revision=locked)  # its HTML, references and history, rendered once
    _refresh(revision)
    return locked


@transaction.atomic
def request_changes(*, revision: Revision, by, comment: str) -> Revision:
    """Send a revision in review back to its authors with the reviewer's comment."""
    _require(by, PERM_REQUEST_CHANGES, "send revisions back")
    comment = (comment or "").strip()
    if not comment:
        raise ContentProblems("Say what needs to change: a comment is required.")
    locked = _lock_revision(revision)
    _raise(request_changes_refusal(user=by, revision=locked))
    locked.status = S.CHANGES_REQUESTED
    locked.save()
    _record(
        condition=locked.condition,
        revision=locked,
        actor=by,
        action=WorkflowAction.REQUEST_CHANGES,
        from_status=S.IN_REVIEW,
        to_status=S.CHANGES_REQUESTED,
        comment=comment,
    )
    _refresh(revision)
    return locked


@transaction.atomic
def start_new_draft(*, condition: Condition, by, from_revision: Revision | None = None) -> Revision:
    """Start a new draft copied from the live revision (or from ``from_revision``).

    Approved text is never edited in place (I2): changing it means a new revision that
    records what it was ``based_on`` and goes through review like any other.
    """
    _require(by, PERM_START_DRAFT, "start new drafts")
    if Condition.objects.filter(
        pk=condition.pk, scheduled_revision__published_at__lte=timezone.now()
    ).exists():
        advance()  # a due go-live is caught up below: the publication lock comes first
    locked_condition = _lock_condition(condition.pk)
    _go_live_due(locked_condition)
    # The newest approved text: a scheduled revision is newer than the live one.
    if from_revision is not None:  # a rollback: the text it restores must be approved
        if from_revision.condition_id != locked_condition.pk:
            raise TransitionNotAllowed("That revision belongs to another condition.")
        if from_revision.status != S.APPROVED:
            raise TransitionNotAllowed("A new draft can only start from an approved revision.")
    _raise(start_draft_refusal(user=by, condition=locked_condition))
    source = (
        from_revision or locked_condition.scheduled_revision or locked_condition.published_revision
    )
    # Keys of records merged away since the source was approved: the draft cites the
    # records they were merged into (the approved source keeps its own citations).
    bodies = {section.pk: section.body for section in source.sections.all()}
    merged = merged_keys(keys=[key for body in bodies.values() for key in cited_keys(body)])
    for old, new in merged.items():
        bodies = {pk: replace_cited_key(text=body, old=old, new=new) for pk, body in bodies.items()}
    draft = Revision.objects.create(
        condition=locked_condition,
        number=_next_number(locked_condition),
        name=source.name,
        also_known_as=list(source.also_known_as),
        summary=source.summary,
        change_note="",
        based_on=source,
        created_by=by,
    )
    Section.objects.bulk_create(
        [
            Section(
                revision=draft,
                position=section.position,
                kind=section.kind,
                heading=section.heading,
                body=bodies[section.pk],
            )
            for section in source.sections.all()
        ]
    )
    sync_citations(revision=draft)
    _record(
        condition=locked_condition,
        revision=draft,
        actor=by,
        action=WorkflowAction.START_DRAFT,
        from_status=S.APPROVED,
        to_status=S.DRAFT,
        comment=f"Based on revision {source.number}.",
    )
    return draft


@transaction.atomic
def take_back(*, revision: Revision, by, comment: str = "") -> Revision:
    """Withdraw a submission to draft before review starts, recording why (optional)."""
    locked = _lock_revision(revision)
    _raise(take_back_refusal(user=by, revision=locked))
    locked.status = S.DRAFT
    locked.save()
    _record(
        condition=locked.condition,
        revision=locked,
        actor=by,
        action=WorkflowAction.TAKE_BACK,
        from_status=S.IN_REVIEW,
        to_status=S.DRAFT,
        comment=(comment or "").strip(),
    )
    _refresh(revision)
    return locked
