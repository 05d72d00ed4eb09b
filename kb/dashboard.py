"""Reads for the review-governance dashboard: what needs a clinician's or publisher's attention.

Health-content standards ask for a planned review cycle: every live article is re-checked by
a named clinician before its "next review due" date. The dashboard shows where the library
stands against that promise, and what is waiting on the person looking at it.

Review dates always come from the *latest* review of the live revision (``with_latest_review``),
so a "confirmed still accurate" review recorded after approval moves the article on, exactly
as it does on the public page.

Buckets, with ``today`` = ``timezone.localdate()``:

- **overdue**: next review due before today. Due today is not overdue yet.
- **due within N days** (N = 30, 60, 90): today ≤ due ≤ today + N. The windows are
  cumulative: an article due in 10 days counts in all three. The changelist filters use the
  same windows, so a count and the list it links to always agree.
- **responsible**: the reviewer of that latest review, the clinician who last signed the
  text off and is the natural person to re-review it.

Everything here is a pure read, and the dashboard costs the same number of queries whatever
the size of the library: lists are filled by one query each, never one per row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kb import permissions
from kb.citations import SNAPSHOT_FIELDS, reference_snapshot, snapshot_value
from kb.models import (
    Citation,
    Condition,
    Feedback,
    FeedbackStatus,
    Review,
    Revision,
    RevisionStatus,
    WorkflowEvent,
)
from kb.models.events import WorkflowAction
from kb.selectors import published_revisions, with_latest_review

#: The "due within" windows shown on the dashboard, in days (cumulative).
DUE_WINDOWS = (30, 60, 90)
#: How many calendar months the "falling due" chart covers, the current one included.
CHART_MONTHS = 12
#: Reader feedback still waiting for triage or an answer.
OPEN_FEEDBACK_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)

PERM_APPROVE = permissions.APPROVE_REVISION


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- querysets shared by the dashboard and the changelist filters ---------------------------


def live_revisions_with_review() -> QuerySet[Revision]:
    """Live revisions annotated with their latest review's dates and reviewer (one query)."""
    return with_latest_review(published_revisions()).annotate(
        responsible_id=Subquery(
            Review.objects.filter(pk=OuterRef("latest_review_id")).values("reviewer_id")[:1]
        )
    )


def live_revisions_overdue(*, today: dt.date | None = None) -> QuerySet[Revision]:
    """Live revisions whose next review fell due before today."""
    return live_revisions_with_review().filter(next_review_due__lt=_today(today))


def live_revisions_due_within(*, days: int, today: dt.date | None = None) -> QuerySet[Revision]:
    """Live revisions due today or in the next ``days`` days (today and the last day included)."""
    today = _today(today)
    return live_revisions_with_review().filter(
        next_review_due__gte=today, next_review_due__lte=today + dt.timedelta(days=days)
    )


def revisions_awaiting_review(*, user) -> QuerySet[Revision]:
    """Revisions in review that ``user`` may act on.

    A medical reviewer never approves text they wrote or edited (I3), so those are left out
    of their queue. Someone without the approval permission (an author or a publisher) sees
    everything in review: for them the list is a view of the pipeline, not a to-do list.
    """
    queryset = Revision.objects.filter(status=RevisionStatus.IN_REVIEW)
    if user.has_perm(PERM_APPROVE):
        queryset = queryset.exclude(created_by=user).exclude(pk__in=_edited_by(user))
    return queryset


def revisions_sent_back(*, user) -> QuerySet[Revision]:
    """Revisions sent back for changes that ``user`` created or edited: theirs to fix."""
    return Revision.objects.filter(status=RevisionStatus.CHANGES_REQUESTED).filter(
        Q(created_by=user) | Q(pk__in=_edited_by(user))
    )


def _edited_by(user) -> QuerySet:
    return Revision.edited_by.through.objects.filter(user=user).values("revision_id")


def live_revisions_citing_retracted() -> QuerySet[Revision]:
    """Live revisions that cite a reference since flagged as retracted."""
    return published_revisions().filter(
        pk__in=Citation.objects.filter(reference__retracted=True).values("revision_id")
    )


def open_feedback() -> QuerySet[Feedback]:
    """Reader reports not yet resolved or rejected."""
    return Feedback.objects.filter(status__in=OPEN_FEEDBACK_STATUSES)


