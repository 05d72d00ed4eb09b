"""send_review_reminders: one message per responsible person per day, listing what is due."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from smtplib import SMTPException
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kb import workflow
from kb.models import Notification, NotificationKind, Review
from kb.models.review import ReviewKind
from tests.factories import make_in_review

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://kb.example.org"
    settings.KB_PUBLISHER_NAME = "Clearview Health Library"


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False) as t:
        yield t


def live_due(*, slug: str, author, reviewer, due: dt.date, name: str | None = None):
    """A live article whose review falls due on ``due`` (reviewed three years before)."""
    revision = make_in_review(author=author, slug=slug, name=name or slug.title())
    workflow.approve(
        revision=revision,
        by=reviewer,
        reviewed_on=due - dt.timedelta(days=1095),
        next_review_due=due,
    )
    return revision


def clear_outbox(mailoutbox):
    """Forget the approval e-mails made while building the content."""
    Notification.objects.all().delete()
    mailoutbox.clear()


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def reminders_to(mailoutbox, address: str):
    return [m for m in mailoutbox if m.to == [address] and "Reviews due" in m.subject]


def admin_link(revision) -> str:
    return "http://kb.example.org" + reverse("admin:kb_revision_change", args=[revision.pk])


def test_each_person_gets_one_email_listing_all_their_due_articles(
    frozen, author, reviewer, reviewer2, mailoutbox
):
    overdue = live_due(
        slug="cramps",
        name="Muscle cramps",
        author=author,
        reviewer=reviewer,
        due=TODAY - dt.timedelta(days=5),
    )
    soon = live_due(
        slug="twitching",
        name="Muscle twitching",
        author=author,
        reviewer=reviewer,
        due=TODAY + dt.timedelta(days=10),
    )
    other = live_due(
        slug="als",
        name="Motor neurone disease",
        author=author,
        reviewer=reviewer2,
        due=TODAY + dt.timedelta(days=20),
    )
    live_due(
        slug="later",
        name="Not yet due",
        author=author,
        reviewer=reviewer,
        due=TODAY + dt.timedelta(days=200),
    )
    clear_outbox(mailoutbox)

    out, _ = run()

    assert last_line(out) == "2 reminders sent"
    assert len(mailoutbox) == 2
    [rita] = reminders_to(mailoutbox, "rita@example.org")
    assert rita.subject == (
        "[Clearview Health Library] Reviews due: 1 overdue, 1 due within 30 days"
    )
    body = rita.body
    assert "Overdue:\n- Muscle cramps: review was due 25 February 2026 (5 days ago)" in body
    assert "Due within the next 30 days:\n- Muscle twitching: review due 12 March 2026" in body
    assert admin_link(overdue) in body
    assert admin_link(soon) in body
    assert "Motor neurone disease" not in body
    assert "Not yet due" not in body
    [ravi] = reminders_to(mailoutbox, "ravi@example.org")
    assert "Motor neurone disease" in ravi.body
    assert admin_link(other) in ravi.body
    assert "Muscle cramps" not in ravi.body
    assert set(Notification.objects.values_list("kind", "key")) == {
        (NotificationKind.REMINDER, "reminder:2026-03-02")
    }


def test_days_sets_how_far_ahead_counts_as_due(frozen, author, reviewer, mailoutbox):
    live_due(slug="today", name="Due today", author=author, reviewer=reviewer, due=TODAY)
    live_due(
        slug="edge",
        name="Due in thirty",
        author=author,
        reviewer=reviewer,
        due=TODAY + dt.timedelta(days=30),
    )
    live_due(
        slug="beyond",
        name="Due in thirty-one",
        author=author,
        reviewer=reviewer,
        due=TODAY + dt.timedelta(days=31),
    )
    clear_outbox(mailoutbox)

    out, _ = run("--dry-run")
    assert "  due     2026-03-02  Due today\n" in out
    assert "  due     2026-04-01  Due in thirty\n" in out
    assert "Due in thirty-one" not in out

    run()
    [message] = mailoutbox
    assert "- Due today: review due today" in message.body
    assert "- Due in thirty: review due 1 April 2026 (in 30 days)" in message.body
    assert "Due in thirty-one" not in message.body
    assert "0 overdue" not in message.subject and "2 due within 30 days" in message.subject

    out, _ = run("--days", "31", "--dry-run")
    assert "Due in thirty-one" in out


def test_default_horizon_is_thirty_days(frozen, author, reviewer, mailoutbox):
    live_due(
        slug="beyond",
        name="Due in thirty-one",
        author=author,
        reviewer=reviewer,
        due=TODAY + dt.timedelta(days=31),
    )
    clear_outbox(mailoutbox)

    out, _ = run()

    assert last_line(out) == "0 reminders sent"
    assert mailoutbox == []


def test_the_reviewer_of_the_latest_review_is_responsible(
    frozen, author, reviewer, reviewer2, mailoutbox
):
    live = live_due(
        slug="cramps", author=author, reviewer=reviewer, due=TODAY + dt.timedelta(days=400)
    )
    Review.objects.create(
        revision=live,
        reviewer=reviewer2,
        kind=ReviewKind.RECONFIRMATION,
        reviewed_on=TODAY - dt.timedelta(days=100),
        next_review_due=TODAY + dt.timedelta(days=3),
    )
    clear_outbox(mailoutbox)

    run()

    assert [m.to for m in mailoutbox] == [["ravi@example.org"]]


def test_an_unreachable_reviewer_falls_back_to_the_approver(
    frozen, author, reviewer, reviewer2, mailoutbox
):
    live = live_due(
        slug="cramps", author=author, reviewer=reviewer, due=TODAY + dt.timedelta(days=400)
    )
    Review.objects.create(
        revision=live,
        reviewer=reviewer2,
        kind=ReviewKind.RECONFIRMATION,
        reviewed_on=TODAY - dt.timedelta(days=100),
        next_review_due=TODAY + dt.timedelta(days=3),
    )
    reviewer2.is_active = False  # left the organisation
    reviewer2.save()
    clear_outbox(mailoutbox)

    run()

    assert [m.to for m in mailoutbox] == [["rita@example.org"]]


def test_an_article_nobody_can_be_told_about_is_reported(frozen, author, reviewer, mailoutbox):
    live_due(slug="cramps", name="Muscle cramps", author=author, reviewer=reviewer, due=TODAY)
    reviewer.email = ""
    reviewer.save()
    clear_outbox(mailoutbox)

    out, err = run()

    assert "No one to remind about Muscle cramps" in err
    assert last_line(out) == "0 reminders sent"
    assert mailoutbox == []


def test_withdrawn_articles_are_not_reminded(frozen, author, reviewer, publisher, mailoutbox):
    live = live_due(slug="cramps", author=author, reviewer=reviewer, due=TODAY)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Merged into another page.")
    clear_outbox(mailoutbox)

    out, _ = run()

    assert last_line(out) == "0 reminders sent"
    assert mailoutbox == []


def test_dry_run_shows_who_would_get_what_and_sends_and_writes_nothing(
    frozen, author, reviewer, mailoutbox
):
    live_due(
        slug="cramps",
        name="Muscle cramps",
        author=author,
        reviewer=reviewer,
        due=TODAY - dt.timedelta(days=1),
    )
    clear_outbox(mailoutbox)
    backlog = Notification.objects.create(
        recipient=author, kind=NotificationKind.APPROVED, key="event:1", subject="s", body="b"
    )

    out, _ = run("--dry-run")

    assert "Dry run: nothing is sent or written." in out
    assert "Would retry 1 unsent notification." in out
    assert "Dr Rita Reviewer <rita@example.org>: 1 overdue, 0 due within 30 days" in out
    assert "overdue 2026-03-01  Muscle cramps" in out
    assert "Dry run: 1 reminder would be sent." in out
    assert last_line(out) == "0 reminders sent"
    assert mailoutbox == []
    assert list(Notification.objects.all()) == [backlog]
    backlog.refresh_from_db()
    assert backlog.sent_at is None
    assert backlog.attempts == 0


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(
    frozen, author, reviewer, mailoutbox
):
    live_due(slug="cramps", author=author, reviewer=reviewer, due=TODAY + dt.timedelta(days=3))
    clear_outbox(mailoutbox)

    first, _ = run()
    frozen.move_to(dt.datetime(2026, 3, 2, 17, 0, tzinfo=LONDON))
    second, _ = run()

    assert last_line(first) == "1 reminder sent"
    assert last_line(second) == "0 reminders sent"
    assert "already reminded today" in second
    assert len(mailoutbox) == 1

    frozen.move_to(dt.datetime(2026, 3, 3, 6, 15, tzinfo=LONDON))
    third, _ = run()

    assert last_line(third) == "1 reminder sent"
    assert len(mailoutbox) == 2
    assert set(Notification.objects.values_list("key", flat=True)) == {
        "reminder:2026-03-02",
        "reminder:2026-03-03",
    }


def test_a_reminder_that_failed_is_retried_not_duplicated(frozen, author, reviewer, mailoutbox):
    live_due(slug="cramps", author=author, reviewer=reviewer, due=TODAY)
    clear_outbox(mailoutbox)

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=SMTPException("421 service not available"),
    ):
        out, err = run()

    assert last_line(out) == "0 reminders sent"
    assert "1 reminder could not be sent" in err
    row = Notification.objects.get(kind=NotificationKind.REMINDER)
    assert row.sent_at is None
    assert "421 service not available" in row.last_error

    out, _ = run()

    assert "Retried 1 unsent notification: 1 sent, 0 failed." in out
    assert last_line(out) == "0 reminders sent"  # today's reminder existed; it was retried
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 1


def test_negative_days_are_refused(db):
    with pytest.raises(CommandError, match="--days"):
        run("--days", "-1")
