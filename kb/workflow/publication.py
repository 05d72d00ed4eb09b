"""What readers see of a condition: go-lives, confirming live text, withdrawing, merging,
restoring."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kb.exceptions import (
    ContentProblems,
    NotPermitted,
    TransitionNotAllowed,
)
from kb.models import (
    ChangeAction,
    Condition,
    Review,
    Revision,
)
from kb.models.events import WorkflowAction
from kb.models.publication import advance
from kb.models.review import ReviewKind
from kb.search_index import sync_condition
from kb.workflow._base import (
    PERM_RECONFIRM,
    PERM_RESTORE,
    PERM_WITHDRAW,
    _cancel_schedule,
    _go_live_due,
    _lock_condition,
    _public_change,
    _raise,
    _record,
    _refresh,
    _require,
    default_next_review_due,
)
from kb.workflow.rules import (
    _refuse_merge,
    cancel_schedule_refusal,
    reconfirm_refusal,
    restore_refusal,
    withdraw_refusal,
)


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
    sync_condition(locked)  # its text leaves the search (a restore writes it again)


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
    sync_condition(locked)  # its live text is searchable again
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
