"""The conversation on the desk's revision page: shown to all, written through POST forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import comments, workflow
from kb.models import SectionComment
from tests.factories import make_draft, make_in_review

pytestmark = pytest.mark.django_db


def page(client, user, revision) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:kb_revision_change", args=[revision.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_notes_and_comments_at_the_top_of_the_revision_page(client, author, reviewer, publisher):
    draft = make_draft(author=author)
    workflow.submit(revision=draft, by=author, comment="Updated treatment section")
    comments.add_comment(revision=draft, by=reviewer, body="Which trial is the dose from?")
    workflow.request_changes(revision=draft, by=reviewer, comment="Please cite the dose.")
    for user in (author, reviewer, publisher):
        html = page(client, user, draft)
        conversation = html[html.index('id="conversation"') :]
        assert (
            conversation.index("Updated treatment section")
            < conversation.index("Which trial is the dose from?")
            < conversation.index("Please cite the dose.")
        )
        # above the form, i.e. at the top of the page
        assert html.index('id="conversation"') < html.index('id="revision_form"')


def test_only_people_who_take_part_get_the_forms(client, author, reviewer, publisher):
    revision = make_in_review(author=author)
    add = reverse("admin:kb_revision_comment_add", args=[revision.pk])
    assert add in page(client, reviewer, revision)
    assert add in page(client, author, revision)
    assert add not in page(client, publisher, revision)


def test_add_reply_and_resolve_through_the_desk(client, author, reviewer):
    revision = make_in_review(author=author)
    section = revision.sections.order_by("position").first()
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:kb_revision_comment_add", args=[revision.pk]),
        {
            "new-comment-section": str(section.pk),
            "new-comment-quote": "the words",
            "new-comment-body": "Cite this.",
        },
    )
    thread = SectionComment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{thread.pk}")
    assert (thread.section, thread.quote, thread.author) == (section, "the words", reviewer)

    client.force_login(author)
    client.post(
        reverse("admin:kb_revision_comment_reply", args=[revision.pk, thread.pk]),
        {f"reply-{thread.pk}-body": "Cited now."},
    )
    client.post(
        reverse("admin:kb_revision_comment_resolve", args=[revision.pk, thread.pk]),
        {f"resolve-{thread.pk}-note": "Fixed"},
    )
    rows = list(SectionComment.objects.order_by("id").values_list("body", "is_resolution"))
    assert rows == [("Cite this.", False), ("Cited now.", False), ("Fixed", True)]
    html = page(client, reviewer, revision)
    assert "Resolved by Alice Author" in html
    assert reverse("admin:kb_revision_comment_resolve", args=[revision.pk, thread.pk]) not in html


def test_empty_comment_refused_with_a_message_and_nothing_written(client, author, reviewer):
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:kb_revision_comment_add", args=[revision.pk]),
        {"new-comment-body": "  "},
        follow=True,
    )
    assert "Your comment was not saved" in response.content.decode()
    assert not SectionComment.objects.exists()


def test_forms_write_only_on_post_and_refuse_outsiders(client, author, publisher):
    revision = make_in_review(author=author)
    url = reverse("admin:kb_revision_comment_add", args=[revision.pk])
    client.force_login(author)
    response = client.get(url, {"new-comment-body": "Hello"})
    assert response.status_code == 302 and response["Location"].endswith("#conversation")
    assert not SectionComment.objects.exists()
    client.force_login(publisher)
    response = client.post(url, {"new-comment-body": "Hello"}, follow=True)
    assert "Only authors and medical reviewers" in response.content.decode()
    assert not SectionComment.objects.exists()


def test_send_back_page_lists_unresolved_comments(client, author, reviewer):
    revision = make_in_review(author=author)
    open_one = comments.add_comment(revision=revision, by=reviewer, body="Open point.")
    done = comments.add_comment(revision=revision, by=reviewer, body="Settled point.")
    comments.resolve(comment=done, by=reviewer)
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:kb_revision_transition", args=[revision.pk, "request_changes"])
    ).content.decode()
    assert "Unresolved comments (1)" in html
    assert "Open point." in html and f"#comment-{open_one.pk}" in html
    assert "Settled point." not in html


def test_author_sees_open_comments_beside_the_section(client, author, reviewer):
    revision = make_in_review(author=author)
    first, second = revision.sections.order_by("position", "id")[:2]
    thread = comments.add_comment(
        revision=revision, by=reviewer, section=second, body="Second needs a source."
    )
    workflow.request_changes(revision=revision, by=reviewer, comment="See comments.")
    html = page(client, author, revision)
    form = html[html.index('id="revision_form"') :]
    # the link to the thread heads the second section's block, after the first's fields
    link = f'href="#comment-{thread.pk}"'
    assert form.count(link) == 1
    assert (
        form.index(f'value="{first.heading}"')
        < form.index(link)
        < form.index(f'value="{second.heading}"')
    )


def test_dashboard_puts_awaiting_my_review_first(client, author, reviewer):
    revision = make_in_review(author=author, name="Neuromyotonia")
    client.force_login(reviewer)
    html = client.get(reverse("admin:kb_dashboard")).content.decode()
    sections = [html.index(f'aria-labelledby="{name}"') for name in ("kb-awaiting", "kb-glance")]
    assert sections == sorted(sections)
    assert html[html.index("<section") :].startswith('<section aria-labelledby="kb-awaiting"')
    awaiting = html[html.index('id="kb-awaiting"') : html.index('id="kb-glance"')]
    assert reverse("admin:kb_revision_change", args=[revision.pk]) in awaiting
    counts = html[html.index('class="kb-counts"') :]
    assert counts.index("awaiting my review") < counts.index("overdue")
