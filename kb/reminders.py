"""Review reminders: tell each responsible clinician which of their articles are due.

Health-content standards expect a planned review cycle with a named clinician behind each
review (I8), so a review falling due must reach a person, not a dashboard nobody opens. Run
daily from cron by ``send_review_reminders``:

- An article is *due* when the latest review of its live revision has ``next_review_due``
  on or before today + ``days``; before today it is *overdue*.
- The responsible person is the reviewer of that latest review; if they can no longer be
  reached (inactive, or no e-mail address), the live revision's approver; otherwise nobody,
  and the run says so.
- Each person gets ONE message a day listing all their overdue and soon-due articles. The
  outbox key "reminder:<date>" is unique per person, so a second run the same day sends
  nothing, and a run after a failed send does not duplicate it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from kb.models import Notification, NotificationKind, Review
from kb.notifications import SendReport, revision_admin_url, send_pending, subject_line
from kb.selectors import published_revisions, with_latest_review

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class DueArticle:
    """A live article whose next review is overdue or falls due soon."""

    name: str
    slug: str
    revision_id: int
    next_review_due: dt.date
    overdue: bool
    admin_url: str


@dataclass
class Reminder:
    """The one message a responsible person gets today."""

    recipient: object
    articles: list[DueArticle] = field(default_factory=list)
    already_sent: bool = False

    @property
    def overdue(self) -> list[DueArticle]:
        return [a for a in self.articles if a.overdue]

    @property
    def due_soon(self) -> list[DueArticle]:
        return [a for a in self.articles if not a.overdue]


@dataclass
class ReminderPlan:
    """Who would be reminded of what today, and which articles nobody can be told about."""

    today: dt.date
    days: int
    reminders: list[Reminder]
    unassigned: list[DueArticle]

    @property
    def key(self) -> str:
        return reminder_key(self.today)

    @property
    def to_send(self) -> list[Reminder]:
        return [r for r in self.reminders if not r.already_sent]


@dataclass
class ReminderRun:
    """What a run did: the plan, retried backlog, and today's reminders sent or failed."""

    plan: ReminderPlan
    retried: SendReport
    sent: int = 0
    failed: int = 0


def reminder_key(day: dt.date) -> str:
    return f"reminder:{day.isoformat()}"


def _reachable(user) -> bool:
    return user is not None and user.is_active and bool((user.email or "").strip())


def due_articles(*, days: int, today: dt.date) -> list[tuple[DueArticle, object | None]]:
    """Every live article due within ``days`` of ``today``, with its responsible person.

    Starts from ``published_revisions`` so that withdrawn conditions and revisions that are
    not (or no longer) live never produce a reminder.
    """
    horizon = today + dt.timedelta(days=days)
    revisions = list(
        with_latest_review(published_revisions())
        .filter(next_review_due__lte=horizon)
        .select_related("approved_by")
        .order_by("next_review_due", "name", "pk")
    )
    reviews = Review.objects.select_related("reviewer").in_bulk(
        [r.latest_review_id for r in revisions if r.latest_review_id]
    )
    due = []
    for revision in revisions:
        review = reviews.get(revision.latest_review_id)
        responsible = next(
            (
                person
                for person in (review.reviewer if review else None, revision.approved_by)
                if _reachable(person)
            ),
            None,
        )
        article = DueArticle(
            name=revision.name,
            slug=revision.condition.slug,
            revision_id=revision.pk,
            next_review_due=revision.next_review_due,
            overdue=revision.next_review_due < today,
            admin_url=revision_admin_url(revision.pk),
        )
        due.append((article, responsible))
    return due


def plan_reminders(*, days: int = DEFAULT_DAYS, today: dt.date | None = None) -> ReminderPlan:
    """Group due articles by responsible person; reads only, writes nothing."""
    today = today or timezone.localdate()
    by_person: dict[int, Reminder] = {}
    unassigned: list[DueArticle] = []
    for article, person in due_articles(days=days, today=today):
        if person is None:
            unassigned.append(article)
            continue
        by_person.setdefault(person.pk, Reminder(recipient=person)).articles.append(article)
    reminders = sorted(
        by_person.values(), key=lambda r: (str(r.recipient).casefold(), r.recipient.pk)
    )
    already = set(
        Notification.objects.filter(
            key=reminder_key(today), recipient_id__in=list(by_person)
        ).values_list("recipient_id", flat=True)
    )
    for reminder in reminders:
        reminder.already_sent = reminder.recipient.pk in already
    return ReminderPlan(today=today, days=days, reminders=reminders, unassigned=unassigned)


def send_reminders(
    *, days: int = DEFAULT_DAYS, today: dt.date | None = None, retry: bool = True
) -> ReminderRun:
    """Retry the unsent backlog, then write and send today's reminders.

    The backlog goes first so that a message that failed after a transition (say, a
    submission while the mail server was down) reaches its reader on the next daily run.
    """
    retried = send_pending() if retry else SendReport()
    plan = plan_reminders(days=days, today=today)
    ids = []
    for reminder in plan.to_send:
        row = _write(reminder, plan=plan)
        if row is None:  # a concurrent run wrote it first
            reminder.already_sent = True
        else:
            ids.append(row.pk)
    report = send_pending(ids=ids) if ids else SendReport()
    return ReminderRun(plan=plan, retried=retried, sent=report.sent, failed=report.failed)


def _write(reminder: Reminder, *, plan: ReminderPlan) -> Notification | None:
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=reminder.recipient,
                kind=NotificationKind.REMINDER,
                key=plan.key,
                subject=reminder_subject(reminder, days=plan.days),
                body=reminder_body(reminder, today=plan.today, days=plan.days),
            )
    except IntegrityError:
        return None


def reminder_subject(reminder: Reminder, *, days: int) -> str:
    parts = []
    if reminder.overdue:
        parts.append(f"{len(reminder.overdue)} overdue")
    if reminder.due_soon:
        parts.append(f"{len(reminder.due_soon)} due within {days} days")
    return subject_line(f"Reviews due: {', '.join(parts)}")


def _date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def _line(article: DueArticle, *, today: dt.date) -> str:
    delta = (article.next_review_due - today).days
    if delta < 0:
        when = f"was due {_date(article.next_review_due)} ({-delta} days ago)"
    elif delta == 0:
        when = "due today"
    else:
        when = f"due {_date(article.next_review_due)} (in {delta} days)"
    return f"- {article.name}: review {when}\n  {article.admin_url}\n"


def reminder_body(reminder: Reminder, *, today: dt.date, days: int) -> str:
    """Plain text: one line per article with its due date and its editorial desk link."""
    blocks = []
    if reminder.overdue:
        blocks.append(
            "Overdue:\n" + "".join(_line(a, today=today) for a in reminder.overdue) + "\n"
        )
    if reminder.due_soon:
        blocks.append(
            f"Due within the next {days} days:\n"
            + "".join(_line(a, today=today) for a in reminder.due_soon)
            + "\n"
        )
    return (
        f"Hello {reminder.recipient},\n\n"
        "These articles need a medical review. You reviewed or approved the live version of "
        "each, so you are the named person for its next review.\n\n"
        + "".join(blocks)
        + "If an article is still accurate, confirm it from its page in the editorial desk; "
        "otherwise start a new draft.\n\n"
        f"-- \n{settings.KB_PUBLISHER_NAME}\n"
    )