def conditions_flagged(*, reason: str) -> QuerySet[Condition]:
    """Conditions flagged for review: ``retracted``, ``feedback`` or ``any`` of the two."""
    retracted = Q(published_revision__in=live_revisions_citing_retracted().values("pk"))
    feedback = Q(pk__in=open_feedback().values("condition_id"))
    match reason:
        case "retracted":
            return Condition.objects.filter(retracted)
        case "feedback":
            return Condition.objects.filter(feedback)
        case "any":
            return Condition.objects.filter(retracted | feedback)
    raise ValueError(f"Unknown flag {reason!r}.")


# --- the dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDue:
    """One live article on the review schedule."""

    condition_id: int
    slug: str
    name: str
    last_reviewed: dt.date
    next_review_due: dt.date
    responsible: object | None  # the user who signed off the latest review
    days_left: int  # negative when overdue

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


@dataclass(frozen=True)
class MonthDue:
    month: dt.date  # the first day of the month
    count: int


@dataclass(frozen=True)
class ReviewSchedule:
    today: dt.date
    overdue: list[ReviewDue]
    upcoming: list[ReviewDue]  # due within the widest window, soonest first
    months: list[MonthDue]

    def due_within(self, days: int) -> list[ReviewDue]:
        return [item for item in self.upcoming if item.days_left <= days]

    @property
    def windows(self) -> list[tuple[int, int]]:
        """``(days, count)`` for each "due within" window."""
        return [(days, len(self.due_within(days))) for days in DUE_WINDOWS]


def review_schedule(*, today: dt.date | None = None) -> ReviewSchedule:
    """Overdue and upcoming reviews and the per-month chart, in two queries.

    The chart counts reviews falling due from today to the end of the twelfth calendar
    month (the current month counts only from today: earlier dates are overdue, and shown
    as such).
    """
    today = _today(today)
    first_month = today.replace(day=1)
    chart_end = _add_months(first_month, CHART_MONTHS)  # exclusive
    widest = today + dt.timedelta(days=max(DUE_WINDOWS))
    rows = list(
        live_revisions_with_review()
        .filter(next_review_due__lt=max(chart_end, widest + dt.timedelta(days=1)))
        .order_by("next_review_due", "name", "pk")
        .values_list(
            "condition_id",
            "condition__slug",
            "name",
            "last_reviewed",
            "next_review_due",
            "responsible_id",
        )
    )
    users = get_user_model().objects.in_bulk({row[5] for row in rows if row[5]})
    items = [
        ReviewDue(
            condition_id=condition_id,
            slug=slug,
            name=name,
            last_reviewed=last_reviewed,
            next_review_due=due,
            responsible=users.get(responsible_id),
            days_left=(due - today).days,
        )
        for condition_id, slug, name, last_reviewed, due, responsible_id in rows
    ]
    per_month = Counter(
        item.next_review_due.replace(day=1)
        for item in items
        if today <= item.next_review_due < chart_end
    )
    months = [_add_months(first_month, n) for n in range(CHART_MONTHS)]
    return ReviewSchedule(
        today=today,
        overdue=[item for item in items if item.days_left < 0],
        upcoming=[item for item in items if 0 <= item.days_left <= max(DUE_WINDOWS)],
        months=[MonthDue(month=month, count=per_month[month]) for month in months],
    )


@dataclass(frozen=True)
class RetractionFlag:
    """A live article that cites retracted references."""

    condition_id: int
    slug: str
    name: str
    reference_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChangedSinceApproval:
    """A live article citing an older version of library records than the library holds.

    Readers still see the version approved with the article (I9); a reviewer decides
    whether the change matters and, if so, starts a new draft (which cites the record as
    it is now) and approves it.
    """

    condition_id: int
    slug: str
    name: str
    revision_number: int
    #: (reference key, the fields that differ from the approved snapshot), by number.
    changes: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def reference_keys(self) -> list[str]:
        return [key for key, _ in self.changes]


