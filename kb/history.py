"""A revision's history in words an editor reads at a glance.

The workflow log stores codes (``submit``, ``in_review``) and Django's own admin log stores
field names ("Changed opened_version"); neither is how people talk about their work. This
module turns a ``WorkflowEvent`` into one plain sentence — "Submitted for review by Ann
Author: “Updated treatment section”" — for the revision page's conversation and its
history page. Pure functions of the event: no queries beyond what the caller selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.models import WorkflowEvent
from kb.models.events import WorkflowAction

A = WorkflowAction

#: What happened, as a phrase that takes "by <person>" after it.
PHRASES: dict[str, str] = {
    A.CREATE: "Created",
    A.SUBMIT: "Submitted for review",
    A.APPROVE: "Approved and published",
    A.REQUEST_CHANGES: "Sent back for changes",
    A.START_DRAFT: "New draft started",
    A.WITHDRAW: "Withdrawn from the public site",
    A.RESTORE: "Restored to the public site",
    A.MERGE: "Merged into another article",
    A.RECONFIRM: "Confirmed still accurate",
    A.SCHEDULE: "Approved and scheduled to go live",
    A.GO_LIVE: "Went live as scheduled",
    A.CANCEL_SCHEDULE: "Scheduled go-live cancelled",
    A.TAKE_BACK: "Submission taken back to draft",
}

#: What the event's comment is, for labelling it where it is shown on its own.
NOTE_LABELS: dict[str, str] = {
    A.SUBMIT: "Submission note",
    A.REQUEST_CHANGES: "What needs to change",
    A.APPROVE: "Approval note",
    A.SCHEDULE: "Approval note",
    A.RECONFIRM: "Confirmation note",
    A.TAKE_BACK: "Why it was taken back",
}


def person(user) -> str:
    """The name people know someone by (never a username when a name is known)."""
    if user is None:
        return "someone"
    return getattr(user, "byline_name", "") or str(user)


def describe(event: WorkflowEvent, *, with_note: bool = True) -> str:
    """One sentence saying what happened, who did it, and what they said."""
    phrase = PHRASES.get(event.action) or event.get_action_display() or "Changed"
    if event.action == A.GO_LIVE:  # nobody acted: the approver's schedule came due
        sentence = f"{phrase} (approved by {person(event.actor)})"
    else:
        sentence = f"{phrase} by {person(event.actor)}"
    comment = " ".join((event.comment or "").split())
    return f"{sentence}: “{comment}”" if comment and with_note else sentence


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a revision's history: when, the sentence, and its note on its own."""

    at: object
    #: What happened and who did it, without the note.
    headline: str
    #: The whole sentence, note included.
    text: str
    action: str
    actor: str
    note_label: str
    note: str


def entry(event: WorkflowEvent) -> HistoryEntry:
    return HistoryEntry(
        at=event.created_at,
        headline=describe(event, with_note=False),
        text=describe(event),
        action=event.action,
        actor=person(event.actor),
        note_label=NOTE_LABELS.get(event.action, "Note"),
        note=(event.comment or "").strip(),
    )


def revision_history(*, revision) -> list[HistoryEntry]:
    """The revision's workflow events, oldest first, in words."""
    events = (
        WorkflowEvent.objects.filter(revision=revision)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [entry(event) for event in events]


def edit_entry(log_entry) -> HistoryEntry:
    """A save in the desk, in words: who edited the text (not which form fields moved)."""
    return HistoryEntry(
        at=log_entry.action_time,
        headline=f"Text edited by {person(log_entry.user)}",
        text=f"Text edited by {person(log_entry.user)}",
        action="edit",
        actor=person(log_entry.user),
        note_label="",
        note="",
    )


def full_history(*, revision) -> list[HistoryEntry]:
    """The revision's history page: its workflow events and its edits in the desk, newest
    first, each in words (Django's own log names form fields, e.g. "Changed
    opened_version", which tells an editor nothing)."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    edits = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(revision)),
        object_id=str(revision.pk),
        action_flag=CHANGE,
    ).select_related("user")
    entries = revision_history(revision=revision) + [edit_entry(e) for e in edits]
    return sorted(entries, key=lambda e: e.at, reverse=True)
