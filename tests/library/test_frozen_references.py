"""I9: a live article shows its references as approved; only a medical reviewer's
retraction flag (with a note, logged) reaches readers without a new approval."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kb import workflow
from kb.dashboard import records_changed_since_approval, review_dashboard
from kb.exceptions import ContentProblems, ImmutableRevision, NotPermitted
from kb.models import Citation, Reference, ReferenceAction, ReferenceEvent
from tests.factories import ReferenceFactory, make_draft, make_live

pytestmark = pytest.mark.django_db

PAGE = "/conditions/test-condition/"
PRINT = "/conditions/test-condition/print/"
API = "/api/v1/conditions/test-condition/"

OLD_TITLE = "Benign fasciculations followed for a decade"
NEW_TITLE = "Rewritten title nobody reviewed"


@pytest.fixture
def api():
    from accounts.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.fixture
def ref(db):
    return ReferenceFactory(
        key="hart2002",
        title=OLD_TITLE,
        authors=[{"family": "Hart", "given": "IK"}],
        url="https://example.org/approved",
    )


@pytest.fixture
def live(ref, author, reviewer):
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Twitching [@hart2002]."}],
    )


def _desk_edit(client, user, ref, **changes):
    """Save the reference through the desk's change form, as an editor would."""
    data = {
        "key": ref.key, "kind": ref.kind, "authors": "Hart IK", "title": ref.title,
        "container_title": ref.container_title, "editors": "", "edition": "", "place": "",
        "publisher": "", "year": ref.year or "", "month": "", "day": "", "volume": ref.volume,
        "issue": ref.issue, "pages": ref.pages, "doi": "", "pmid": "", "pmcid": "",
        "url": ref.url, "accessed_on": "", **changes,
    }  # fmt: skip
    client.force_login(user)
    return client.post(reverse("admin:kb_reference_change", args=[ref.pk]), data)


def _surfaces(client, api) -> tuple[str, str, dict]:
    page = client.get(PAGE).content.decode()
    printed = client.get(PRINT).content.decode()
    detail = api.get(API).json()["references"][0]
    return page, printed, detail


