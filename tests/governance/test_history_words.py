"""A revision's history in words: who did what and what they said, never codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import workflow
from kb.history import describe, full_history
from kb.models import WorkflowEvent
from kb.models.events import WorkflowAction
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import UserFactory, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(db):
    from accounts.roles import AUTHOR

    return UserFactory(username="ann", display_name="Ann Author", role=AUTHOR)


def test_submission_in_words(ann):
    draft = make_draft(author=ann)
    workflow.submit(revision=draft, by=ann, comment="Updated treatment section")
    event = WorkflowEvent.objects.get(action=WorkflowAction.SUBMIT)
    assert describe(event) == "Submitted for review by Ann Author: “Updated treatment section”"
    assert describe(event, with_note=False) == "Submitted for review by Ann Author"


@pytest.mark.parametrize("action", [a.value for a in WorkflowAction])
def test_every_action_has_words_without_codes(action, ann):
    event = WorkflowEvent(action=action, actor=ann, from_status="in_review", to_status="draft")
    text = describe(event)
    assert "Ann Author" in text
    assert text[0].isupper() and "in_review" not in text and "_" not in text


def test_note_spread_over_lines_reads_as_one_sentence(ann):
    event = WorkflowEvent(action=WorkflowAction.TAKE_BACK, actor=ann, comment="Two\n\nlines ")
    assert describe(event) == "Submission taken back to draft by Ann Author: “Two lines”"


def test_history_page_speaks_in_words(client, ann, reviewer):
    draft = make_draft(author=ann)
    client.force_login(ann)
    change = reverse("admin:kb_revision_change", args=[draft.pk])
    saved = client.post(
        change,
        revision_post_data(
            draft, lock_version=draft.lock_version, **{"sections-0-body": "New text."}
        ),
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    workflow.submit(revision=draft, by=ann, comment="Updated treatment section")
    workflow.request_changes(revision=draft, by=reviewer, comment="Cite the dose.")
    assert [e.text for e in full_history(revision=draft)] == [
        "Sent back for changes by Dr Rita Reviewer: “Cite the dose.”",
        "Submitted for review by Ann Author: “Updated treatment section”",
        "Text edited by Ann Author",
        "Created by Ann Author",
    ]
    page = client.get(reverse("admin:kb_revision_history", args=[draft.pk])).content.decode()
    assert "Submitted for review by Ann Author: “Updated treatment section”" in page
    assert "Text edited by Ann Author" in page
    assert "opened_version" not in page and "in_review" not in page
    assert "Changed " not in page
