"""Every status change of a revision or condition, and nothing else, happens here.

Each transition is a keyword-only function that

1. checks the actor's permission (and, for approval, the four-eyes rule, I3),
2. locks the rows it changes (``select_for_update``) inside one transaction,
3. checks that the move is allowed from the current state,
4. applies the change and writes a ``WorkflowEvent`` (I4),

and raises a ``kb.exceptions`` error with a message fit for an editor when the move is not
allowed. Admin actions, views and management commands call these functions; no other code
assigns a status.

Publishing is one update of ``Condition.published_revision`` inside the approval
transaction, so a reader gets the old revision or the new one, never a mix (I5).

Scheduled publishing: an approval may carry a future go-live time. The revision is then
approved with ``published_at`` = that time and held in ``Condition.scheduled_revision``;
``kb.selectors.published_revisions`` shows it from that instant (query-time resolution, so
nothing has to run on time), and ``go_live_due`` — called by every transition on the
condition and by the ``publish_scheduled`` command from cron — moves the pointers, writes
the ``go_live`` event and so sends the authors their e-mail.

Every publication, withdrawal, merge and rename also writes a ``PublicChange`` (the partner API's
changes feed), in the same transaction. Every transition that changes what readers see
first advances the database's publication state (``kb.models.publication.advance``): that
row is the first each of them locks, so they never wait on each other in opposite orders.

Approval also freezes what the revision shows of its references (``Citation.snapshot``,
I9). The one change to the reference library that reaches readers without a new approval
is a retraction flag: ``set_retraction`` (medical reviewers, with a note, logged as a
``ReferenceEvent``), with ``retraction_refusal`` the single rule on who may. Merging
duplicate records (``kb.reference_merge``) has its single rule here too:
``reference_merge_refusal``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kb import permissions, renditions
from kb.citations import (
    cited_keys,
    freeze_citations,
    merged_keys,
    replace_cited_key,
    sync_citations,
)
from kb.exceptions import (
    ContentProblems,
    FourEyesViolation,
    NotPermitted,
    StaleEdit,
    TransitionNotAllowed,
)
from kb.models import (
    ChangeAction,
    Condition,
    PublicChange,
    Reference,
    ReferenceAction,
    ReferenceEvent,
    Review,
    Revision,
    RevisionStatus,
    Section,
    WorkflowEvent,
)
from kb.models.events import WorkflowAction
from kb.models.publication import advance
from kb.models.review import ReviewKind
from kb.models.revision import OPEN_STATUSES, ChangeClass
from kb.search_index import index_revisions

S = RevisionStatus

PERM_SUBMIT = permissions.SUBMIT_REVISION
PERM_APPROVE = permissions.APPROVE_REVISION
PERM_REQUEST_CHANGES = permissions.REQUEST_CHANGES_REVISION
PERM_START_DRAFT = permissions.ADD_REVISION
PERM_WITHDRAW = permissions.WITHDRAW_CONDITION
PERM_RESTORE = permissions.RESTORE_CONDITION
PERM_RECONFIRM = PERM_APPROVE  # confirming text is still right is a medical review
PERM_FLAG_RETRACTION = permissions.FLAG_RETRACTION
PERM_CHANGE_REFERENCE = permissions.CHANGE_REFERENCE


@dataclass(frozen=True)
class Transition:
    """A move offered in the editorial desk."""

    name: str
    label: str
    needs_comment: bool = False


TRANSITIONS = {
    "submit": Transition("submit", "Submit for review"),
    "approve": Transition("approve", "Approve and publish"),
    "request_changes": Transition("request_changes", "Send back with comments", True),
    "take_back": Transition("take_back", "Take back to draft"),
}


def _require(user, perm: str, doing: str) -> None:
    if not (user and user.is_active and user.has_perm(perm)):
        raise NotPermitted(f"You do not have permission to {doing}.")


def _lock_revision(revision: Revision) -> Revision:
    return Revision.objects.select_for_update().select_related("condition").get(pk=revision.pk)


def _lock_condition(condition_id: int) -> Condition:
    return Condition.objects.select_for_update().get(pk=condition_id)


def _record(
    *,
    condition: Condition,
    revision: Revision | None,
    actor,
    action: str,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> WorkflowEvent:
    event = WorkflowEvent.objects.create(
        condition=condition,
        revision=revision,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )
    from kb.notifications import on_event  # e-mail the people this event concerns

    on_event(event)  # queued in this transaction, sent after commit
    return event


def _refresh(instance) -> None:
    """Bring the caller's instance up to date after a transition changed its row."""
    instance.refresh_from_db()


