"""Scheduled publishing: invisible one second before go-live, live one second after, on every
public surface, with no job having to run; the cron command only catches the log up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kb import services, workflow
from kb.exceptions import NotPermitted, TransitionNotAllowed
from kb.models import PublicChange, Revision, WorkflowEvent
from kb.selectors import published_revisions
from tests.factories import make_in_review, make_live

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
GO_LIVE = T0 + dt.timedelta(hours=2)
OLD = "Brontide tremor"
NEW = "Zephyrine tremor"


def public_pages(client, slug: str) -> str:
    """Every public surface a reader or crawler can reach, concatenated."""
    urls = [
        reverse("kb:home"),
        reverse("kb:conditions"),
        reverse("kb:article", args=[slug]),
        reverse("kb:article_print", args=[slug]),
        reverse("kb:search") + "?q=tremor",
        reverse("kb:search") + "?q=zephyrine",
        reverse("kb:sitemap"),
        reverse("kb:feed"),
    ]
    return "\n".join(client.get(url).content.decode() for url in urls)


def api_views(slug: str) -> str:
    """Every partner API answer that could carry the article, concatenated."""
    from accounts.models import Partner, PartnerAPIKey

    partner, _ = Partner.objects.get_or_create(name="Scheduling partner")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    urls = [
        "/api/v1/conditions/",
        f"/api/v1/conditions/{slug}/",
        "/api/v1/conditions/?q=tremor",
        "/api/v1/changes/",
    ]
    return "\n".join(api.get(url).content.decode() for url in urls)


def schedule_new_revision(*, author, author2, reviewer, reviewer2, go_live=GO_LIVE):
    live = make_live(author=author, reviewer=reviewer, slug="tremor", name=OLD)
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    draft = services.update_revision(
        revision=draft, by=author2, expected_version=draft.lock_version, name=NEW,
        change_note="Renamed after the 2026 consensus.",
    )  # fmt: skip
    workflow.submit(revision=draft, by=author2)
    workflow.approve(revision=draft, by=reviewer2, go_live_at=go_live)
    return live, Revision.objects.get(pk=draft.pk)


def test_scheduled_text_is_invisible_before_and_live_after_on_every_surface(
    client, author, author2, reviewer, reviewer2
):
    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        assert scheduled.is_approved and scheduled.is_scheduled and not scheduled.is_live

    with time_machine.travel(GO_LIVE - dt.timedelta(seconds=1), tick=False):
        page = public_pages(client, "tremor")
        assert OLD in page
        assert NEW not in page
        api = api_views("tremor")
        assert OLD in api and NEW not in api
        assert '"revision":2' not in api.replace(" ", "")
        assert list(published_revisions().values_list("pk", flat=True)) == [live.pk]

    with time_machine.travel(GO_LIVE + dt.timedelta(seconds=1), tick=False):
        page = public_pages(client, "tremor")
        assert NEW in page
        api = api_views("tremor")
        assert NEW in api and '"revision":2' in api.replace(" ", "")
        article = client.get(reverse("kb:article", args=["tremor"])).content.decode()
        assert OLD not in article.split("What changed")[0]  # old name only in no body text
        assert list(published_revisions().values_list("pk", flat=True)) == [scheduled.pk]
        # No job had to run: readers saw it from its go-live time (the partner feed,
        # read above, entered the go-live on demand, once).
        assert Revision.objects.get(pk=scheduled.pk).is_live
        assert PublicChange.objects.filter(revision=scheduled).count() == 1


def test_first_publication_can_be_scheduled(client, author, reviewer):
    with time_machine.travel(T0, tick=False):
        revision = make_in_review(author=author, slug="tremor", name=NEW)
        workflow.approve(revision=revision, by=reviewer, go_live_at=GO_LIVE)
    with time_machine.travel(GO_LIVE - dt.timedelta(seconds=1), tick=False):
        assert client.get(reverse("kb:article", args=["tremor"])).status_code == 404
        assert NEW not in public_pages(client, "tremor")
    with time_machine.travel(GO_LIVE + dt.timedelta(seconds=1), tick=False):
        assert client.get(reverse("kb:article", args=["tremor"])).status_code == 200


def test_publish_scheduled_catches_up_pointers_and_log_once(
    author, author2, reviewer, reviewer2, capsys
):
    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        call_command("publish_scheduled")
        assert "0 scheduled publication(s) recorded" in capsys.readouterr().out
    with time_machine.travel(GO_LIVE + dt.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
        assert "tremor: revision went live" in capsys.readouterr().out
        call_command("publish_scheduled")
        assert "0 scheduled publication(s) recorded" in capsys.readouterr().out
    condition = live.condition
    condition.refresh_from_db()
    assert condition.published_revision_id == scheduled.pk
    assert condition.scheduled_revision_id is None
    actions = list(
        WorkflowEvent.objects.filter(condition=condition)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions.count("schedule") == 1 and actions.count("go_live") == 1
    # The partner feed enters the go-live when it is caught up, in commit order.
    assert list(
        PublicChange.objects.filter(condition=condition).values_list("revision_id", "at")
    ) == [(live.pk, T0), (scheduled.pk, GO_LIVE + dt.timedelta(minutes=1))]


def test_changes_feed_row_is_entered_once_due(author, author2, reviewer, reviewer2):
    with time_machine.travel(T0, tick=False):
        schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        assert PublicChange.objects.count() == 1
        workflow.publish_scheduled()
        assert PublicChange.objects.count() == 1  # not due: nothing entered
    with time_machine.travel(GO_LIVE, tick=False):
        workflow.publish_scheduled()
        assert list(PublicChange.objects.values_list("at", flat=True)) == [T0, GO_LIVE]


def test_a_past_go_live_time_publishes_now(author, reviewer):
    with time_machine.travel(T0, tick=False):
        revision = make_in_review(author=author, slug="tremor", name=NEW)
        workflow.approve(revision=revision, by=reviewer, go_live_at=T0 - dt.timedelta(hours=1))
        revision.refresh_from_db()
        assert revision.published_at == T0
        assert revision.condition.published_revision_id == revision.pk


def test_cancel_schedule_keeps_the_old_text_and_drops_the_future_change(
    client, author, author2, reviewer, reviewer2, publisher
):
    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        with pytest.raises(NotPermitted):
            workflow.cancel_schedule(condition=live.condition, by=author)
        workflow.cancel_schedule(condition=live.condition, by=publisher, comment="Embargo moved")
        with pytest.raises(TransitionNotAllowed):
            workflow.cancel_schedule(condition=live.condition, by=publisher)
    with time_machine.travel(GO_LIVE + dt.timedelta(hours=1), tick=False):
        assert NEW not in public_pages(client, "tremor")
        assert not PublicChange.objects.filter(revision=scheduled).exists()
        assert WorkflowEvent.objects.filter(
            revision=scheduled, action="cancel_schedule", comment="Embargo moved"
        ).exists()


def test_a_newer_immediate_approval_replaces_a_pending_schedule(
    client, author, author2, reviewer, reviewer2
):
    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        urgent = workflow.start_new_draft(condition=live.condition, by=author)
        assert urgent.based_on_id == scheduled.pk  # the newest approved text
        urgent = services.update_revision(
            revision=urgent, by=author, expected_version=urgent.lock_version,
            name="Urgent tremor", change_note="Urgent safety correction.",
        )  # fmt: skip
        workflow.submit(revision=urgent, by=author)
        workflow.approve(revision=urgent, by=reviewer2)
        assert "Urgent tremor" in public_pages(client, "tremor")
    with time_machine.travel(GO_LIVE + dt.timedelta(hours=1), tick=False):
        page = public_pages(client, "tremor")
        assert "Urgent tremor" in page and NEW not in page


def test_withdrawal_cancels_a_pending_schedule_and_scheduling_needs_restore(
    client, author, author2, reviewer, reviewer2, publisher
):
    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        workflow.withdraw(condition=live.condition, by=publisher, reason="Safety review")
        live.condition.refresh_from_db()
        assert live.condition.scheduled_revision_id is None
    with time_machine.travel(GO_LIVE + dt.timedelta(hours=1), tick=False):
        assert client.get(reverse("kb:article", args=["tremor"])).status_code == 410
        assert NEW not in public_pages(client, "tremor")
        draft = workflow.start_new_draft(condition=live.condition, by=author)
        workflow.submit(revision=draft, by=author)
        with pytest.raises(TransitionNotAllowed, match="restore it"):
            workflow.approve(
                revision=draft, by=reviewer2, go_live_at=timezone.now() + dt.timedelta(days=1)
            )


def test_scheduling_through_the_desk(client, author, author2, reviewer, reviewer2):
    with time_machine.travel(T0, tick=True):
        live = make_live(author=author, reviewer=reviewer, slug="tremor", name=OLD)
        draft = workflow.start_new_draft(condition=live.condition, by=author2)
        workflow.submit(revision=draft, by=author2)
        draft.refresh_from_db()
        client.force_login(reviewer2)
        url = reverse("admin:kb_revision_transition", args=[draft.pk, "approve"])
        page = client.get(url)
        assert b"Go live at" in page.content
        form = {
            "reviewed_on": "2026-11-21",
            "next_review_due": "2029-11-21",
            "opened_version": draft.lock_version,
            "change_class": "clinical",
            "attestation": "on",
        }
        past = client.post(url, {**form, "go_live_at": "2026-11-20T10:00"})
        assert b"already passed" in past.content
        assert Revision.objects.get(pk=draft.pk).status == "in_review"
        response = client.post(url, {**form, "go_live_at": "2026-11-22T10:00"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.is_scheduled
        # Europe/London is UTC in November.
        assert draft.published_at == dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)
        condition_page = client.get(reverse("admin:kb_condition_change", args=[live.condition_id]))
        assert b"Cancel scheduled go-live" in condition_page.content
