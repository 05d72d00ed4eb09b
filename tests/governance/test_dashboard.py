"""The review dashboard: bucket boundaries, work queues, flags, chart, filters, access, cost."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import AUTHOR
from kb import services, workflow
from kb.dashboard import review_dashboard, review_schedule
from kb.models import Condition, Feedback, FeedbackStatus, Reference, Review
from kb.models.review import ReviewKind
from tests.factories import ReferenceFactory, ensure_role, fresh, make_draft, make_in_review

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
DASHBOARD = "/admin/kb/dashboard/"


@pytest.fixture(autouse=True)
def frozen():
    # Late in the day: the buckets count whole local dates, not 24-hour spans from now.
    moment = dt.datetime(2026, 3, 15, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(moment, tick=False):
        yield


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def make_live_due(*, slug, due, author, reviewer, sections=None):
    """A live article whose approval review says the next review is due on ``due``."""
    revision = make_in_review(
        author=author, slug=slug, name=slug.replace("-", " ").capitalize(), sections=sections
    )
    reviewed_on = min(TODAY, due - dt.timedelta(days=365))
    workflow.approve(
        revision=revision, by=reviewer, reviewed_on=reviewed_on, next_review_due=due,
        retraction_acknowledgement="Cited as the retracted claim the text warns about.",
    )  # fmt: skip
    return revision


def slugs(items) -> set[str]:
    return {item.slug for item in items}


def changelist_slugs(client, **params) -> set[str]:
    response = client.get(reverse("admin:kb_condition_changelist"), params)
    assert response.status_code == 200
    return {condition.slug for condition in response.context["cl"].result_list}


# --- review-due buckets ---------------------------------------------------------------------

BOUNDARIES = {
    "overdue-by-one-day": -1,
    "due-today": 0,
    "due-tomorrow": 1,
    "due-in-30": 30,
    "due-in-31": 31,
    "due-in-60": 60,
    "due-in-61": 61,
    "due-in-90": 90,
    "due-in-91": 91,
}
EXPECTED = {
    "overdue": {"overdue-by-one-day"},
    "30": {"due-today", "due-tomorrow", "due-in-30"},
    "60": {"due-today", "due-tomorrow", "due-in-30", "due-in-31", "due-in-60"},
    "90": {
        "due-today",
        "due-tomorrow",
        "due-in-30",
        "due-in-31",
        "due-in-60",
        "due-in-61",
        "due-in-90",
    },  # fmt: skip
}


@pytest.fixture
def boundaries(author, reviewer):
    for slug, offset in BOUNDARIES.items():
        make_live_due(slug=slug, due=days(offset), author=author, reviewer=reviewer)


def test_buckets_around_the_boundaries(boundaries):
    schedule = review_schedule()

    assert schedule.today == TODAY
    assert slugs(schedule.overdue) == EXPECTED["overdue"]
    assert schedule.overdue[0].days_overdue == 1
    for window in (30, 60, 90):
        assert slugs(schedule.due_within(window)) == EXPECTED[str(window)], window
    assert schedule.windows == [(30, 3), (60, 5), (90, 7)]


def test_changelist_review_due_filter_matches_the_buckets(client, publisher, boundaries):
    client.force_login(publisher)

    for value, expected in EXPECTED.items():
        assert changelist_slugs(client, due=value) == expected, value
    assert changelist_slugs(client, due="365") == set(BOUNDARIES) - {"overdue-by-one-day"}


def test_withdrawn_article_is_not_on_the_schedule(client, author, reviewer, publisher):
    make_live_due(slug="kept", due=days(-5), author=author, reviewer=reviewer)
    gone = make_live_due(slug="gone", due=days(-5), author=author, reviewer=reviewer)
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Merged into another page.")
    client.force_login(publisher)

    assert slugs(review_schedule().overdue) == {"kept"}
    assert changelist_slugs(client, due="overdue") == {"kept"}


def test_latest_review_wins_over_the_approval_review(client, author, reviewer, reviewer2):
    # Approved long ago with a distant due date, then re-confirmed today with a near one:
    # the latest review decides, not the largest date.
    live = make_live_due(slug="reconfirmed", due=days(400), author=author, reviewer=reviewer)
    Review.objects.create(
        revision=live,
        reviewer=reviewer2,
        kind=ReviewKind.RECONFIRMATION,
        reviewed_on=TODAY,
        next_review_due=days(20),
    )
    overdue = make_live_due(slug="was-overdue", due=days(-10), author=author, reviewer=reviewer)
    Review.objects.create(
        revision=overdue,
        reviewer=reviewer2,
        kind=ReviewKind.RECONFIRMATION,
        reviewed_on=TODAY,
        next_review_due=days(1000),
    )

    schedule = review_schedule()

    assert schedule.overdue == []
    [item] = schedule.due_within(30)
    assert (item.slug, item.next_review_due, item.last_reviewed) == ("reconfirmed", days(20), TODAY)
    assert item.responsible == reviewer2  # who signed the latest review
    client.force_login(reviewer)
    assert changelist_slugs(client, due="30") == {"reconfirmed"}
    assert changelist_slugs(client, due="overdue") == set()


def test_responsible_reviewer_shown_on_the_dashboard(client, author, reviewer, reviewer2):
    make_live_due(slug="mine", due=days(-3), author=author, reviewer=reviewer)
    make_live_due(slug="theirs", due=days(5), author=author, reviewer=reviewer2)
    client.force_login(reviewer)

    body = client.get(DASHBOARD).content.decode()

    assert "Dr Rita Reviewer (you)" in body
    assert "Dr Ravi Second" in body
    assert "3 days" in body


# --- work queues ----------------------------------------------------------------------------


@pytest.fixture
def reviewing_author(db):
    """A clinician who holds both roles: may edit text and approve others' text."""
    from tests.factories import UserFactory

    user = UserFactory(username="dana", display_name="Dr Dana Both", role="Medical reviewer")
    user.groups.add(ensure_role(AUTHOR))
    return fresh(user)


