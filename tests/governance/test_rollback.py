"""Rolling back: a new draft from an earlier approved revision, reviewed like any draft."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kb import services, workflow
from kb.models import Revision, RevisionStatus, WorkflowEvent
from kb.models.events import WorkflowAction
from kb.selectors import published_revisions
from tests.factories import make_live

pytestmark = pytest.mark.django_db

FIRST_SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "The first wording."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching"},
]


@pytest.fixture
def two_published(author, reviewer):
    """Revision 1 approved, then replaced by revision 2, which is live."""
    first = make_live(author=author, reviewer=reviewer, name="First name", sections=FIRST_SECTIONS)
    draft = workflow.start_new_draft(condition=first.condition, by=author)
    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        name="Second name",
        sections=[{"kind": "overview", "heading": "Overview", "body": "A later wording."}],
    )
    workflow.submit(revision=draft, by=author)
    second = workflow.approve(revision=draft, by=reviewer)
    first.refresh_from_db()
    return first, second


def start_draft_url(revision: Revision) -> str:
    return reverse("admin:kb_revision_start_draft", args=[revision.pk])


def test_rollback_drafts_the_earlier_text_and_goes_live_after_review(
    client, author, reviewer2, two_published
):
    first, second = two_published
    client.force_login(author)

    response = client.post(start_draft_url(first))

    draft = Revision.objects.get(condition=first.condition, number=3)
    assert response.status_code == 302
    assert response.url == reverse("admin:kb_revision_change", args=[draft.pk])
    assert draft.status == RevisionStatus.DRAFT
    assert draft.based_on == first
    assert draft.name == "First name"
    assert [(s.kind, s.heading, s.body) for s in draft.sections.order_by("position")] == [
        (s["kind"], s["heading"], s["body"]) for s in FIRST_SECTIONS
    ]
    event = WorkflowEvent.objects.filter(revision=draft).get()
    assert event.action == WorkflowAction.START_DRAFT
    assert event.actor == author
    assert event.comment == "Based on revision 1."
    # The live article is unchanged until the draft is reviewed.
    assert published_revisions().get(condition=first.condition) == second

    workflow.submit(revision=draft, by=author)
    workflow.approve(revision=draft, by=reviewer2)

    live = published_revisions().get(condition=first.condition)
    assert live == draft
    assert live.name == "First name"
    assert live.sections.order_by("position").first().body == "The first wording."
    actions = list(
        WorkflowEvent.objects.filter(revision=draft).order_by("id").values_list("action", flat=True)
    )
    assert actions == [WorkflowAction.START_DRAFT, WorkflowAction.SUBMIT, WorkflowAction.APPROVE]


def test_confirmation_page_then_post(client, author, two_published):
    first, _ = two_published
    client.force_login(author)

    page = client.get(start_draft_url(first))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Start a new draft from revision 1"' in html
    assert "csrfmiddlewaretoken" in html
    assert "See what would change compared with the live text" in html
    assert not Revision.objects.filter(number=3).exists()  # a GET changes nothing


def test_rollback_post_needs_a_csrf_token(author, two_published):
    first, _ = two_published
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    assert client.post(start_draft_url(first)).status_code == 403
    assert not Revision.objects.filter(number=3).exists()


def test_rollback_refused_while_a_draft_is_open(client, author, author2, two_published):
    first, _ = two_published
    open_draft = workflow.start_new_draft(condition=first.condition, by=author2)
    client.force_login(author)

    response = client.post(start_draft_url(first), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:kb_revision_change", args=[first.pk])
    assert f"Revision {open_draft.number} is already draft; continue with it instead." in (
        response.content.decode()
    )
    assert first.condition.revisions.count() == 3  # revisions 1, 2 and the open draft

    confirmation = client.get(start_draft_url(first)).content.decode()
    assert "Continue with revision 3" in confirmation
    assert 'value="Start a new draft from revision 1"' not in confirmation


def test_rollback_from_a_revision_that_is_not_approved_is_refused(client, author, two_published):
    first, _ = two_published
    draft = workflow.start_new_draft(condition=first.condition, by=author)
    client.force_login(author)

    response = client.post(start_draft_url(draft), follow=True)

    assert "A new draft can only start from an approved revision." in response.content.decode()
    assert first.condition.revisions.count() == 3


def test_reviewers_do_not_see_the_button_and_cannot_post(client, reviewer2, two_published):
    first, _ = two_published
    client.force_login(reviewer2)

    revision_page = client.get(reverse("admin:kb_revision_change", args=[first.pk]))
    condition_page = client.get(reverse("admin:kb_condition_change", args=[first.condition_id]))

    assert revision_page.status_code == condition_page.status_code == 200
    for page in (revision_page, condition_page):
        assert start_draft_url(first) not in page.content.decode()
        assert "Start a new draft from revision" not in page.content.decode()
    assert client.get(start_draft_url(first)).status_code == 403
    assert client.post(start_draft_url(first)).status_code == 403
    assert first.condition.revisions.count() == 2


def test_authors_see_the_button_on_earlier_approved_revisions_only(client, author, two_published):
    first, second = two_published
    client.force_login(author)

    earlier = client.get(reverse("admin:kb_revision_change", args=[first.pk])).content.decode()
    live = client.get(reverse("admin:kb_revision_change", args=[second.pk])).content.decode()
    condition = client.get(
        reverse("admin:kb_condition_change", args=[first.condition_id])
    ).content.decode()

    assert "Start a new draft from revision 1…" in earlier
    assert start_draft_url(first) in earlier
    assert "Start a new draft from revision" not in live
    assert start_draft_url(first) in condition
    assert start_draft_url(second) not in condition


def test_no_rollback_offered_on_the_condition_page_while_a_draft_is_open(
    client, author, two_published
):
    first, _ = two_published
    workflow.start_new_draft(condition=first.condition, by=author)
    client.force_login(author)

    condition = client.get(
        reverse("admin:kb_condition_change", args=[first.condition_id])
    ).content.decode()

    assert start_draft_url(first) not in condition