def approval_problems(*, revision: Revision) -> list[str]:
    """What stops this revision from being approved; empty when it may be approved.

    Content checks live here so that the same list is shown before approval (in the
    editorial desk) and enforced at approval.
    """
    problems: list[str] = []
    sections = list(revision.sections.all())
    if not sections:
        problems.append("The revision has no sections.")
    for section in sections:
        if not section.body.strip():
            problems.append(f"Section “{section.heading}” has no text.")
    problems.extend(citation_problems(revision=revision, sections=sections))
    return problems


def citation_problems(*, revision: Revision, sections=None) -> list[str]:
    """Each citation marker that names no reference in the library (I7), as a sentence.

    Checked at submission as well as at approval: the author who wrote the marker is the
    one who can fix it cheaply, before a reviewer spends time on the text.
    """
    from kb.citations import unresolved_citations

    problems: list[str] = []
    for item in unresolved_citations(revision=revision, sections=sections):
        if item.merged_into:
            problems.append(
                f"Section “{item.section_heading}” cites [@{item.key}], which was merged "
                f"into [@{item.merged_into}]: cite that instead."
            )
            continue
        problems.append(
            f"Section “{item.section_heading}” cites [@{item.key}], which is not in the "
            "reference library."
        )
    return problems


class Refusal(str):
    """Why a move is refused: the message for the editor, and the error it raises.

    A ``str`` so that desk code tests it like the other ``*_refusal`` answers ('' when the
    move is allowed); ``error`` says which ``kb.exceptions`` error the transition raises.
    """

    error: type[Exception]

    def __new__(cls, message: str = "", error: type[Exception] = TransitionNotAllowed):
        refusal = super().__new__(cls, message)
        refusal.error = error
        return refusal


ALLOWED = Refusal("")


def _raise(refusal: Refusal) -> None:
    if refusal:
        raise refusal.error(str(refusal))


def _permitted(user, perm: str) -> bool:
    return bool(user and user.is_active and user.has_perm(perm))


def submit_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not submit ``revision`` now ('' when they may): the one rule."""
    if not _permitted(user, PERM_SUBMIT):
        return Refusal("Only authors can submit revisions.", NotPermitted)
    if revision.status not in (S.DRAFT, S.CHANGES_REQUESTED):
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only drafts and "
            "sent-back revisions can be submitted."
        )
    problems = citation_problems(revision=revision)
    if problems:
        message = "Fix the citations before submitting: " + " ".join(problems)
        return Refusal(message, ContentProblems)
    return ALLOWED


def approve_refusal(*, user, revision: Revision, opened_version: int | None = None) -> Refusal:
    """Why ``user`` may not approve ``revision`` now ('' when they may): the one rule.

    The desk shows the Approve button exactly when this is empty; ``approve`` asks it again
    under the row lock (with the version the reviewer read) before anything is written.
    What the text itself still needs (``approval_problems``, retraction acknowledgements)
    is shown on the approve page and checked by ``approve``.
    """
    if not _permitted(user, PERM_APPROVE):
        return Refusal("Only medical reviewers can approve revisions.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only revisions in "
            "review can be reviewed."
        )
    if opened_version is not None and opened_version != revision.lock_version:
        return Refusal(
            "This revision changed after you opened it. Nothing was approved: read the "
            "current text, then approve again.",
            StaleEdit,
        )
    if _is_author_of(user, revision):
        return Refusal(
            "You wrote or edited this revision, so another medical reviewer must approve it.",
            FourEyesViolation,
        )
    return ALLOWED


def request_changes_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not send ``revision`` back now ('' when they may): the one rule."""
    if not _permitted(user, PERM_REQUEST_CHANGES):
        return Refusal("Only medical reviewers can send back.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only revisions in "
            "review can be reviewed."
        )
    return ALLOWED