def test_awaiting_my_review_excludes_revisions_i_created_or_edited(
    client, author, reviewer, reviewing_author
):
    theirs = make_in_review(author=author, slug="theirs", name="Theirs")
    edited = make_draft(author=author, slug="edited", name="Edited")
    services.record_edit(revision=edited, by=reviewing_author)
    workflow.submit(revision=edited, by=author)
    own = make_in_review(author=reviewing_author, slug="own", name="Own")
    make_draft(author=author, slug="still-draft", name="Still draft")

    mine = review_dashboard(user=reviewing_author)
    rita = review_dashboard(user=reviewer)

    assert mine.can_approve
    assert [r.pk for r in mine.awaiting_review] == [theirs.pk]
    assert {r.pk for r in rita.awaiting_review} == {theirs.pk, edited.pk, own.pk}
    client.force_login(reviewing_author)
    assert changelist_slugs(client, queue="awaiting_review") == {"theirs"}


def test_without_approve_permission_all_revisions_in_review_are_listed(client, author, publisher):
    own = make_in_review(author=author, slug="own", name="Own")

    assert [r.pk for r in review_dashboard(user=author).awaiting_review] == [own.pk]
    assert not review_dashboard(user=publisher).can_approve
    client.force_login(publisher)
    assert changelist_slugs(client, queue="awaiting_review") == {"own"}
    assert "In review (1)" in client.get(DASHBOARD).content.decode()


def test_sent_back_to_me_lists_revisions_i_created_or_edited(
    client, author, author2, reviewer, publisher
):
    revision = make_draft(author=author, slug="sent-back", name="Sent back")
    services.record_edit(revision=revision, by=author2)
    workflow.submit(revision=revision, by=author)
    workflow.request_changes(revision=revision, by=reviewer, comment="Cite the 2019 guideline.")
    other = make_in_review(author=author, slug="in-review", name="In review")

    assert [r.pk for r in review_dashboard(user=author).sent_back] == [revision.pk]
    assert [r.pk for r in review_dashboard(user=author2).sent_back] == [revision.pk]
    assert review_dashboard(user=reviewer).sent_back == []
    assert review_dashboard(user=publisher).sent_back == []
    assert other.pk not in [r.pk for r in review_dashboard(user=author).sent_back]

    client.force_login(author2)
    assert changelist_slugs(client, queue="sent_back") == {"sent-back"}
    body = client.get(DASHBOARD).content.decode()
    assert "Sent back to me (1)" in body
    assert "Cite the 2019 guideline." in body


# --- flagged for review ---------------------------------------------------------------------


