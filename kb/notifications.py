"""E-mail about the editorial workflow: who is told what, and how it is sent.

Every transition writes a ``WorkflowEvent``; ``on_event`` turns the events people must act
on into rows of the outbox (``Notification``), inside the transition's own transaction, so a
transition that rolls back leaves no message behind. The rows are sent once the transaction
has committed (``transaction.on_commit``), so nobody is told about a change that did not
happen, and a slow or failing mail server can never block or undo the transition.

Each row is sent by a task (``kb.tasks.send_notification``) enqueued after commit. A
message that could not be sent stays in the outbox with its error; its task schedules the
next attempt with exponential back-off, and the periodic sweep (``enqueue_periodic``)
retries whatever a lost task left behind. After ``MAX_ATTEMPTS`` failed attempts a row is no
longer retried automatically; it is kept, with its last error, for an administrator.

Who is told:

- submitted for review: every active medical reviewer (``kb.approve_revision``) who may
  approve this revision, i.e. who did not create or edit it (I3). Revisions have no
  assigned reviewer, so all eligible reviewers are told; the first to act takes it.
- sent back: the revision's authors (creator and editors), with the reviewer's comment.
- approved (live now), approved for a scheduled go-live (with the time), went live as
  scheduled: the revision's authors.

Nobody is e-mailed about their own action, people without an e-mail address are skipped,
and each person gets at most one message per event (``key`` "event:<id>", unique per
recipient).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from kb import permissions, site_url
from kb.models import Notification, NotificationKind, Revision, WorkflowEvent
from kb.models.events import WorkflowAction

logger = logging.getLogger(__name__)

#: Failed sends after which a row is left for an administrator instead of being retried.
MAX_ATTEMPTS = 10

#: Permission that makes someone a medical reviewer (the one approval needs).
REVIEWER_PERMISSION = permissions.APPROVE_REVISION


@dataclass(frozen=True)
class Message:
    """One message about to be written to the outbox."""

    kind: str
    subject: str
    body: str


@dataclass
class SendReport:
    """What one ``send_pending`` call did."""

    sent: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed


# --- addresses and wording ---------------------------------------------------------------


def absolute_url(path: str) -> str:
    """An absolute link for e-mail (``SITE_URL``; in development, the request's address
    when a request sends it)."""
    return site_url.absolute(path)


def revision_admin_url(revision: Revision | int) -> str:
    """The editorial desk page of a revision: where every message sends its reader."""
    pk = revision if isinstance(revision, int) else revision.pk
    return absolute_url(reverse("admin:kb_revision_change", args=[pk]))


def subject_line(text: str) -> str:
    """Prefix with the publisher's name so messages are easy to recognise and filter."""
    subject = f"[{settings.KB_PUBLISHER_NAME}] {text}"
    return subject[:200]  # the outbox column; mail clients truncate long subjects anyway


def _signature() -> str:
    return f"-- \n{settings.KB_PUBLISHER_NAME}\n"


def _name(user) -> str:
    return str(user) if user is not None else "Someone"


def _title(revision: Revision) -> str:
    return f"“{revision.name}” (revision {revision.number})"


def _when(moment) -> str:
    """A date and time in the site's time zone, as an editor would write it."""
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i T")


