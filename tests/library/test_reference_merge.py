"""Merging two library records that are one publication.

The kept record takes over the citations of every revision still being written; approved
revisions are immutable and keep citing the merged-away record (their frozen snapshots),
which therefore stays, as an alias pointing to the kept one. Each merge is logged on both
records as a ``ReferenceEvent``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import workflow
from kb.exceptions import NotPermitted, TransitionNotAllowed
from kb.models import Citation, Reference, ReferenceAction, ReferenceEvent, Revision
from kb.reference_merge import merge_references
from tests.factories import ReferenceFactory, make_draft, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep(db):
    return ReferenceFactory(key="hart2002", title="Cramps and twitching", doi=None)


@pytest.fixture
def twin(db):
    return ReferenceFactory(key="hart2002b", title="Cramps and twitching", doi=None)


@pytest.fixture
def live(twin, author, reviewer):
    """An approved, live article citing the record that will be merged away."""
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Twitching [@hart2002b]."}],
    )


@pytest.fixture
def draft(keep, twin, author):
    """A draft citing both records, once together in one marker."""
    return make_draft(
        author=author,
        slug="cramps",
        name="Cramps",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Cramps [@hart2002b]."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Pain [@hart2002; @hart2002b]."},
        ],
    )


def test_merge_repoints_unapproved_text_and_keeps_the_approved_citation(
    keep, twin, live, draft, reviewer
):
    version = draft.lock_version
    snapshot = Citation.objects.get(revision=live).snapshot
    merge_references(keep=keep, merge=twin, by=reviewer, note="Same paper, imported twice.")

    draft.refresh_from_db()
    bodies = list(draft.sections.order_by("position").values_list("body", flat=True))
    assert bodies == ["Cramps [@hart2002].", "Pain [@hart2002]."]
    assert [c.reference_id for c in draft.citations.all()] == [keep.pk]
    assert draft.lock_version > version  # an editor with the old text open must reload

    approved = Citation.objects.get(revision=live)
    assert approved.reference_id == twin.pk and approved.snapshot == snapshot
    twin.refresh_from_db()
    assert twin.merged_into_id == keep.pk  # kept, as an alias of the kept record


def test_merge_is_logged_on_both_records(keep, twin, reviewer):
    merge_references(keep=keep, merge=twin, by=reviewer, note="Same paper.")
    gone = ReferenceEvent.objects.get(reference=twin)
    assert (gone.action, gone.actor) == (ReferenceAction.MERGED_INTO, reviewer)
    assert "[hart2002]" in gone.note and "Same paper." in gone.note
    kept = ReferenceEvent.objects.get(reference=keep)
    assert kept.action == ReferenceAction.MERGED_FROM and "[hart2002b]" in kept.note


def test_merge_of_an_uncited_record_leaves_it_as_an_alias(keep, twin, reviewer):
    merge_references(keep=keep, merge=twin, by=reviewer)
    assert Reference.objects.get(pk=twin.pk).merged_into == keep


@pytest.mark.parametrize("who", ["author", "publisher", "nobody"])
def test_only_medical_reviewers_and_superusers_merge(keep, twin, who, request):
    user = request.getfixturevalue(who)
    assert workflow.reference_merge_refusal(user)
    with pytest.raises(NotPermitted):
        merge_references(keep=keep, merge=twin, by=user)
    assert Reference.objects.get(pk=twin.pk).merged_into is None


def test_superuser_may_merge(keep, twin, superuser):
    assert workflow.reference_merge_refusal(superuser) == ""
    merge_references(keep=keep, merge=twin, by=superuser)


def test_merge_refuses_itself_and_aliases(keep, twin, reviewer):
    other = ReferenceFactory(key="other2003", title="Other")
    with pytest.raises(TransitionNotAllowed):
        merge_references(keep=keep, merge=keep, by=reviewer)
    merge_references(keep=keep, merge=twin, by=reviewer)
    with pytest.raises(TransitionNotAllowed, match="already merged"):
        merge_references(keep=other, merge=twin, by=reviewer)
    with pytest.raises(TransitionNotAllowed, match="merged into"):
        merge_references(keep=twin, merge=other, by=reviewer)


def test_a_retraction_flag_is_never_merged_away(keep, twin, reviewer):
    workflow.set_retraction(reference=twin, by=reviewer, retracted=True, note="Journal notice.")
    with pytest.raises(TransitionNotAllowed, match="retracted"):
        merge_references(keep=keep, merge=twin, by=reviewer)


def test_an_alias_key_in_new_text_points_to_the_kept_record(keep, twin, author, reviewer):
    merge_references(keep=keep, merge=twin, by=reviewer)
    revision = make_draft(
        author=author,
        slug="late",
        name="Late",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Old key [@hart2002b]."}],
    )
    problems = workflow.approval_problems(revision=revision)
    assert any("merged into [@hart2002]" in p for p in problems)


def test_a_new_draft_from_approved_text_cites_the_kept_record(keep, twin, live, author, reviewer):
    merge_references(keep=keep, merge=twin, by=reviewer)
    new = workflow.start_new_draft(condition=live.condition, by=author)
    assert new.sections.get().body == "Twitching [@hart2002]."
    assert [c.reference_id for c in new.citations.all()] == [keep.pk]


def test_an_import_of_a_merged_away_record_matches_the_kept_one(keep, reviewer):
    from kb.reference_import import import_references

    gone = ReferenceFactory(key="gone", doi="10.1000/gone", title="Something")
    merge_references(keep=keep, merge=gone, by=reviewer)
    text = "TY  - JOUR\nTI  - Something\nPY  - 2004\nDO  - 10.1000/gone\nER  - \n"
    report = import_references(text=text, filename="x.ris")
    assert (report.matched, report.lines[0].key) == (1, "hart2002")


# --- the desk -------------------------------------------------------------------------------


def test_desk_merge_page_follows_the_same_rule(client, keep, twin, author, reviewer):
    url = reverse("admin:kb_reference_merge", args=[twin.pk])
    client.force_login(author)
    assert client.get(url).status_code == 403
    assert client.post(url, {"into": "hart2002", "note": "x"}).status_code == 403
    assert Reference.objects.get(pk=twin.pk).merged_into is None

    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200
    assert "hart2002" in page.content.decode()  # offered: same title and year
    response = client.post(url, {"into": "hart2002", "note": "Same paper."})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kb_reference_change", args=[keep.pk])
    assert Reference.objects.get(pk=twin.pk).merged_into == keep


def test_desk_merge_reports_a_refusal_without_a_server_error(client, keep, twin, reviewer):
    workflow.set_retraction(reference=twin, by=reviewer, retracted=True, note="Journal notice.")
    client.force_login(reviewer)
    url = reverse("admin:kb_reference_merge", args=[twin.pk])
    response = client.post(url, {"into": "hart2002", "note": ""}, follow=True)
    assert response.status_code == 200
    assert "retracted" in response.content.decode()
    assert Reference.objects.get(pk=twin.pk).merged_into is None


def test_desk_merge_refuses_an_unknown_key(client, twin, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:kb_reference_merge", args=[twin.pk])
    response = client.post(url, {"into": "nosuchkey", "note": ""})
    assert response.status_code == 200
    assert "No reference has the key" in response.content.decode()


def test_import_report_links_possible_duplicates_to_the_merge_page(client, superuser, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    old = ReferenceFactory(key="correction2020", title="Correction", year=2020, doi=None)
    text = "TY  - JOUR\nAU  - Jones, K\nTI  - Correction\nJO  - BMJ\nPY  - 2020\nER  - \n"
    client.force_login(superuser)  # imports (authors) and merges (medical reviewers)
    response = client.post(
        reverse("admin:kb_reference_import"),
        {"file": SimpleUploadedFile("c.ris", text.encode())},
    )
    new = Reference.objects.exclude(pk=old.pk).get()
    html = response.content.decode()
    assert "Possible duplicate of [correction2020]" in html
    link = reverse("admin:kb_reference_merge", args=[new.pk]) + "?into=correction2020"
    assert link in html
    # An author sees the possible duplicate, without a merge link they could not follow.
    client.force_login(author)
    response = client.post(
        reverse("admin:kb_reference_import"),
        {"file": SimpleUploadedFile("c.ris", text.replace("BMJ", "JAMA").encode())},
    )
    html = response.content.decode()
    assert "Possible duplicate of [correction2020]" in html
    assert "Compare and merge" not in html


def test_alias_page_says_where_it_went_and_cannot_be_edited(client, keep, twin, reviewer):
    merge_references(keep=keep, merge=twin, by=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("admin:kb_reference_change", args=[twin.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Merged into" in html and "hart2002" in html
    assert 'name="title"' not in html  # read-only


def test_revisions_in_review_are_repointed_too(keep, twin, author, reviewer):
    from tests.factories import make_in_review

    revision = make_in_review(
        author=author,
        sections=[{"kind": "overview", "heading": "Overview", "body": "See [@hart2002b]."}],
    )
    merge_references(keep=keep, merge=twin, by=reviewer)
    revision = Revision.objects.get(pk=revision.pk)
    assert revision.sections.get().body == "See [@hart2002]."


def test_changelist_filters_possible_duplicates_and_aliases(client, keep, twin, reviewer):
    ReferenceFactory(key="alone2010", title="Unrelated work")
    client.force_login(reviewer)
    url = reverse("admin:kb_reference_changelist")
    html = client.get(url, {"duplicates": "possible"}).content.decode()
    assert "hart2002b" in html and "alone2010" not in html
    merge_references(keep=keep, merge=twin, by=reviewer)
    html = client.get(url, {"duplicates": "possible"}).content.decode()
    assert "hart2002b" not in html  # merged: no longer a possible duplicate
    html = client.get(url, {"duplicates": "aliases"}).content.decode()
    assert "hart2002b" in html and "alone2010" not in html