def test_an_author_edit_does_not_reach_the_live_page_print_or_api(client, api, live, ref, author):
    response = _desk_edit(
        Client(), author, ref, title=NEW_TITLE, authors="Mallory X",
        url="https://example.org/unreviewed",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    ref.refresh_from_db()
    assert ref.title == NEW_TITLE  # the library changed…

    page, printed, detail = _surfaces(client, api)
    for body in (page, printed):  # …readers still get what was approved
        assert OLD_TITLE in body and "Hart IK" in body
        assert NEW_TITLE not in body and "Mallory" not in body
    assert detail["title"] == OLD_TITLE
    assert detail["authors"] == ["Hart IK"]
    assert detail["url"] == "https://example.org/approved"
    assert NEW_TITLE not in detail["citation"]


def test_an_edit_leaves_the_etag_alone(client, live, ref):
    etag = client.get(PAGE)["ETag"]
    ref.title = NEW_TITLE
    ref.save()
    assert client.get(PAGE, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_desk_lists_live_articles_citing_an_older_version(client, live, ref, reviewer):
    assert records_changed_since_approval() == []
    ref.title = NEW_TITLE
    ref.url = "https://example.org/unreviewed"
    ref.save()
    [item] = records_changed_since_approval()
    assert (item.slug, item.revision_number) == ("test-condition", live.number)
    assert item.changes == [("hart2002", ["title", "url"])]
    assert records_changed_since_approval(reference=ReferenceFactory()) == []
    assert review_dashboard(user=reviewer).changed_references == [item]

    client.force_login(reviewer)
    desk = client.get(reverse("admin:kb_reference_change", args=[ref.pk])).content.decode()
    assert "Library record changed since approval" in desk
    assert "Test condition" in desk and "changed: title, url" in desk
    board = client.get(reverse("admin:kb_dashboard")).content.decode()
    assert "Library record changed since approval (1)" in board
    assert "hart2002 (title, url)" in board


def test_a_new_draft_and_its_approval_show_the_new_version(client, api, live, ref, author2,
                                                          reviewer2):  # fmt: skip
    ref.title = NEW_TITLE
    ref.save()
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    preview = client
    preview.force_login(author2)
    url = reverse("admin:kb_revision_preview", args=[draft.pk])
    assert NEW_TITLE in preview.get(url).content.decode()  # drafts show the live library
    preview.logout()
    assert OLD_TITLE in client.get(PAGE).content.decode()

    workflow.submit(revision=draft, by=author2)
    workflow.approve(revision=draft, by=reviewer2)
    page, printed, detail = _surfaces(client, api)
    assert NEW_TITLE in page and NEW_TITLE in printed and detail["title"] == NEW_TITLE
    assert OLD_TITLE not in page
    assert records_changed_since_approval() == []
    assert draft.citations.get().snapshot["title"] == NEW_TITLE
    assert live.citations.get().snapshot["title"] == OLD_TITLE  # history stays as approved


def test_approved_snapshots_are_immutable(live):
    citation = live.citations.get()
    assert citation.snapshot["title"] == OLD_TITLE
    citation.snapshot = {**citation.snapshot, "title": NEW_TITLE}
    with pytest.raises(ImmutableRevision):
        citation.save()
    with pytest.raises(ImmutableRevision):
        Citation.objects.filter(pk=citation.pk).update(snapshot={})
    with pytest.raises(ImmutableRevision):
        Citation.objects.bulk_update([citation], ["snapshot"])


def test_drafts_carry_no_snapshot(ref, author):
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "O", "body": "X [@hart2002]."}
    ])  # fmt: skip
    assert draft.citations.get().snapshot is None


# --- retraction: a medical reviewer's decision, with a note ---------------------------------


def test_an_author_can_neither_flag_nor_unflag(client, live, ref, author, reviewer):
    with pytest.raises(NotPermitted, match="Only a medical reviewer"):
        workflow.set_retraction(reference=ref, by=author, retracted=True, note="Looks wrong.")
    ref.retracted = True  # the model refuses whoever writes, not just the desk
    with pytest.raises(NotPermitted, match="Only a medical reviewer"):
        ref.save()
    with pytest.raises(NotPermitted):
        Reference.objects.filter(pk=ref.pk).update(retracted=True)

    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Journal notice.")
    ref.refresh_from_db()
    with pytest.raises(NotPermitted, match="Only a medical reviewer"):
        workflow.set_retraction(reference=ref, by=author, retracted=False, note="Fine now.")
    ref.retracted = False
    with pytest.raises(NotPermitted):
        ref.save()
    ref.refresh_from_db()
    assert ref.retracted and ref.retraction_note == "Journal notice."
    assert ReferenceEvent.objects.filter(reference=ref).count() == 1


def test_the_desk_shows_the_retraction_read_only_to_an_author(live, ref, author):
    client = Client()
    client.force_login(author)
    change = reverse("admin:kb_reference_change", args=[ref.pk])
    desk = client.get(change).content.decode()
    assert 'name="retracted"' not in desk and 'name="retraction_note"' not in desk
    assert "Flag as retracted" not in desk
    assert "Only a medical reviewer can flag or unflag a retraction." in desk
    flag_url = reverse("admin:kb_reference_retraction", args=[ref.pk])
    assert client.get(flag_url).status_code == 403
    assert client.post(flag_url, {"retracted": "on", "note": "x"}).status_code == 403
    # A hand-made POST of the change form cannot set the flag either.
    assert _desk_edit(client, author, ref, retracted="on", retraction_note="x").status_code == 302
    ref.refresh_from_db()
    assert not ref.retracted and ref.retraction_note == ""