#: The rule of each move offered on a revision, by transition name.
REVISION_REFUSALS = {
    "submit": submit_refusal,
    "approve": approve_refusal,
    "request_changes": request_changes_refusal,
}


def retracted_references(*, revision: Revision) -> list[Reference]:
    """The library records this revision cites that are flagged as retracted (key order).

    Read from the text as it is now (``cited_keys``), so the approve page and ``approve``
    (which syncs the citations first) name the same records.
    """
    keys = list(dict.fromkeys(key for s in revision.sections.all() for key in cited_keys(s.body)))
    return list(Reference.objects.filter(key__in=keys, retracted=True).order_by("key"))


def _retraction_acknowledgement(*, revision: Revision, acknowledgement: str) -> str:
    """The reviewer's reason for approving text that cites retracted publications.

    Required (and returned, naming the records) when the revision cites any; '' when it
    cites none. Refusing here, in the transition, means no other caller can skip it.
    """
    retracted = retracted_references(revision=revision)
    if not retracted:
        return ""
    reason = (acknowledgement or "").strip()
    keys = ", ".join(f"[@{ref.key}]" for ref in retracted)
    if not reason:
        raise ContentProblems(
            f"This revision cites publications flagged as retracted ({keys}). Remove the "
            "citations, or acknowledge them with your reason for approving anyway."
        )
    return f"{keys}: {reason}"


def can(user, transition: str, revision: Revision) -> bool:
    """Whether ``user`` may make ``transition`` on ``revision`` now (for showing buttons)."""
    return not why_not(user, transition, revision)


def why_not(user, transition: str, revision: Revision) -> str:
    """A plain reason why ``user`` may not make ``transition`` now ('' when they may)."""
    rule = REVISION_REFUSALS.get(transition)
    if rule is None:
        return "This move does not exist."
    return str(rule(user=user, revision=revision))


def _is_author_of(user, revision: Revision) -> bool:
    return revision.created_by_id == user.pk or revision.edited_by.filter(pk=user.pk).exists()


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


def default_next_review_due(reviewed_on: dt.date) -> dt.date:
    return reviewed_on + dt.timedelta(days=settings.REVIEW_INTERVAL_DAYS)


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
    index_revisions(Revision.objects.filter(pk=locked.pk))  # its search text, once
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
    renditions.write(revision=locked)  # its HTML, references and history, rendered once
    _refresh(revision)
    return locked


def _public_change(
    condition: Condition, revision: Revision, action: str, *, previous_slug: str = ""
) -> PublicChange:
    """Enter a change in the partner feed under this transaction's publication (its number
    and time grow in commit order), with the slugs it was made under."""
    publication = advance()
    return PublicChange.objects.create(
        condition=condition,
        revision=revision,
        action=action,
        at=publication.at,
        sequence=publication.sequence,
        slug=condition.slug,
        previous_slug=previous_slug,
        former_slugs=list(
            condition.old_slugs.order_by("retired_at", "id").values_list("slug", flat=True)
        ),
    )


