"""Taking back a submission: the author's own, before any reviewer has started on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import comments, workflow
from kb.exceptions import NotPermitted, TransitionNotAllowed
from kb.models import RevisionStatus, WorkflowEvent
from kb.models.events import WorkflowAction
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db
S = RevisionStatus


def test_author_takes_back_their_submission_recorded(author):
    revision = make_in_review(author=author)
    workflow.take_back(revision=revision, by=author, comment="Forgot the outlook section.")
    assert revision.status == S.DRAFT
    event = WorkflowEvent.objects.order_by("-id").first()
    assert (event.action, event.actor, event.from_status, event.to_status, event.comment) == (
        WorkflowAction.TAKE_BACK,
        author,
        S.IN_REVIEW,
        S.DRAFT,
        "Forgot the outlook section.",
    )
    workflow.submit(revision=revision, by=author)  # and it can go again
    assert revision.status == S.IN_REVIEW


def test_another_author_may_not_take_it_back(author, author2):
    revision = make_in_review(author=author)
    assert "Only an author of this revision" in workflow.take_back_refusal(
        user=author2, revision=revision
    )
    with pytest.raises(TransitionNotAllowed):
        workflow.take_back(revision=revision, by=author2)
    revision.refresh_from_db()
    assert revision.status == S.IN_REVIEW


def test_reviewer_may_not_take_it_back(author, reviewer):
    revision = make_in_review(author=author)
    with pytest.raises(NotPermitted):
        workflow.take_back(revision=revision, by=reviewer)


def test_not_once_a_reviewer_has_commented(author, reviewer):
    revision = make_in_review(author=author)
    comments.add_comment(revision=revision, by=reviewer, body="Looking at the dose now.")
    assert workflow.review_started(revision=revision)
    assert "started reviewing" in workflow.take_back_refusal(user=author, revision=revision)
    with pytest.raises(TransitionNotAllowed, match="started reviewing"):
        workflow.take_back(revision=revision, by=author)
    revision.refresh_from_db()
    assert revision.status == S.IN_REVIEW


def test_authors_own_comment_does_not_count_as_review(author):
    revision = make_in_review(author=author)
    comments.add_comment(revision=revision, by=author, body="Note to the reviewer.")
    assert not workflow.take_back_refusal(user=author, revision=revision)


def test_comments_from_an_earlier_round_do_not_count(author, reviewer):
    revision = make_in_review(author=author)
    comments.add_comment(revision=revision, by=reviewer, body="Fix the dose.")
    workflow.request_changes(revision=revision, by=reviewer, comment="See comment.")
    workflow.submit(revision=revision, by=author)
    assert not workflow.review_started(revision=revision)
    workflow.take_back(revision=revision, by=author)
    assert revision.status == S.DRAFT


def test_only_a_revision_in_review(author, reviewer):
    draft = make_draft(author=author)
    assert "only a revision in review" in workflow.take_back_refusal(user=author, revision=draft)
    with pytest.raises(TransitionNotAllowed):
        workflow.take_back(revision=draft, by=author)
    live = make_live(author=author, reviewer=reviewer, slug="live-one")
    with pytest.raises(TransitionNotAllowed):
        workflow.take_back(revision=live, by=author)


def _shows_button(client, user, revision) -> bool:
    client.force_login(user)
    page = client.get(reverse("admin:kb_revision_change", args=[revision.pk]))
    assert page.status_code == 200
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "take_back"])
    return url in page.content.decode()


@pytest.mark.parametrize(
    "case", ["author", "other_author", "reviewer", "commented", "draft", "approved"]
)
def test_desk_shows_the_button_exactly_when_take_back_succeeds(
    client, case, author, author2, reviewer
):
    if case == "draft":
        revision = make_draft(author=author)
    elif case == "approved":
        revision = make_live(author=author, reviewer=reviewer)
    else:
        revision = make_in_review(author=author)
    if case == "commented":
        comments.add_comment(revision=revision, by=reviewer, body="Reading it.")
    user = {"other_author": author2, "reviewer": reviewer}.get(case, author)
    shown = _shows_button(client, user, revision)
    try:
        workflow.take_back(revision=revision, by=user)
    except (TransitionNotAllowed, NotPermitted):
        succeeded = False
    else:
        succeeded = True
    assert shown == succeeded
    assert shown == (case == "author")


def test_take_back_through_the_desk(client, author):
    revision = make_in_review(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "take_back"])
    response = client.post(url, {"comment": "Not ready yet."})
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == S.DRAFT
    assert WorkflowEvent.objects.filter(action="take_back", comment="Not ready yet.").exists()
