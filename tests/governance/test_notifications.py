"""E-mail about workflow events: who is told, what they read, and when it is sent."""

from __future__ import annotations

import datetime as dt
import logging
from smtplib import SMTPException
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from kb import notifications, services, workflow
from kb.models import Notification, NotificationKind, RevisionStatus, WorkflowEvent, publication
from kb.models.events import WorkflowAction
from tests.factories import UserFactory, ensure_role, fresh, make_draft, make_in_review, make_live

LONDON = ZoneInfo("Europe/London")
LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def addresses(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def admin_link(revision) -> str:
    return "http://kb.example.org" + reverse("admin:kb_revision_change", args=[revision.pk])


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://kb.example.org"
    settings.KB_PUBLISHER_NAME = "Clearview Health Library"


@pytest.fixture
def reviewing_author(db):
    """Someone in both roles: may review others' work, never their own (I3)."""
    user = UserFactory(username="dana", display_name="Dr Dana Both", role=MEDICAL_REVIEWER)
    user.groups.add(ensure_role(AUTHOR))
    return fresh(user)


# --- recipients per transition ------------------------------------------------------------


def test_submit_emails_every_eligible_reviewer_but_not_the_author(
    author,
    reviewer,
    reviewer2,
    publisher,
    superuser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    revision = make_draft(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author, comment="Updated the drug list.")

    assert addresses(mailoutbox) == ["ravi@example.org", "rita@example.org"]
    message = mailoutbox[0]
    assert message.subject == "[Clearview Health Library] Review requested: Test condition"
    assert "Alice Author submitted “Test condition” (revision 1)" in message.body
    assert "Updated the drug list." in message.body
    assert admin_link(revision) in message.body
    assert {n.kind for n in Notification.objects.all()} == {NotificationKind.SUBMITTED}


def test_submit_skips_reviewers_who_edited_the_revision(
    author, reviewer, reviewing_author, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    services.record_edit(revision=revision, by=reviewing_author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)

    assert addresses(mailoutbox) == ["rita@example.org"]


def test_submit_never_emails_the_person_who_submitted(
    author, reviewer, reviewing_author, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=reviewing_author)

    # Dana may approve Alice's text, but she pressed the button herself.
    assert addresses(mailoutbox) == ["rita@example.org"]
    assert not Notification.objects.filter(recipient=reviewing_author).exists()


def test_people_without_an_email_address_are_skipped(
    author, reviewer, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer2.email = ""
    reviewer2.save()
    revision = make_draft(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)

    assert addresses(mailoutbox) == ["rita@example.org"]
    assert not Notification.objects.filter(recipient=reviewer2).exists()


def test_request_changes_emails_the_authors_with_the_comment(
    author, author2, reviewer, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    services.record_edit(revision=revision, by=author2)
    workflow.submit(revision=revision, by=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(
            revision=revision, by=reviewer, comment="Cite the 2019 guideline for dosing."
        )

    assert addresses(mailoutbox) == ["alice@example.org", "arthur@example.org"]
    for message in mailoutbox:
        assert message.subject == "[Clearview Health Library] Changes requested: Test condition"
        assert "Dr Rita Reviewer sent “Test condition” (revision 1) back" in message.body
        assert "Cite the 2019 guideline for dosing." in message.body
        assert admin_link(revision) in message.body


def test_request_changes_never_emails_the_reviewer_who_sent_it_back(
    author, reviewing_author, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    services.record_edit(revision=revision, by=reviewing_author)  # an editor, so an author
    workflow.submit(revision=revision, by=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(revision=revision, by=reviewing_author, comment="Shorter.")

    assert addresses(mailoutbox) == ["alice@example.org"]


def test_approval_emails_the_authors_only(
    author, author2, reviewer, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    services.record_edit(revision=revision, by=author2)
    workflow.submit(revision=revision, by=author)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(revision=revision, by=reviewer, note="Checked against NICE CKS.")

    assert addresses(mailoutbox) == ["alice@example.org", "arthur@example.org"]
    message = mailoutbox[0]
    assert message.subject == "[Clearview Health Library] Approved and live: Test condition"
    assert "It is now live" in message.body
    assert "Checked against NICE CKS." in message.body
    assert admin_link(revision) in message.body
    assert Notification.objects.filter(kind=NotificationKind.APPROVED).count() == 2


def test_scheduled_approval_tells_the_authors_when_it_goes_live_and_again_when_it_does(
    author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    go_live = dt.datetime(2026, 4, 1, 9, 30, tzinfo=LONDON)
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, 0, tzinfo=LONDON), tick=False):
        revision = make_in_review(author=author)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.approve(revision=revision, by=reviewer, go_live_at=go_live)

    assert addresses(mailoutbox) == ["alice@example.org"]
    scheduled = mailoutbox[0]
    assert "goes live 1 April 2026, 09:30" in scheduled.subject
    assert "will go live on the public site on 1 April 2026, 09:30 BST" in scheduled.body
    assert admin_link(revision) in scheduled.body

    with (
        time_machine.travel(dt.datetime(2026, 4, 1, 9, 31, tzinfo=LONDON), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.publish_scheduled()

    assert len(mailoutbox) == 2
    went_live = mailoutbox[1]
    assert went_live.to == ["alice@example.org"]
    assert went_live.subject == "[Clearview Health Library] Now live: Test condition"
    assert "went live on the public site on 1 April 2026, 09:30 BST" in went_live.body
    assert Notification.objects.filter(kind=NotificationKind.WENT_LIVE).count() == 1


def test_events_nobody_must_act_on_send_nothing(
    author, reviewer, publisher, mailoutbox, django_capture_on_commit_callbacks
):
    live = make_live(author=author, reviewer=reviewer)
    mailoutbox.clear()
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.start_new_draft(condition=live.condition, by=author)
        workflow.withdraw(condition=live.condition, by=publisher, reason="Duplicate page.")
        workflow.restore(condition=live.condition, by=publisher)

    assert mailoutbox == []
    assert not Notification.objects.exists()


# --- one message per event per person ------------------------------------------------------


def test_an_author_who_also_edited_gets_one_email_per_event(
    author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    services.record_edit(revision=revision, by=author)  # creator and editor
    workflow.submit(revision=revision, by=author)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(revision=revision, by=reviewer, comment="Fix the dosage.")

    assert addresses(mailoutbox) == ["alice@example.org"]
    event = WorkflowEvent.objects.get(action=WorkflowAction.REQUEST_CHANGES)
    assert Notification.objects.get(recipient=author).key == f"event:{event.pk}"


def test_handling_the_same_event_twice_does_not_send_twice(
    author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)
    event = WorkflowEvent.objects.get(action=WorkflowAction.SUBMIT)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.on_event(event)

    assert addresses(mailoutbox) == ["rita@example.org"]
    assert Notification.objects.count() == 1


# --- after commit, and only after commit ---------------------------------------------------


def test_nothing_is_sent_before_the_transaction_commits(
    author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.submit(revision=revision, by=author)
        assert mailoutbox == []
        assert Notification.objects.filter(sent_at__isnull=True).count() == 1

    # One callback sends the mail (the others announce a new publication state).
    assert len([c for c in callbacks if not isinstance(c, publication._Advanced)]) == 1
    assert addresses(mailoutbox) == ["rita@example.org"]
    assert Notification.objects.get().sent_at is not None


def test_a_rolled_back_transition_leaves_no_email_and_no_outbox_row(
    author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.submit(revision=revision, by=author)
        raise RuntimeError("a later step of the same request failed")

    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.DRAFT


def test_a_failure_while_queueing_is_logged_and_does_not_undo_the_transition(
    author, reviewer, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)

    with (
        mock.patch.object(notifications, "recipients_for", side_effect=LookupError("bug")),
        caplog.at_level(logging.ERROR, logger="kb.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.submit(revision=revision, by=author)

    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW
    assert WorkflowEvent.objects.filter(action=WorkflowAction.SUBMIT).exists()
    assert mailoutbox == []
    assert "Could not queue e-mail" in caplog.text


# --- a failing mail server -------------------------------------------------------------------


def test_a_failing_mail_server_neither_blocks_nor_undoes_the_transition_and_is_retried(
    author, reviewer, reviewer2, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)

    with (
        mock.patch(LOCMEM_SEND, side_effect=SMTPException("451 try again later")),
        caplog.at_level(logging.WARNING, logger="kb.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.submit(revision=revision, by=author)

    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW
    assert mailoutbox == []
    rows = list(Notification.objects.all())
    assert len(rows) == 2
    for row in rows:
        assert row.sent_at is None
        assert row.attempts == 1
        assert row.last_error == "SMTPException: 451 try again later"
    assert "Could not send notification" in caplog.text

    out = _run_reminders()

    assert "Retried 2 unsent notifications: 2 sent, 0 failed." in out
    assert addresses(mailoutbox) == ["ravi@example.org", "rita@example.org"]
    for row in Notification.objects.all():
        assert row.sent_at is not None
        assert row.attempts == 2
        assert row.last_error == ""


def test_one_failing_recipient_does_not_hold_up_the_others(
    author, reviewer, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def refuse_ravi(self, messages):
        if any("ravi@example.org" in m.to for m in messages):
            raise SMTPException("550 mailbox unavailable")
        return real_send(self, messages)

    revision = make_draft(author=author)
    with (
        mock.patch(LOCMEM_SEND, autospec=True, side_effect=refuse_ravi),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.submit(revision=revision, by=author)

    assert addresses(mailoutbox) == ["rita@example.org"]
    failed = Notification.objects.get(recipient=reviewer2)
    assert failed.sent_at is None
    assert "550 mailbox unavailable" in failed.last_error
    assert Notification.objects.get(recipient=reviewer).sent_at is not None


def test_rows_that_failed_too_often_are_left_for_an_administrator(author, reviewer, mailoutbox):
    given_up = Notification.objects.create(
        recipient=reviewer,
        kind=NotificationKind.SUBMITTED,
        key="event:999",
        subject="s",
        body="b",
        attempts=notifications.MAX_ATTEMPTS,
        last_error="SMTPException: 550",
    )
    retry = Notification.objects.create(
        recipient=author, kind=NotificationKind.APPROVED, key="event:998", subject="s", body="b"
    )

    report = notifications.send_pending()

    assert (report.sent, report.failed) == (1, 0)
    given_up.refresh_from_db()
    retry.refresh_from_db()
    assert given_up.sent_at is None
    assert retry.sent_at is not None
    assert addresses(mailoutbox) == ["alice@example.org"]


def test_messages_come_from_the_configured_sender(
    settings, author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Clearview Health Library <editors@kb.example.org>"
    revision = make_draft(author=author)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)

    assert mailoutbox[0].from_email == "Clearview Health Library <editors@kb.example.org>"


def _run_reminders(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_scheduled_time_is_shown_in_the_site_time_zone(author, reviewer):
    go_live = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        revision = make_in_review(author=author)
        workflow.approve(revision=revision, by=reviewer, go_live_at=go_live)

    row = Notification.objects.get(kind=NotificationKind.APPROVED)
    expected = dateformat.format(timezone.localtime(go_live), "j F Y, H:i T")
    assert expected == "1 December 2026, 08:00 GMT"
    assert expected in row.body