def _go_live_due(condition: Condition, *, now=None) -> bool:
    """Move a scheduled revision whose time has come to ``published_revision``.

    Readers already see it (query-time resolution); this makes the pointers, the log and
    the authors' e-mail catch up. ``condition`` must be locked by the caller.
    """
    scheduled = condition.scheduled_revision
    now = now or timezone.now()
    if scheduled is None or scheduled.published_at > now:
        return False
    condition.published_revision = scheduled
    condition.scheduled_revision = None
    condition.save(update_fields=["published_revision", "scheduled_revision"])
    if not condition.is_withdrawn:
        _public_change(condition, scheduled, ChangeAction.PUBLISHED)
    _record(
        condition=condition,
        revision=scheduled,
        actor=scheduled.approved_by,
        action=WorkflowAction.GO_LIVE,
        from_status="scheduled",
        to_status="live",
        comment=f"Went live at {timezone.localtime(scheduled.published_at):%Y-%m-%d %H:%M}.",
    )
    return True


def _cancel_schedule(condition: Condition, *, by, comment: str) -> Revision:
    """Drop a pending go-live (nobody has seen it; the feed enters go-lives when they come)."""
    scheduled = condition.scheduled_revision
    condition.scheduled_revision = None
    condition.save(update_fields=["scheduled_revision"])
    _record(
        condition=condition,
        revision=scheduled,
        actor=by,
        action=WorkflowAction.CANCEL_SCHEDULE,
        from_status="scheduled",
        to_status=S.APPROVED,
        comment=comment,
    )
    return scheduled


@transaction.atomic
def publish_scheduled(*, now: dt.datetime | None = None) -> list[Condition]:
    """Catch up every scheduled revision whose go-live time has come (cron, every minute)."""
    now = now or timezone.now()
    done = []
    due = list(
        Condition.objects.filter(
            scheduled_revision__isnull=False, scheduled_revision__published_at__lte=now
        ).values_list("pk", flat=True)
    )
    if due:  # nothing due: no public change, no new publication state
        advance()  # first lock of every public change: one lock order everywhere
    for pk in due:
        condition = _lock_condition(pk)
        if _go_live_due(condition, now=now):
            done.append(condition)
    return done


@transaction.atomic
def cancel_schedule(*, condition: Condition, by, comment: str = "") -> Revision:
    """Stop a scheduled revision from going live; it stays approved, as history."""
    refusal = cancel_schedule_refusal(user=by, condition=condition)
    if refusal.error is NotPermitted:
        _raise(refusal)
    advance()  # first lock of every public change: one lock order everywhere
    locked = _lock_condition(condition.pk)
    _go_live_due(locked)
    _raise(cancel_schedule_refusal(user=by, condition=locked))
    scheduled = _cancel_schedule(
        locked, by=by, comment=(comment or "").strip() or "Scheduled go-live cancelled."
    )
    _refresh(condition)
    return scheduled


@transaction.atomic
def reconfirm(
    *,
    condition: Condition,
    by,
    next_review_due: dt.date | None = None,
    note: str = "",
    attestation: str = "",
) -> Review:
    """Record that a medical reviewer checked the live text and it is still accurate (I8).

    Reviewed is not modified: this adds a dated ``Review`` of the live revision (so
    "last reviewed" and "next review due" move on) and an event, without a new revision, so
    "last updated" stays put. Whoever wrote or edited the text may not confirm it (I3).
    """
    _require(by, PERM_RECONFIRM, "confirm articles are still accurate (medical reviewers only)")
    publication = advance()  # first lock of every public change: one lock order everywhere
    locked = _lock_condition(condition.pk)
    _go_live_due(locked)
    _raise(reconfirm_refusal(user=by, condition=locked))
    note = (note or "").strip()
    live = locked.published_revision
    today = timezone.localdate()
    next_review_due = next_review_due or default_next_review_due(today)
    if next_review_due <= today:
        raise ContentProblems("The next review must fall due after today.")
    review = Review.objects.create(
        revision=live,
        reviewer=by,
        kind=ReviewKind.RECONFIRMATION,
        reviewed_on=today,
        next_review_due=next_review_due,
        note=note,
        attestation=(attestation or "").strip(),
        created_at=publication.at,  # grows in commit order (the API's updated_since)
    )
    _record(
        condition=locked,
        revision=live,
        actor=by,
        action=WorkflowAction.RECONFIRM,
        from_status="live",
        to_status="live",
        comment=note,
    )
    _public_change(locked, live, ChangeAction.UPDATED)  # partners refetch the review dates
    _refresh(condition)
    return review


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


