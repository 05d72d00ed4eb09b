"""Comments on a revision: who may add, reply and resolve, and that the record only grows."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kb import comments
from kb.exceptions import AppendOnly, ContentProblems, NotPermitted, TransitionNotAllowed
from kb.models import SectionComment
from kb.selectors import comment_threads, conversation, unresolved_threads
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(author):
    return make_in_review(author=author)


def first_section(revision):
    return revision.sections.order_by("position", "id").first()


def test_reviewer_comments_on_a_section_quoting_a_passage(in_review, reviewer):
    section = first_section(in_review)
    comment = comments.add_comment(
        revision=in_review,
        by=reviewer,
        section=section,
        quote="  some   words\nquoted ",
        body=" Cite the source of this dose. ",
    )
    assert (comment.section, comment.section_heading, comment.quote, comment.body) == (
        section,
        section.heading,
        "some words quoted",
        "Cite the source of this dose.",
    )
    assert [t.comment for t in unresolved_threads(revision=in_review)] == [comment]


def test_whole_revision_comment_reply_and_resolve(in_review, author, reviewer):
    thread = comments.add_comment(revision=in_review, by=reviewer, body="Shorten the summary.")
    answer = comments.reply(comment=thread, by=author, body="Done in the new version.")
    resolution = comments.resolve(comment=thread, by=reviewer, note="Looks good.")
    (shown,) = comment_threads(revision=in_review)
    assert shown.replies == [answer]
    assert shown.resolution == resolution
    assert (resolution.author, resolution.body) == (reviewer, "Looks good.")
    assert unresolved_threads(revision=in_review) == []


def test_resolved_thread_takes_no_reply_and_is_not_resolved_twice(in_review, author, reviewer):
    thread = comments.add_comment(revision=in_review, by=reviewer, body="Check the dose.")
    comments.resolve(comment=thread, by=author)
    with pytest.raises(TransitionNotAllowed, match="already resolved"):
        comments.resolve(comment=thread, by=reviewer)
    with pytest.raises(TransitionNotAllowed, match="resolved"):
        comments.reply(comment=thread, by=reviewer, body="One more thing.")
    assert SectionComment.objects.count() == 2


def test_replies_are_not_threads(in_review, author, reviewer):
    thread = comments.add_comment(revision=in_review, by=reviewer, body="Check the dose.")
    answer = comments.reply(comment=thread, by=author, body="Checked.")
    with pytest.raises(TransitionNotAllowed):
        comments.resolve(comment=answer, by=reviewer)
    with pytest.raises(TransitionNotAllowed):
        comments.reply(comment=answer, by=reviewer, body="Nested.")


def test_people_without_an_editorial_role_may_not_comment(in_review, nobody, publisher):
    for user in (nobody, publisher):
        assert comments.comment_refusal(user=user, revision=in_review)
        with pytest.raises(NotPermitted):
            comments.add_comment(revision=in_review, by=user, body="Hello")
    assert not SectionComment.objects.exists()


def test_approved_revision_conversation_is_closed(author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    assert "approved" in comments.comment_refusal(user=reviewer, revision=live)
    with pytest.raises(TransitionNotAllowed):
        comments.add_comment(revision=live, by=reviewer, body="Late remark.")


def test_empty_comment_and_foreign_section_refused(in_review, reviewer, author2):
    other = make_draft(author=author2, slug="other-condition")
    with pytest.raises(ContentProblems, match="Write the comment"):
        comments.add_comment(revision=in_review, by=reviewer, body="   ")
    with pytest.raises(ContentProblems, match="not part of this revision"):
        comments.add_comment(
            revision=in_review, by=reviewer, body="Hm.", section=first_section(other)
        )
    with pytest.raises(ContentProblems, match="Quote at most"):
        comments.add_comment(revision=in_review, by=reviewer, body="Hm.", quote="x" * 1001)
    assert not SectionComment.objects.exists()


def test_comments_are_append_only(in_review, reviewer):
    comment = comments.add_comment(revision=in_review, by=reviewer, body="Check the dose.")
    comment.body = "Rewritten"
    with pytest.raises(AppendOnly):
        comment.save()
    with pytest.raises(AppendOnly):
        comment.delete()
    with pytest.raises(AppendOnly):
        SectionComment.objects.filter(pk=comment.pk).update(body="Rewritten")
    with pytest.raises(AppendOnly):
        SectionComment.objects.all().delete()
    assert SectionComment.objects.get(pk=comment.pk).body == "Check the dose."


def test_database_holds_the_shape_of_threads(in_review, reviewer):
    thread = comments.add_comment(revision=in_review, by=reviewer, body="Check the dose.")
    base = {"revision": in_review, "author": reviewer}
    with transaction.atomic(), pytest.raises(IntegrityError):
        SectionComment.objects.create(**base, body="")
    with transaction.atomic(), pytest.raises(IntegrityError):
        SectionComment.objects.create(**base, is_resolution=True)
    SectionComment.objects.create(**base, parent=thread, is_resolution=True)
    with transaction.atomic(), pytest.raises(IntegrityError):
        SectionComment.objects.create(**base, parent=thread, is_resolution=True)


def test_deleting_a_commented_section_of_a_draft_keeps_the_comment(author, reviewer):
    revision = make_in_review(author=author)
    section = first_section(revision)
    heading = section.heading
    comment = comments.add_comment(revision=revision, by=reviewer, section=section, body="Cut it.")
    from kb import workflow

    workflow.request_changes(revision=revision, by=reviewer, comment="See the comments.")
    section.delete()
    kept = SectionComment.objects.get(pk=comment.pk)
    assert (kept.section_id, kept.section_heading, kept.body) == (None, heading, "Cut it.")


def test_conversation_interleaves_notes_and_threads_in_order(author, reviewer):
    from kb import workflow

    draft = make_draft(author=author)
    workflow.submit(revision=draft, by=author, comment="Updated treatment section")
    thread = comments.add_comment(revision=draft, by=reviewer, body="Check the dose.")
    workflow.request_changes(revision=draft, by=reviewer, comment="Please fix the dose.")
    items = conversation(revision=draft)
    shown = [item.event.text if item.event else item.thread.comment.body for item in items]
    assert shown == [
        "Created by Alice Author",
        "Submitted for review by Alice Author: “Updated treatment section”",
        "Check the dose.",
        "Sent back for changes by Dr Rita Reviewer: “Please fix the dose.”",
    ]
    assert items[2].thread.comment == thread