def records_changed_since_approval(*, reference=None) -> list[ChangedSinceApproval]:
    """Live articles whose approved references differ from the library now (one query).

    Candidates are the live citations whose record was written after the revision was
    approved (in SQL, so the rows read stay few); each candidate's snapshot is then compared
    with the record, so a retraction flag (read live anyway) or an edit undone does not
    count. ``reference`` narrows it to the articles citing that record.
    """
    citations = Citation.objects.filter(
        revision__in=published_revisions().values("pk"),
        snapshot__isnull=False,
        reference__updated_at__gt=F("revision__approved_at"),
    )
    if reference is not None:
        citations = citations.filter(reference=reference)
    citations = citations.select_related("reference", "revision__condition").order_by(
        "revision__name", "revision_id", "number"
    )
    articles: dict[int, ChangedSinceApproval] = {}
    for citation in citations:
        now = reference_snapshot(citation.reference)
        changed = [f for f in SNAPSHOT_FIELDS if now.get(f) != snapshot_value(citation.snapshot, f)]
        if not changed:
            continue
        revision = citation.revision
        article = articles.setdefault(
            revision.pk,
            ChangedSinceApproval(
                condition_id=revision.condition_id,
                slug=revision.condition.slug,
                name=revision.name,
                revision_number=revision.number,
            ),
        )
        article.changes.append((citation.reference.key, changed))
    return list(articles.values())


@dataclass(frozen=True)
class FeedbackFlag:
    """A condition with open reader feedback."""

    condition_id: int
    slug: str
    name: str
    open_count: int
    mine_count: int  # assigned to the person looking
    oldest: dt.datetime


def retraction_flags() -> list[RetractionFlag]:
    """Live articles citing retracted references, with the keys to look at (one query)."""
    flags: dict[int, RetractionFlag] = {}
    citations = (
        Citation.objects.filter(
            reference__retracted=True,
            revision__in=published_revisions().values("pk"),
        )
        .order_by("revision__name", "revision_id", "number")
        .values_list(
            "revision__condition_id",
            "revision__condition__slug",
            "revision__name",
            "reference__key",
        )
    )
    for condition_id, slug, name, key in citations:
        flag = flags.setdefault(
            condition_id, RetractionFlag(condition_id=condition_id, slug=slug, name=name)
        )
        flag.reference_keys.append(key)
    return list(flags.values())


def feedback_flags(*, user) -> list[FeedbackFlag]:
    """Conditions with open reader feedback, oldest report first (one query)."""
    rows = (
        open_feedback()
        .values("condition_id", "condition__slug", "condition__published_revision__name")
        .annotate(
            open_count=Count("pk"),
            mine_count=Count("pk", filter=Q(assigned_to=user)),
            oldest=Min("created_at"),
        )
        .order_by("oldest", "condition_id")
    )
    return [
        FeedbackFlag(
            condition_id=row["condition_id"],
            slug=row["condition__slug"],
            name=row["condition__published_revision__name"] or row["condition__slug"],
            open_count=row["open_count"],
            mine_count=row["mine_count"],
            oldest=row["oldest"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Dashboard:
    schedule: ReviewSchedule
    awaiting_review: list[Revision]
    sent_back: list[Revision]
    retracted: list[RetractionFlag]
    feedback: list[FeedbackFlag]
    can_approve: bool
    changed_references: list[ChangedSinceApproval] = field(default_factory=list)

    @property
    def flagged_count(self) -> int:
        """Conditions flagged for either reason, each counted once."""
        return len(
            {flag.condition_id for flag in self.retracted}
            | {flag.condition_id for flag in self.feedback}
        )


def review_dashboard(*, user, today: dt.date | None = None) -> Dashboard:
    """Everything the dashboard shows for ``user``, in a fixed number of queries."""
    last_sent_back_comment = Subquery(
        WorkflowEvent.objects.filter(revision=OuterRef("pk"), action=WorkflowAction.REQUEST_CHANGES)
        .order_by("-created_at", "-id")
        .values("comment")[:1]
    )
    return Dashboard(
        schedule=review_schedule(today=today),
        awaiting_review=list(
            revisions_awaiting_review(user=user)
            .select_related("condition", "created_by")
            .order_by("submitted_at", "pk")
        ),
        sent_back=list(
            revisions_sent_back(user=user)
            .select_related("condition")
            .annotate(sent_back_comment=last_sent_back_comment)
            .order_by("-updated_at", "pk")
        ),
        retracted=retraction_flags(),
        feedback=feedback_flags(user=user),
        can_approve=user.has_perm(PERM_APPROVE),
        changed_references=records_changed_since_approval(),
    )
