"""The task engine: e-mail as tasks after commit, retried with back-off, failures visible in
the desk and run again by staff; periodic work enqueued from one command, once a day."""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kb import workflow
from kb.models import Notification, PeriodicRun
from tests.factories import make_draft

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"

pytestmark = pytest.mark.django_db


def test_a_transition_enqueues_one_task_per_message_after_commit(
    database_tasks, author, reviewer, reviewer2, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)

    results = DBTaskResult.objects.filter(task_path="kb.tasks.send_notification")
    assert results.count() == 2
    assert mailoutbox == []  # stored for a worker, not sent in the request


def test_a_rolled_back_transition_enqueues_nothing(
    database_tasks, author, reviewer, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.submit(revision=revision, by=author)
        raise RuntimeError("a later step failed")

    assert not DBTaskResult.objects.exists()
    assert not Notification.objects.exists()


def test_the_worker_sends_each_message_once(
    database_tasks, run_tasks, author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)
    row = Notification.objects.get()
    from kb.tasks import send_notification

    send_notification.enqueue(row.pk)  # a duplicate task (e.g. the sweep raced it)

    assert run_tasks() == 2
    assert [message.to for message in mailoutbox] == [[reviewer.email]]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1


def test_a_failed_send_is_visible_and_retried_with_backoff(
    database_tasks,
    run_tasks,
    make_due,
    author,
    reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)

    before = timezone.now()
    with mock.patch(LOCMEM_SEND, side_effect=SMTPException("421 try later")):
        assert run_tasks() == 1
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "kb.tasks.NotificationNotSent"
    assert "421 try later" in failed.traceback
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after >= before + dt.timedelta(minutes=1)
    assert mailoutbox == []

    assert run_tasks() == 0  # not due yet
    make_due()
    assert run_tasks() == 1
    assert [message.to for message in mailoutbox] == [[reviewer.email]]
    assert Notification.objects.get().attempts == 2


def test_backoff_doubles_up_to_its_cap():
    from kb.tasks import backoff

    base, cap = dt.timedelta(minutes=1), dt.timedelta(minutes=5)
    assert [backoff(n, base=base, cap=cap).seconds // 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 5]


def test_staff_run_a_failed_task_again_from_the_desk(
    database_tasks,
    run_tasks,
    client,
    superuser,
    author,
    reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    revision = make_draft(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(revision=revision, by=author)
    with mock.patch(LOCMEM_SEND, side_effect=SMTPException("down")):
        run_tasks()
    failed = DBTaskResult.objects.get(status="FAILED")
    DBTaskResult.objects.filter(status="READY").delete()  # leave only the failed attempt

    client.force_login(superuser)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    page = client.get(changelist + "?status__exact=FAILED")
    assert page.status_code == 200
    assert "NotificationNotSent" in page.content.decode()
    answer = client.post(
        changelist, {"action": "run_again", "_selected_action": [str(failed.pk)]}, follow=True
    )
    assert "1 task(s) enqueued again." in answer.content.decode()
    assert run_tasks() == 1
    assert [message.to for message in mailoutbox] == [[reviewer.email]]


def test_enqueue_periodic_enqueues_daily_work_once_a_day(database_tasks):
    call_command("enqueue_periodic")
    call_command("enqueue_periodic")

    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths.count("kb.tasks.publish_scheduled") == 2
    assert paths.count("kb.tasks.send_unsent_notifications") == 2
    assert paths.count("kb.tasks.send_review_reminders") == 1
    assert PeriodicRun.objects.get(name="kb.tasks.send_review_reminders").last_day == (
        timezone.localdate()
    )


def test_enqueue_periodic_runs_the_daily_work_again_the_next_day(database_tasks):
    from kb.periodic import enqueue_periodic

    today = timezone.localdate()
    enqueue_periodic(today=today)
    enqueue_periodic(today=today + dt.timedelta(days=1))

    assert DBTaskResult.objects.filter(task_path="kb.tasks.send_review_reminders").count() == 2
