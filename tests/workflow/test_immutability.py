"""I2: approved revisions, their sections and citations, reviews and the event log refuse
every change through the ORM — instance saves, deletes, bulk updates and inserts."""

from __future__ import annotations

import pytest

from kb.exceptions import AppendOnly, ImmutableRevision
from kb.models import Citation, Review, Revision, Section, WorkflowEvent
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="jansen1991")
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Text [@jansen1991]."}],
    )


def test_revision_save_refused(live):
    live.name = "Tampered"
    with pytest.raises(ImmutableRevision):
        live.save()
    assert Revision.objects.get(pk=live.pk).name != "Tampered"


def test_revision_save_refused_even_with_fresh_instance(live):
    copy = Revision.objects.get(pk=live.pk)
    copy.summary = "Tampered"
    with pytest.raises(ImmutableRevision):
        copy.save(update_fields=["summary"])


def test_revision_bulk_update_and_delete_refused(live):
    with pytest.raises(ImmutableRevision):
        Revision.objects.filter(pk=live.pk).update(name="Tampered")
    with pytest.raises(ImmutableRevision):
        Revision.objects.filter(pk=live.pk).delete()
    with pytest.raises(ImmutableRevision):
        live.delete()
    assert Revision.objects.filter(pk=live.pk, name=live.name).exists()


def test_section_changes_refused(live):
    section = live.sections.get()
    section.body = "Tampered"
    with pytest.raises(ImmutableRevision):
        section.save()
    with pytest.raises(ImmutableRevision):
        section.delete()
    with pytest.raises(ImmutableRevision):
        Section.objects.filter(revision=live).update(body="Tampered")
    with pytest.raises(ImmutableRevision):
        Section.objects.filter(revision=live).delete()
    with pytest.raises(ImmutableRevision):
        Section.objects.create(revision=live, kind="custom", heading="Extra", body="More")
    with pytest.raises(ImmutableRevision):
        Section.objects.bulk_create([Section(revision=live, kind="custom", heading="X", body="Y")])
    assert list(live.sections.values_list("body", flat=True)) == ["Text [@jansen1991]."]


def test_citation_changes_refused(live):
    citation = Citation.objects.get(revision=live)
    citation.number = 2
    with pytest.raises(ImmutableRevision):
        citation.save()
    with pytest.raises(ImmutableRevision):
        citation.delete()
    with pytest.raises(ImmutableRevision):
        Citation.objects.filter(revision=live).update(number=3)


def test_editor_list_of_approved_revision_is_frozen(live, author2):
    with pytest.raises(ImmutableRevision):
        live.edited_by.add(author2)


def test_reviews_and_events_are_append_only(live):
    review = Review.objects.get(revision=live)
    review.note = "Rewritten history"
    with pytest.raises(AppendOnly):
        review.save()
    with pytest.raises(AppendOnly):
        review.delete()
    with pytest.raises(AppendOnly):
        Review.objects.all().update(note="x")
    event = WorkflowEvent.objects.first()
    event.comment = "Rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        WorkflowEvent.objects.all().delete()
    with pytest.raises(AppendOnly):
        event.delete()


def test_drafts_remain_editable(author):
    from tests.factories import make_draft

    draft = make_draft(author=author)
    draft.name = "Better name"
    draft.save()
    section = draft.sections.first()
    section.body = "Better body"
    section.save()
    assert Revision.objects.get(pk=draft.pk).name == "Better name"