def _next_number(condition: Condition) -> int:
    latest = condition.revisions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


@transaction.atomic
def withdraw(*, condition: Condition, by, reason: str, public_reason: str = "") -> Condition:
    """Take a condition off the public site (readers then get HTTP 410).

    ``reason`` is for the editorial log only; ``public_reason`` (optional) is what readers
    are told on the withdrawn page, so an internal note never reaches them by accident.
    """
    _require(by, PERM_WITHDRAW, "withdraw conditions")
    reason = _withdrawal_reason(reason)
    advance()  # first lock of every public change: one lock order everywhere
    locked = _lock_condition(condition.pk)
    _go_live_due(locked)
    _raise(withdraw_refusal(user=by, condition=locked))
    _take_down(locked, by=by, reason=reason, public_reason=public_reason)
    _public_change(locked, locked.published_revision, ChangeAction.WITHDRAWN)
    _record(
        condition=locked,
        revision=locked.published_revision,
        actor=by,
        action=WorkflowAction.WITHDRAW,
        from_status="live",
        to_status="withdrawn",
        comment=reason,
    )
    _refresh(condition)
    return locked


def _withdrawal_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ContentProblems("Give the reason for withdrawing: it is kept in the log.")
    return reason


def _take_down(
    locked: Condition,
    *,
    by,
    reason: str,
    public_reason: str,
    successor: Condition | None = None,
) -> None:
    """Withdraw the locked, caught-up condition: the part ``withdraw`` and ``merge`` share."""
    if locked.is_withdrawn:
        raise TransitionNotAllowed("This condition is already withdrawn.")
    if locked.published_revision_id is None:
        raise TransitionNotAllowed(
            "This condition was never published, so there is nothing to withdraw."
        )
    if locked.scheduled_revision_id is not None:
        _cancel_schedule(locked, by=by, comment="Cancelled by the withdrawal of the condition.")
    locked.withdrawn_at = advance().at
    locked.withdrawn_reason = reason
    locked.withdrawn_public_reason = (public_reason or "").strip()
    locked.merged_into = successor
    locked.save(
        update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_public_reason", "merged_into"]
    )


def merge_refusal(*, user, condition: Condition, into: Condition | None = None) -> str:
    """Why ``user`` may not merge ``condition`` into ``into`` now ('' when they may).

    The one rule, used by the desk (whether to offer a successor, and to check the one
    chosen) and by ``merge``: merging withdraws the article, so it is a publisher's move,
    and its address will lead readers and partners to the successor, so the successor
    must be another article that is live now. ``into`` None asks only about the user and
    the article being merged.
    """
    if not (user and user.is_active and user.has_perm(PERM_WITHDRAW)):
        return "Only publishers can merge an article into another."
    if condition.is_withdrawn:
        return "This condition is already withdrawn."
    if condition.published_revision_id is None:
        return "This condition was never published, so there is nothing to merge."
    if into is None:
        return ""
    if into.pk == condition.pk:
        return "An article cannot be merged into itself."
    if into.is_withdrawn:
        return f"“{into.slug}” is withdrawn: merge into a live article."
    if into.published_revision_id is None:
        return f"“{into.slug}” was never published: merge into a live article."
    return ""


def _refuse_merge(*, user, condition: Condition, into: Condition | None = None) -> None:
    if refusal := merge_refusal(user=user, condition=condition, into=into):
        permitted = user and user.is_active and user.has_perm(PERM_WITHDRAW)
        raise (TransitionNotAllowed if permitted else NotPermitted)(refusal)