@pytest.fixture
def flagged(author, reviewer):
    ReferenceFactory(key="withdrawn2020")
    ReferenceFactory(key="sound2021")
    cites = [{"kind": "overview", "heading": "Overview",
              "body": "Text [@withdrawn2020] and [@sound2021]."}]  # fmt: skip
    make_live_due(slug="cites-retracted", due=days(500), author=author, reviewer=reviewer,
                  sections=cites)  # fmt: skip
    ref = Reference.objects.get(key="withdrawn2020")
    workflow.set_retraction(
        reference=ref, by=reviewer, retracted=True, note="Retracted by the journal."
    )

    live = {}
    for slug in ("new-feedback", "in-progress-feedback", "resolved-feedback", "rejected-feedback"):
        live[slug] = make_live_due(slug=slug, due=days(500), author=author, reviewer=reviewer)
    statuses = {
        "new-feedback": FeedbackStatus.NEW,
        "in-progress-feedback": FeedbackStatus.IN_PROGRESS,
        "resolved-feedback": FeedbackStatus.RESOLVED,
        "rejected-feedback": FeedbackStatus.REJECTED,
    }
    for slug, status in statuses.items():
        Feedback.objects.create(
            condition=live[slug].condition,
            revision=live[slug],
            assigned_to=reviewer,
            message="The dose in the treatment section looks wrong.",
            status=status,
        )
    make_live_due(slug="quiet", due=days(500), author=author, reviewer=reviewer)


def test_flagged_for_retracted_reference_and_open_feedback(flagged, reviewer, author):
    data = review_dashboard(user=reviewer)

    assert [(f.slug, f.reference_keys) for f in data.retracted] == [
        ("cites-retracted", ["withdrawn2020"])
    ]
    assert slugs(data.feedback) == {"new-feedback", "in-progress-feedback"}
    assert {f.mine_count for f in data.feedback} == {1}
    assert {f.mine_count for f in review_dashboard(user=author).feedback} == {0}
    assert data.flagged_count == 3


def test_condition_flagged_for_both_reasons_counts_once(flagged, reviewer):
    condition = Condition.objects.get(slug="cites-retracted")
    Feedback.objects.create(
        condition=condition, revision=condition.published_revision, message="Cites a retraction."
    )

    data = review_dashboard(user=reviewer)

    assert len(data.retracted) == 1 and len(data.feedback) == 3
    assert data.flagged_count == 3


def test_changelist_flagged_filter(client, flagged, publisher):
    client.force_login(publisher)

    assert changelist_slugs(client, flagged="retracted") == {"cites-retracted"}
    assert changelist_slugs(client, flagged="feedback") == {
        "new-feedback",
        "in-progress-feedback",
    }
    assert changelist_slugs(client, flagged="any") == {
        "cites-retracted",
        "new-feedback",
        "in-progress-feedback",
    }
    assert len(changelist_slugs(client)) == 6


def test_dashboard_page_lists_flags(client, flagged, reviewer):
    client.force_login(reviewer)

    body = client.get(DASHBOARD).content.decode()

    assert "Flagged for review (3)" in body
    assert "withdrawn2020" in body and "sound2021" not in body
    assert "New feedback" in body and "Resolved feedback" not in body


# --- chart ----------------------------------------------------------------------------------


