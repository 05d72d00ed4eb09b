"""Re-review: "confirm still accurate" records a dated review without a new revision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kb import workflow
from kb.exceptions import FourEyesViolation, NotPermitted, TransitionNotAllowed
from kb.models import Review, Revision, WorkflowEvent
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db

APPROVED_AT = dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def live(author, reviewer):
    with time_machine.travel(APPROVED_AT, tick=False):
        return make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")


def test_reconfirm_moves_review_dates_but_not_last_updated(client, live, reviewer2):
    revisions_before = Revision.objects.count()
    with time_machine.travel(LATER, tick=False):
        review = workflow.reconfirm(
            condition=live.condition, by=reviewer2, note="Checked against the 2026 guideline."
        )
        page = client.get(reverse("kb:article", args=["cramp"])).content.decode()
    assert Revision.objects.count() == revisions_before
    assert review.kind == "reconfirmation" and review.revision_id == live.pk
    assert review.reviewed_on == dt.date(2026, 11, 21)
    assert review.next_review_due == dt.date(2026, 11, 21) + dt.timedelta(days=1095)
    assert "Dr Ravi Second" in page
    assert "21 November 2026" in page  # last reviewed
    assert "November 2029" in page  # next review due
    assert 'Last updated: <time datetime="2024-03-01' in page  # unchanged
    event = WorkflowEvent.objects.get(action="reconfirm")
    assert event.actor == reviewer2 and event.revision_id == live.pk


def test_reconfirm_with_a_chosen_due_date(live, reviewer2):
    with time_machine.travel(LATER, tick=False):
        review = workflow.reconfirm(
            condition=live.condition, by=reviewer2, next_review_due=dt.date(2027, 11, 21)
        )
        assert review.next_review_due == dt.date(2027, 11, 21)
        with pytest.raises(Exception, match="after today"):
            workflow.reconfirm(
                condition=live.condition, by=reviewer2, next_review_due=dt.date(2026, 11, 21)
            )


def test_reconfirm_by_the_author_is_refused(live, author, reviewer, superuser):
    with pytest.raises(NotPermitted):
        workflow.reconfirm(condition=live.condition, by=author)  # an author, not a reviewer
    own = make_live(author=superuser, reviewer=reviewer, slug="own-text", name="Own text")
    with pytest.raises(FourEyesViolation):
        workflow.reconfirm(condition=own.condition, by=superuser)  # wrote it, holds every perm
    assert Review.objects.filter(kind="reconfirmation").count() == 0


def test_reconfirm_by_someone_who_edited_the_text_is_refused(author, reviewer, reviewer2):
    draft = make_draft(author=author, slug="cramp", name="Cramp")
    draft.edited_by.add(reviewer2)  # a reviewer who also edited the text
    workflow.submit(revision=draft, by=author)
    workflow.approve(revision=draft, by=reviewer)
    with pytest.raises(FourEyesViolation):
        workflow.reconfirm(condition=draft.condition, by=reviewer2)
    assert not Review.objects.filter(kind="reconfirmation").exists()


def test_reconfirm_needs_a_live_article(author, reviewer, publisher, live):
    draft_only = make_draft(author=author, slug="unpublished", name="Unpublished")
    with pytest.raises(TransitionNotAllowed):
        workflow.reconfirm(condition=draft_only.condition, by=reviewer)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Under review")
    with pytest.raises(TransitionNotAllowed):
        workflow.reconfirm(condition=live.condition, by=reviewer)


def test_reconfirm_through_the_desk(client, live, author, reviewer, reviewer2):
    url = reverse("admin:kb_condition_reconfirm", args=[live.condition_id])
    change = reverse("admin:kb_condition_change", args=[live.condition_id])
    client.force_login(reviewer2)
    assert b"Confirm still accurate" in client.get(change).content
    response = client.post(
        url, {"next_review_due": "2029-01-31", "note": "Checked.", "attestation": "on"}
    )
    assert response.status_code == 302
    assert Review.objects.filter(kind="reconfirmation", reviewer=reviewer2).exists()
    # The approver's own earlier approval does not bar them; the author is refused.
    client.force_login(author)
    assert b"Confirm still accurate" not in client.get(change).content
    page = client.get(url)
    assert b"Only medical reviewers" in page.content
    client.post(url, {"next_review_due": "2029-01-31"})
    assert Review.objects.filter(kind="reconfirmation").count() == 1


def test_the_desk_page_of_a_condition_with_nothing_live_says_so(client, author, reviewer):
    """An address typed or kept from before: the page explains instead of failing."""
    draft_only = make_draft(author=author, slug="unpublished", name="Unpublished")
    client.force_login(reviewer)
    page = client.get(reverse("admin:kb_condition_reconfirm", args=[draft_only.condition_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "has no live text to confirm" in text
    assert "Confirm still accurate</button>" not in text and 'value="Confirm still' not in text