@transaction.atomic
def merge(
    *, condition: Condition, into: Condition, by, reason: str, public_reason: str = ""
) -> Condition:
    """Withdraw ``condition`` as merged into ``into``: its addresses then answer 301 there.

    Partners are told with a ``moved`` entry (from this article's slug to the
    successor's), the same entry a rename writes, so a partner re-keys or drops its copy
    instead of keeping an orphan. The condition keeps its slug (a restore brings it
    back); the redirect is resolved from ``merged_into`` when the address is read.
    """
    _refuse_merge(user=by, condition=condition)
    reason = _withdrawal_reason(reason)
    advance()  # first lock of every public change: one lock order everywhere
    first, second = sorted([condition.pk, into.pk])
    locked_pair = {first: _lock_condition(first), second: _lock_condition(second)}
    locked, successor = locked_pair[condition.pk], locked_pair[into.pk]
    _go_live_due(locked)
    if successor.pk != locked.pk:
        _go_live_due(successor)
    _refuse_merge(user=by, condition=locked, into=successor)
    _take_down(locked, by=by, reason=reason, public_reason=public_reason, successor=successor)
    _public_change(
        successor, successor.published_revision, ChangeAction.MOVED, previous_slug=locked.slug
    )
    _record(
        condition=locked,
        revision=locked.published_revision,
        actor=by,
        action=WorkflowAction.MERGE,
        from_status="live",
        to_status="withdrawn",
        comment=reason,
    )
    _refresh(condition)
    return locked


@transaction.atomic
def restore(*, condition: Condition, by, comment: str = "") -> Condition:
    """Put a withdrawn (or merged) condition back on the public site with its last approved
    revision; a merged one stops redirecting to its successor."""
    _require(by, PERM_RESTORE, "restore conditions")
    advance()  # first lock of every public change: one lock order everywhere
    locked = _lock_condition(condition.pk)
    _go_live_due(locked)
    _raise(restore_refusal(user=by, condition=locked))
    locked.withdrawn_at = None
    locked.withdrawn_reason = ""
    locked.withdrawn_public_reason = ""
    locked.merged_into = None
    locked.save(
        update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_public_reason", "merged_into"]
    )
    _public_change(locked, locked.published_revision, ChangeAction.PUBLISHED)
    _record(
        condition=locked,
        revision=locked.published_revision,
        actor=by,
        action=WorkflowAction.RESTORE,
        from_status="withdrawn",
        to_status="live",
        comment=(comment or "").strip(),
    )
    _refresh(condition)
    return locked


# --- retractions: the one library change that reaches readers at once (I9) ------------------


def retraction_refusal(user) -> str:
    """Why ``user`` may not flag or unflag a retraction ('' when they may).

    The one rule, used by the desk (read-only fields, the flag form) and by
    ``set_retraction``: a retraction changes what every live page citing the record shows
    at once, without a new approval, so it is a medical reviewer's decision.
    """
    if not (user and user.is_active and user.has_perm(PERM_FLAG_RETRACTION)):
        return "Only a medical reviewer can flag or unflag a retraction."
    return ""


def may_set_retraction(user) -> bool:
    return not retraction_refusal(user)