def test_chart_counts_reviews_falling_due_per_month(client, author, reviewer):
    dues = {
        "overdue": dt.date(2026, 3, 14),  # overdue: listed, not charted
        "today": dt.date(2026, 3, 15),
        "end-of-march": dt.date(2026, 3, 31),
        "april": dt.date(2026, 4, 1),
        "last-month": dt.date(2027, 2, 28),
        "beyond": dt.date(2027, 3, 1),  # the thirteenth month
    }
    for slug, due in dues.items():
        make_live_due(slug=slug, due=due, author=author, reviewer=reviewer)

    months = review_schedule().months

    assert [m.month for m in months][:2] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    assert len(months) == 12 and months[-1].month == dt.date(2027, 2, 1)
    counts = {m.month: m.count for m in months}
    assert counts[dt.date(2026, 3, 1)] == 2
    assert counts[dt.date(2026, 4, 1)] == 1
    assert counts[dt.date(2027, 2, 1)] == 1
    assert sum(counts.values()) == 4

    client.force_login(reviewer)
    body = client.get(DASHBOARD).content.decode()
    svg = re.search(r'<svg role="img".*?</svg>', body, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="kb-chart-title kb-chart-desc"' in svg
    assert '<title id="kb-chart-title">' in svg and '<desc id="kb-chart-desc">' in svg
    assert "4 reviews fall due" in svg
    assert svg.count("<rect") == 12
    content = body.split('id="content-main"', 1)[1]
    assert "<script" not in content.lower()  # drawn on the server, no chart library
    assert '<th scope="row">March 2026</th><td>2</td>' in body
    assert '<th scope="row">February 2027</th><td>1</td>' in body


# --- access, index panel, links -------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_kb_permission_is_refused(client, nobody):
    client.force_login(nobody)

    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("role", ["author", "reviewer", "publisher"])
def test_every_editorial_role_may_read_the_dashboard(client, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert reverse("admin:kb_dashboard") == DASHBOARD


def test_counts_link_to_the_filtered_changelist(client, author, reviewer):
    make_live_due(slug="late", due=days(-1), author=author, reviewer=reviewer)
    client.force_login(reviewer)
    changelist = reverse("admin:kb_condition_changelist")

    body = client.get(DASHBOARD).content.decode()

    queries = ["due=overdue", "due=30", "due=60", "due=90", "queue=awaiting_review",
               "queue=sent_back", "flagged=any", "flagged=retracted",
               "flagged=feedback"]  # fmt: skip
    for query in queries:
        assert f'href="{changelist}?{query}"' in body, query


def test_admin_index_shows_the_panel_and_keeps_the_app_list(client, author, reviewer):
    make_live_due(slug="late", due=days(-1), author=author, reviewer=reviewer)
    make_live_due(slug="soon", due=days(10), author=author, reviewer=reviewer)
    client.force_login(reviewer)

    body = client.get(reverse("admin:index")).content.decode()

    panel = re.search(r'<section class="module kb-panel".*?</section>', body, re.S).group(0)
    assert f'href="{DASHBOARD}"' in panel
    assert re.search(r'<span class="kb-count">1</span> overdue for review', panel)
    assert re.search(r'<span class="kb-count">1</span> due within 30 days', panel)
    assert "app-kb" in body  # the standard app list is still there


def test_admin_index_has_no_panel_without_kb_permission(client, nobody):
    client.force_login(nobody)

    body = client.get(reverse("admin:index")).content.decode()

    assert "kb-panel" not in body


# --- query budget ---------------------------------------------------------------------------


def build_library(n: int, *, author, reviewer, offset: int = 0) -> None:
    """``n`` of each kind: overdue live with a retracted citation and feedback, soon due,
    in review, sent back."""
    ReferenceFactory(key=f"gone{offset}", retracted=True)
    for i in range(offset, offset + n):
        live = make_live_due(slug=f"late-{i}", due=days(-i - 1), author=author, reviewer=reviewer,
                             sections=[{"kind": "overview", "heading": "Overview",
                                        "body": f"Text [@gone{offset}]."}])  # fmt: skip
        Feedback.objects.create(
            condition=live.condition, revision=live, assigned_to=reviewer, message="Wrong dose."
        )
        make_live_due(slug=f"soon-{i}", due=days(i % 90), author=author, reviewer=reviewer)
        make_in_review(author=author, slug=f"review-{i}", name=f"Review {i}")
        sent = make_in_review(author=author, slug=f"back-{i}", name=f"Back {i}")
        workflow.request_changes(revision=sent, by=reviewer, comment="Fix it.")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_budget_does_not_grow_with_the_library(client, author, reviewer):
    # The reference is retracted before it is cited: approved with an acknowledgement.
    build_library(3, author=author, reviewer=reviewer)
    client.force_login(reviewer)
    small = count_queries(client, DASHBOARD), count_queries(client, reverse("admin:index"))
    author_small = review_dashboard(user=author)
    assert len(author_small.sent_back) == 3 and len(author_small.schedule.overdue) == 3

    build_library(27, author=author, reviewer=reviewer, offset=3)
    large = count_queries(client, DASHBOARD), count_queries(client, reverse("admin:index"))
    author_large = review_dashboard(user=author)
    assert len(author_large.sent_back) == 30 and len(author_large.schedule.overdue) == 30

    assert small == large
    assert large[0] <= 15
