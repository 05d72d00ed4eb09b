"""Holes found by an adversarial review, each pinned by a test that failed before its fix."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from kb import workflow
from kb.exceptions import ImmutableRevision, StaleEdit
from kb.models import Citation, Condition, Reference, Revision, Section, WorkflowEvent
from tests.factories import ReferenceFactory, make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_and_draft(author, author2, reviewer):
    ReferenceFactory(key="hart2002")
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "O", "body": "Live [@hart2002]."}],
    )
    draft = make_draft(author=author, slug="other")
    return live, draft


def test_section_cannot_be_moved_out_of_approved_revision(live_and_draft):
    live, draft = live_and_draft
    section = live.sections.get()
    section.revision = draft
    with pytest.raises(ImmutableRevision):
        section.save()
    assert live.sections.count() == 1


def test_sections_cannot_be_moved_into_approved_revision(live_and_draft):
    live, draft = live_and_draft
    with pytest.raises(ImmutableRevision):
        Section.objects.filter(revision=draft).update(revision=live)
    with pytest.raises(ImmutableRevision):
        live.sections.add(draft.sections.first())
    with pytest.raises(ImmutableRevision):
        draft.sections.add(*live.sections.all())
    assert live.sections.count() == 1


def test_citation_cannot_be_moved(live_and_draft):
    live, draft = live_and_draft
    citation = Citation.objects.get(revision=live)
    citation.revision = draft
    with pytest.raises(ImmutableRevision):
        citation.save()


def test_no_bulk_route_to_approved(author):
    revision = make_in_review(author=author)
    with pytest.raises(ImmutableRevision):
        Revision.objects.filter(pk=revision.pk).update(status="approved")


def test_approval_fixes_citations_added_to_library_after_last_edit(author, reviewer):
    revision = make_draft(
        author=author, sections=[{"kind": "overview", "heading": "O", "body": "X [@late2020]."}]
    )
    assert not revision.citations.exists()
    ref = ReferenceFactory(key="late2020")
    workflow.submit(revision=revision, by=author)  # refused until the key resolves (I7)
    workflow.approve(revision=revision, by=reviewer)
    assert list(revision.citations.values_list("reference__key", flat=True)) == ["late2020"]
    with pytest.raises(ProtectedError):
        Reference.objects.filter(pk=ref.pk).delete()


def test_live_reference_list_comes_from_the_approved_citations(client, live_and_draft):
    """Even a key renamed behind the model's back cannot break a live reference list."""
    live, _ = live_and_draft
    cited = Citation.objects.get(revision=live).reference
    Reference.objects.filter(pk=cited.pk).update(key="renamed-elsewhere")
    page = client.get("/conditions/test-condition/").content.decode()
    assert '<li id="ref-1">' in page and cited.title in page
    assert "[@hart2002?]" not in page


def test_approval_of_text_changed_since_opening_is_refused(author, reviewer, reviewer2):
    revision = make_in_review(author=author)
    opened = revision.lock_version
    workflow.request_changes(revision=revision, by=reviewer2, comment="Fix the dose.")
    revision.refresh_from_db()
    revision.summary = "Rewritten after the reviewer opened it."
    revision.save()
    workflow.submit(revision=revision, by=author)
    with pytest.raises(StaleEdit):
        workflow.approve(revision=revision, by=reviewer, expected_version=opened)
    revision.refresh_from_db()
    assert revision.status == "in_review"


def test_stale_approval_through_admin_is_refused(client, author, reviewer, reviewer2):
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    form = client.get(url).context["form"]
    workflow.request_changes(revision=revision, by=reviewer2, comment="Fix the dose.")
    workflow.submit(revision=revision, by=author)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.initial.items()}
    data.update({"attestation": "on", "change_class": "clinical"})
    response = client.post(url, data, follow=True)
    assert "changed after you opened it" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == "in_review"


def test_submit_note_is_recorded(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_transition", args=[draft.pk, "submit"])
    client.post(url, {"comment": "Updated the treatment section."})
    event = WorkflowEvent.objects.filter(action="submit").get()
    assert event.comment == "Updated the treatment section."


def test_saving_condition_page_cannot_undo_a_concurrent_withdrawal(author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    stale = Condition.objects.get(pk=live.condition_id)  # loaded before the withdrawal
    workflow.withdraw(condition=live.condition, by=publisher, reason="Dose under review.")
    request = RequestFactory().post("/")
    request.user = publisher
    admin = site._registry[Condition]
    form = admin.get_form(request, stale)(instance=stale, data={"slug": stale.slug})
    assert form.is_valid(), form.errors
    admin.save_model(request, stale, form, change=True)
    assert Condition.objects.get(pk=live.condition_id).is_withdrawn


def test_refusal_says_why(client, author, reviewer):
    draft = make_draft(author=author)
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:kb_revision_transition", args=[draft.pk, "approve"])
    ).content.decode()
    assert "only revisions in review can be reviewed" in html
    client.force_login(author)
    html = client.get(
        reverse("admin:kb_revision_transition", args=[draft.pk, "approve"])
    ).content.decode()
    assert "Only medical reviewers can approve" in html


def test_condition_page_start_draft_form_is_not_nested(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(author)
    html = client.get(reverse("admin:kb_condition_change", args=[live.condition_id])).content
    html = html.decode()
    draft_form = html.index(reverse("admin:kb_condition_new_draft", args=[live.condition_id]))
    main_form = html.index('id="condition_form"')
    assert draft_form < main_form