@transaction.atomic
def set_retraction(*, reference: Reference, by, retracted: bool, note: str) -> ReferenceEvent:
    """Flag a library record as retracted, or remove the flag; a note is required both ways.

    Live pages read the flag and note live (the rest of what they show of a record is the
    snapshot approved with them), so this shows at once on every page and in the API that
    cites the record, and ``retraction_changed_at`` moves their ETag. Unflagging clears
    the public note; both notes stay in the record's ``ReferenceEvent`` log.

    The decision is logged once, on the record (``ReferenceEvent``), not as a
    ``WorkflowEvent`` per citing condition: it is not a move of any article, and the
    articles it reaches are derived from the citations when needed (see the model).
    """
    refusal = retraction_refusal(by)
    if refusal:
        raise NotPermitted(refusal)
    note = (note or "").strip()
    if not note:
        raise ContentProblems(
            "Give a note: say why the publication is flagged as retracted (e.g. the "
            "journal's notice) or why the flag is removed."
            if retracted
            else "Give a note: say why the retraction flag is removed."
        )
    publication = advance()  # first lock of every public change: one lock order everywhere
    locked = Reference.objects.select_for_update().get(pk=reference.pk)
    if locked.retracted == bool(retracted):
        raise TransitionNotAllowed(
            "This reference is already flagged as retracted."
            if retracted
            else "This reference is not flagged as retracted."
        )
    now = publication.at
    locked.retracted = bool(retracted)
    locked.retraction_note = note if retracted else ""
    locked.retraction_changed_at = now
    from kb.models.reference import setting_retraction

    with setting_retraction():
        locked.save()
    event = ReferenceEvent.objects.create(
        reference=locked,
        actor=by,
        action=ReferenceAction.FLAG if retracted else ReferenceAction.UNFLAG,
        note=note,
        created_at=now,
    )
    # Partners refetch every live article that shows the notice (same revision).
    from kb.selectors import published_revisions

    for live in published_revisions().filter(citations__reference=locked).distinct():
        _public_change(live.condition, live, ChangeAction.UPDATED)
    if retracted:
        from kb.alerts import retraction_flagged  # the reviewers of the articles citing it

        retraction_flagged(event=event)  # queued in this transaction, sent after commit
    _refresh(reference)
    return event


# --- merging duplicate references -----------------------------------------------------------


def reference_merge_refusal(user) -> str:
    """Why ``user`` may not merge two library records ('' when they may).

    The one rule, used by the desk (the merge link and page) and by
    ``kb.reference_merge.merge_references``. Deciding that two records are one publication
    is a judgement about evidence, and a merge rewrites the citations of other people's
    drafts and revisions in review: so it takes a medical reviewer (who both maintains the
    library and approves) or a superuser. Authors see the possible duplicates and ask a
    reviewer; publishers do not edit the library.
    """
    if not (
        user
        and user.is_active
        and user.has_perm(PERM_CHANGE_REFERENCE)
        and user.has_perm(PERM_APPROVE)
    ):
        return "Only a medical reviewer can merge references."
    return ""


def may_merge_references(user) -> bool:
    return not reference_merge_refusal(user)


def record_imported_retraction(*, reference: Reference, by=None, note: str) -> ReferenceEvent:
    """Log that a new record came in already flagged by its source (e.g. PubMed).

    Not a flag decision: the record is new, so no article cites it and no page changes,
    and dropping a retraction the source reports would be unsafe. Any later change of the
    flag goes through ``set_retraction``.
    """
    return ReferenceEvent.objects.create(
        reference=reference, actor=by, action=ReferenceAction.IMPORTED_RETRACTED, note=note
    )


# --- live text: confirm still accurate, cancel a go-live -------------------------------------


def live_revision_of(condition: Condition, *, now: dt.datetime | None = None) -> Revision | None:
    """The revision readers see now, with the go-live catch-up the transitions do (a due
    scheduled revision is the live one); None when withdrawn or never published."""
    if condition.is_withdrawn:
        return None
    scheduled = condition.scheduled_revision if condition.scheduled_revision_id else None
    if scheduled is not None and scheduled.published_at <= (now or timezone.now()):
        return scheduled
    return condition.published_revision


def reconfirm_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not confirm the live text is still accurate ('' when they may).

    The one rule: the condition page shows the button exactly when this is empty, and
    ``reconfirm`` asks it again under the condition's lock, after the go-live catch-up.
    """
    if not _permitted(user, PERM_RECONFIRM):
        return Refusal(
            "Only medical reviewers can confirm that an article is still accurate.",
            NotPermitted,
        )
    live = live_revision_of(condition)
    if live is None:
        return Refusal("Only a live article can be confirmed as still accurate.")
    if _is_author_of(user, live):
        return Refusal(
            "You wrote or edited this text, so another medical reviewer must confirm it.",
            FourEyesViolation,
        )
    return ALLOWED


def cancel_schedule_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not cancel the condition's scheduled go-live ('' when they may)."""
    if not (_permitted(user, PERM_APPROVE) or _permitted(user, PERM_WITHDRAW)):
        return Refusal("Only medical reviewers and publishers can cancel a go-live.", NotPermitted)
    scheduled = condition.scheduled_revision if condition.scheduled_revision_id else None
    if scheduled is None or scheduled.published_at <= timezone.now():
        return Refusal("Nothing is scheduled to go live for this condition.")
    return ALLOWED