def test_a_reviewer_flag_shows_at_once_and_is_logged(client, api, live, ref, reviewer):
    etag = client.get(PAGE)["ETag"]
    api_etag = api.get(API)["ETag"]
    desk = Client()
    desk.force_login(reviewer)
    change = desk.get(reverse("admin:kb_reference_change", args=[ref.pk])).content.decode()
    flag_url = reverse("admin:kb_reference_retraction", args=[ref.pk])
    assert flag_url in change and "Flag as retracted" in change

    refused = desk.post(flag_url, {"retracted": "on", "note": "  "})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    ref.refresh_from_db()
    assert not ref.retracted

    response = desk.post(flag_url, {"retracted": "on", "note": "Retracted by the journal, 2024."})
    assert response.status_code == 302
    ref.refresh_from_db()
    assert ref.retracted and ref.retraction_note == "Retracted by the journal, 2024."

    page = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert page.status_code == 200 and page["ETag"] != etag
    body = page.content.decode()
    assert "This publication has been retracted." in body
    assert "Retracted by the journal, 2024." in body
    assert "This publication has been retracted." in client.get(PRINT).content.decode()
    detail = api.get(API, HTTP_IF_NONE_MATCH=api_etag)
    assert detail.status_code == 200 and detail.json()["references"][0]["retracted"] is True

    [event] = ReferenceEvent.objects.filter(reference=ref)
    assert (event.action, event.actor, event.note) == (
        ReferenceAction.FLAG, reviewer, "Retracted by the journal, 2024."
    )  # fmt: skip
    log = desk.get(reverse("admin:kb_reference_change", args=[ref.pk])).content.decode()
    assert "Flagged as retracted by" in log and "Remove retraction flag" in log


def test_unflagging_needs_a_note_too(client, live, ref, reviewer, reviewer2):
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Journal notice.")
    etag = client.get(PAGE)["ETag"]
    with pytest.raises(ContentProblems, match="note"):
        workflow.set_retraction(reference=ref, by=reviewer2, retracted=False, note=" ")
    event = workflow.set_retraction(
        reference=ref, by=reviewer2, retracted=False, note="The notice was for another paper."
    )
    assert (event.action, event.actor) == (ReferenceAction.UNFLAG, reviewer2)
    ref.refresh_from_db()
    assert not ref.retracted and ref.retraction_note == ""
    response = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "This publication has been retracted." not in response.content.decode()
    assert list(ref.events.order_by("created_at", "id").values_list("action", flat=True)) == [
        "flag", "unflag"
    ]  # fmt: skip


def test_a_retraction_is_not_a_library_change_to_review(live, ref, reviewer):
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Journal notice.")
    assert records_changed_since_approval() == []


def test_export_and_import_keep_what_was_approved(client, live, ref, reviewer, tmp_path):
    from kb.portability import dumps, export_library, import_library, loads
    from tests.portability.conftest import wipe as _wipe

    ref.title = NEW_TITLE
    ref.save()
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Journal notice.")
    text = dumps(export_library())
    _wipe()
    import_library(loads(text))
    assert dumps(export_library()) == text
    body = client.get(PAGE).content.decode()
    assert OLD_TITLE in body and NEW_TITLE not in body
    assert "This publication has been retracted." in body
    assert Reference.objects.get(key="hart2002").events.get().note == "Journal notice."


def test_a_record_its_source_marks_retracted_is_imported_flagged_and_logged(author):
    from pathlib import Path

    from kb.reference_import import import_references

    fixture = Path(__file__).parent.parent / "references" / "fixtures" / "sample.nbib"
    report = import_references(text=fixture.read_text(), filename=fixture.name, by=author)
    assert report.skipped == 0
    [flagged] = Reference.objects.filter(retracted=True)
    [event] = flagged.events.all()
    assert (event.action, event.actor) == (ReferenceAction.IMPORTED_RETRACTED, author)