def _comment_block(label: str, text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    quoted = "\n".join(f"    {line}" if line else "" for line in text.splitlines())
    return f"{label}:\n\n{quoted}\n\n"


def _message(*, recipient, opening: str, extra: str = "", link: str, why: str) -> str:
    return (
        f"Hello {_name(recipient)},\n\n"
        f"{opening}\n\n"
        f"{extra}"
        f"Open it in the editorial desk:\n{link}\n\n"
        f"{why}\n\n"
        f"{_signature()}"
    )


# --- who is told about what ---------------------------------------------------------------


def authors_of(revision: Revision) -> list:
    """Everyone who created or edited the revision: the people a review outcome concerns."""
    User = get_user_model()
    return list(
        User.objects.filter(pk__in=[revision.created_by_id, *_editor_ids(revision)]).order_by("pk")
    )


def _editor_ids(revision: Revision) -> list[int]:
    return list(revision.edited_by.values_list("pk", flat=True))


def eligible_reviewers(revision: Revision) -> list:
    """Active medical reviewers who may approve this revision (not its authors, I3).

    Superusers are not counted as medical reviewers merely for holding every permission:
    they are administrators, and telling them about every submission would be noise. A
    superuser who is also in the Medical reviewer role is told like any reviewer.
    """
    User = get_user_model()
    excluded = [revision.created_by_id, *_editor_ids(revision)]
    return list(
        # Roles are model permissions, so ask ModelBackend by name: with the sign-in lockout
        # backend also configured, Django cannot pick one on its own.
        User.objects.with_perm(
            REVIEWER_PERMISSION,
            is_active=True,
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(pk__in=excluded)
        .distinct()
        .order_by("pk")
    )


def _submitted(event: WorkflowEvent, recipient) -> Message:
    revision = event.revision
    return Message(
        kind=NotificationKind.SUBMITTED,
        subject=subject_line(f"Review requested: {revision.name}"),
        body=_message(
            recipient=recipient,
            opening=(
                f"{_name(event.actor)} submitted {_title(revision)} for medical review. "
                "Please approve it or send it back with comments."
            ),
            extra=_comment_block("Their note", event.comment),
            link=revision_admin_url(revision),
            why=(
                "You are receiving this because you are a medical reviewer who did not write "
                "or edit this revision. Every eligible reviewer is told; the first to act "
                "takes it."
            ),
        ),
    )


def _changes_requested(event: WorkflowEvent, recipient) -> Message:
    revision = event.revision
    return Message(
        kind=NotificationKind.CHANGES_REQUESTED,
        subject=subject_line(f"Changes requested: {revision.name}"),
        body=_message(
            recipient=recipient,
            opening=f"{_name(event.actor)} sent {_title(revision)} back for changes.",
            extra=_comment_block("Their comment", event.comment),
            link=revision_admin_url(revision),
            why="You are receiving this because you wrote or edited this revision.",
        ),
    )


def _approved(event: WorkflowEvent, recipient) -> Message:
    revision = event.revision
    return Message(
        kind=NotificationKind.APPROVED,
        subject=subject_line(f"Approved and live: {revision.name}"),
        body=_message(
            recipient=recipient,
            opening=(
                f"{_name(event.actor)} approved {_title(revision)}. It is now live on the "
                "public site."
            ),
            extra=_comment_block("Reviewer's note", event.comment),
            link=revision_admin_url(revision),
            why="You are receiving this because you wrote or edited this revision.",
        ),
    )


def _scheduled(event: WorkflowEvent, recipient) -> Message:
    revision = event.revision
    when = _when(revision.published_at) if revision.published_at else "the scheduled time"
    return Message(
        kind=NotificationKind.APPROVED,
        subject=subject_line(f"Approved, goes live {when}: {revision.name}"),
        body=_message(
            recipient=recipient,
            opening=(
                f"{_name(event.actor)} approved {_title(revision)}. It will go live on the "
                f"public site on {when}; until then readers see the current version."
            ),
            extra=_comment_block("Reviewer's note", event.comment),
            link=revision_admin_url(revision),
            why="You are receiving this because you wrote or edited this revision.",
        ),
    )


def _went_live(event: WorkflowEvent, recipient) -> Message:
    revision = event.revision
    when = _when(revision.published_at or event.created_at)
    return Message(
        kind=NotificationKind.WENT_LIVE,
        subject=subject_line(f"Now live: {revision.name}"),
        body=_message(
            recipient=recipient,
            opening=f"{_title(revision)} went live on the public site on {when}, as scheduled.",
            link=revision_admin_url(revision),
            why="You are receiving this because you wrote or edited this revision.",
        ),
    )


@dataclass(frozen=True)
class Rule:
    recipients: Callable[[Revision], list]
    compose: Callable[[WorkflowEvent, object], Message]


#: The events people must hear about. Other actions (create, start_draft, withdraw,
#: restore, reconfirm, cancel_schedule) are visible in the log and need nobody to act.
RULES: dict[str, Rule] = {
    WorkflowAction.SUBMIT: Rule(eligible_reviewers, _submitted),
    WorkflowAction.REQUEST_CHANGES: Rule(authors_of, _changes_requested),
    WorkflowAction.APPROVE: Rule(authors_of, _approved),
    WorkflowAction.SCHEDULE: Rule(authors_of, _scheduled),
    WorkflowAction.GO_LIVE: Rule(authors_of, _went_live),
}


def recipients_for(event: WorkflowEvent) -> list:
    """Who is e-mailed about ``event``: never its actor, never someone with no address."""
    rule = RULES.get(event.action)
    if rule is None or event.revision_id is None:
        return []
    return [
        user
        for user in rule.recipients(event.revision)
        if user.pk != event.actor_id and (user.email or "").strip()
    ]


# --- writing and sending ------------------------------------------------------------------


def on_event(event: WorkflowEvent) -> list[Notification]:
    """Queue the messages ``event`` calls for, to be sent once its transaction commits.

    Called by ``kb.workflow`` for every event it records. The rows are written in a
    savepoint of the transition's transaction: if the transition rolls back, so do they;
    if writing them fails (a bug, not a mail problem), the failure is logged and the
    transition goes ahead, because the editorial record matters more than the e-mail.
    """
    if event.action not in RULES:
        return []
    try:
        with transaction.atomic():
            rows = _queue(event)
    except Exception:
        logger.exception("Could not queue e-mail for workflow event %s.", event.pk)
        return []
    from kb.tasks import enqueue_on_commit, send_notification

    for row in rows:
        if row.sent_at is None:
            enqueue_on_commit(send_notification, row.pk)
    return rows


def _queue(event: WorkflowEvent) -> list[Notification]:
    key = f"event:{event.pk}"
    rows = []
    for recipient in recipients_for(event):
        message = RULES[event.action].compose(event, recipient)
        row, _created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={"kind": message.kind, "subject": message.subject, "body": message.body},
        )
        rows.append(row)
    return rows


def pending(*, ids: Iterable[int] | None = None):
    """Unsent rows: those ``ids``, or every row still worth retrying (oldest first)."""
    queryset = Notification.objects.filter(sent_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    else:
        queryset = queryset.filter(attempts__lt=MAX_ATTEMPTS)
    return queryset.order_by("created_at", "pk")


def send_pending(*, ids: Iterable[int] | None = None) -> SendReport:
    """Send unsent messages (only ``ids`` if given); return how many were sent and failed.

    Each row is claimed under a row lock (skipping rows another process holds), so a
    reminders run and an on-commit send never deliver the same message twice. A failure
    is recorded on its row and logged, and the others are still sent: one bad address or
    a mail server hiccup must not hold up everyone else's mail, nor raise into a caller.
    """
    report = SendReport()
    connection = get_connection()
    for pk in list(pending(ids=ids).values_list("pk", flat=True)):
        outcome = _send_one(pk, connection=connection)
        if outcome is True:
            report.sent += 1
        elif outcome is False:
            report.failed += 1
    _reset(connection)
    return report


def send_one(pk: int) -> bool | None:
    """Send the row ``pk`` on a connection of its own (the task's entry point)."""
    connection = get_connection()
    try:
        return _send_one(pk, connection=connection)
    finally:
        _reset(connection)


def _send_one(pk: int, *, connection) -> bool | None:
    """Send one row; True sent, False failed, None when someone else has it or sent it."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return None
        address = (row.recipient.email or "").strip()
        row.attempts += 1
        try:
            if not address:
                raise ValueError("The recipient has no e-mail address.")
            EmailMessage(
                subject=row.subject,
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=connection,
            ).send()
        except Exception as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.save(update_fields=["attempts", "last_error"])
            _reset(connection)
            log = logger.error if row.attempts >= MAX_ATTEMPTS else logger.warning
            log(
                "Could not send notification %s (%s) to user %s, attempt %s: %s",
                row.pk,
                row.key,
                row.recipient_id,
                row.attempts,
                row.last_error,
            )
            return False
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "last_error", "sent_at"])
        return True


def _reset(connection) -> None:
    """Drop a connection that failed, so the next message starts on a fresh one."""
    try:
        connection.close()
    except Exception:
        logger.debug("Closing the failed mail connection raised.", exc_info=True)


# --- messages worded in templates, queued like the workflow's ----------------------------


def render_message(*, kind: str, template: str, context: dict) -> Message:
    """A message whose wording lives in ``templates/kb/email/<template>_subject.txt`` and
    ``…_body.txt`` (plain text: nothing is HTML-escaped), with the usual subject prefix."""
    from django.template.loader import render_to_string

    context = {**context, "publisher": settings.KB_PUBLISHER_NAME}
    subject = " ".join(render_to_string(f"kb/email/{template}_subject.txt", context).split())
    body = render_to_string(f"kb/email/{template}_body.txt", context).strip() + "\n"
    return Message(kind=kind, subject=subject_line(subject), body=body)


def enqueue(*, key: str, messages: Iterable[tuple[object, Message]]) -> list[Notification]:
    """Write ``(recipient, message)`` pairs to the outbox in the caller's transaction and
    send them once it commits: the same outbox semantics as ``on_event`` (a rolled-back
    change leaves no message; one message per ``key`` per person; a failed send is retried
    by the task's back-off and the periodic sweep). People without an e-mail address are skipped."""
    rows = []
    with transaction.atomic():
        for recipient, message in messages:
            if not (recipient.email or "").strip():
                continue
            row, _created = Notification.objects.get_or_create(
                recipient=recipient,
                key=key,
                defaults={"kind": message.kind, "subject": message.subject, "body": message.body},
            )
            rows.append(row)
    from kb.tasks import enqueue_on_commit, send_notification

    for row in rows:
        if row.sent_at is None:
            enqueue_on_commit(send_notification, row.pk)
    return rows