# --- taking back a submission ---------------------------------------------------------------


def review_started(*, revision: Revision) -> bool:
    """Whether a reviewer has started on the submission now in review.

    Revisions have no assigned reviewer and opening a page records nothing, so the one
    trace a reviewer's work leaves before a decision is the conversation: a comment (or
    reply) by anyone other than the revision's authors since it was last submitted.
    """
    from kb.models import SectionComment

    authors = [revision.created_by_id, *revision.edited_by.values_list("pk", flat=True)]
    comments = SectionComment.objects.filter(revision=revision).exclude(author_id__in=authors)
    if revision.submitted_at is not None:
        comments = comments.filter(created_at__gte=revision.submitted_at)
    return comments.exists()


def take_back_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not take ``revision`` back to draft ('' when they may).

    The one rule, used by the desk (the button) and by ``take_back`` under its lock. An
    author may withdraw their own submission (they created or edited the revision) to
    keep working on it, but only while no reviewer has started on it: once a reviewer has
    commented, the text they are reading must not change under them; ask them to send
    it back instead.
    """
    if not _permitted(user, PERM_SUBMIT):
        return Refusal("Only authors can take back a submission.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        status = revision.get_status_display().lower()
        return Refusal(f"This revision is {status}; only a revision in review can be taken back.")
    if not _is_author_of(user, revision):
        return Refusal("Only an author of this revision can take back its submission.")
    if review_started(revision=revision):
        return Refusal(
            "A medical reviewer has started reviewing this revision (they commented on it); "
            "ask them to send it back instead."
        )
    return ALLOWED


REVISION_REFUSALS["take_back"] = take_back_refusal


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


# --- the condition page's moves: start a draft, withdraw, restore ----------------------------


def start_draft_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not start a new draft of ``condition`` now ('' when they may).

    The one rule: the condition page shows "Start new draft" exactly when this is empty,
    and ``start_new_draft`` asks it again under the condition's lock, after the go-live
    catch-up (a due scheduled revision is the newest approved text).
    """
    if not _permitted(user, PERM_START_DRAFT):
        return Refusal("Only authors can start new drafts.", NotPermitted)
    if condition.scheduled_revision_id is None and condition.published_revision_id is None:
        return Refusal("This condition has no published revision to start from.")
    current = condition.revisions.filter(status__in=OPEN_STATUSES).first()
    if current is not None:
        return Refusal(
            f"Revision {current.number} is already "
            f"{current.get_status_display().lower()}; continue with it instead."
        )
    return ALLOWED


def withdraw_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not withdraw ``condition`` now ('' when they may): the one rule,
    with the go-live catch-up (a first publication whose time has come is live)."""
    if not _permitted(user, PERM_WITHDRAW):
        return Refusal("Only publishers can withdraw conditions.", NotPermitted)
    if condition.is_withdrawn:
        return Refusal("This condition is already withdrawn.")
    if live_revision_of(condition) is None:
        return Refusal("This condition was never published, so there is nothing to withdraw.")
    return ALLOWED


def restore_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not put ``condition`` back on the public site ('' when they may)."""
    if not _permitted(user, PERM_RESTORE):
        return Refusal("Only publishers can restore conditions.", NotPermitted)
    if not condition.is_withdrawn:
        return Refusal("This condition is not withdrawn.")
    return ALLOWED
