"""What every transition shares: permission names, row locks, the event record, refusals,
and the go-live catch-up every transition on a condition does first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from kb import permissions, tasks
from kb.exceptions import (
    NotPermitted,
    TransitionNotAllowed,
)
from kb.models import (
    ChangeAction,
    Condition,
    PublicChange,
    Revision,
    RevisionStatus,
    WorkflowEvent,
)
from kb.models.events import WorkflowAction
from kb.models.publication import advance
from kb.search_index import sync_condition

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


def _is_author_of(user, revision: Revision) -> bool:
    return revision.created_by_id == user.pk or revision.edited_by.filter(pk=user.pk).exists()


def default_next_review_due(reviewed_on: dt.date) -> dt.date:
    return reviewed_on + dt.timedelta(days=settings.REVIEW_INTERVAL_DAYS)


def _public_change(
    condition: Condition, revision: Revision, action: str, *, previous_slug: str = ""
) -> PublicChange:
    """Enter a change in the partner feed under this transaction's publication (its number
    and time grow in commit order), with the slugs it was made under.

    What partners are told to fetch again is what readers see change too: unless it left
    the site, the condition's page and API detail are rendered and kept once this commits
    (``kb.pages``), so their first reader gets stored bytes."""
    publication = advance()
    if action != ChangeAction.WITHDRAWN:
        tasks.enqueue_on_commit(tasks.keep_rendered_answers, condition.pk)
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
    sync_condition(condition)  # the superseded revision's text leaves the search
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
    sync_condition(condition)  # a go-live that will not come: its text leaves the search
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


def _next_number(condition: Condition) -> int:
    latest = condition.revisions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


def live_revision_of(condition: Condition, *, now: dt.datetime | None = None) -> Revision | None:
    """The revision readers see now, with the go-live catch-up the transitions do (a due
    scheduled revision is the live one); None when withdrawn or never published."""
    if condition.is_withdrawn:
        return None
    scheduled = condition.scheduled_revision if condition.scheduled_revision_id else None
    if scheduled is not None and scheduled.published_at <= (now or timezone.now()):
        return scheduled
    return condition.published_revision
