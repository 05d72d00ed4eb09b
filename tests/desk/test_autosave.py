"""Autosave of drafts through the revision form's optimistic lock (I6): the new version
on success, 409 naming the other person and the time of their save on conflict, and the
same message on the Save button without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kb.edit_lock import when
from kb.models import Revision
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import make_draft, make_in_review

pytestmark = pytest.mark.django_db


def autosave(client, draft, *, version: int, body: str, **extra):
    data = revision_post_data(draft, lock_version=version, **{"sections-0-body": body}, **extra)
    return client.post(reverse("admin:kb_revision_autosave", args=[draft.pk]), data)


def test_autosave_saves_and_returns_the_new_version(client, author):
    draft = make_draft(author=author)
    opened = draft.lock_version
    client.force_login(author)
    response = autosave(client, draft, version=opened, body="Typed, not yet saved.")
    assert response.status_code == 200
    stored = Revision.objects.get(pk=draft.pk)
    assert response.json()["version"] == stored.lock_version == opened + 1
    assert "saved automatically" in response.json()["message"]
    assert stored.sections.order_by("position").first().body == "Typed, not yet saved."
    assert stored.updated_by == author and author in stored.edited_by.all()

    again = autosave(client, draft, version=response.json()["version"], body="And more.")
    assert again.status_code == 200 and again.json()["version"] == opened + 2


def test_two_people_on_one_draft_get_a_conflict_naming_the_other(client, author, author2):
    draft = make_draft(author=author)
    opened = draft.lock_version  # both open the draft at this version
    client.force_login(author)
    assert autosave(client, draft, version=opened, body="Alice's text.").status_code == 200
    saved_at = Revision.objects.get(pk=draft.pk).updated_at

    client.force_login(author2)
    response = autosave(client, draft, version=opened, body="Arthur's text.")
    assert response.status_code == 409
    answer = response.json()
    assert answer["by"] == "Alice Author"
    assert answer["conflict"].startswith(f"Alice Author saved this revision at {when(saved_at)}")
    assert "Your changes were not saved" in answer["conflict"]
    assert Revision.objects.get(pk=draft.pk).sections.order_by("position").first().body == (
        "Alice's text."
    )
    assert author2 not in Revision.objects.get(pk=draft.pk).edited_by.all()


def test_the_save_button_without_javascript_names_the_other_person_too(client, author, author2):
    draft = make_draft(author=author)
    opened = draft.lock_version
    client.force_login(author)
    assert autosave(client, draft, version=opened, body="Alice's text.").status_code == 200

    client.force_login(author2)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    data = revision_post_data(draft, lock_version=opened, **{"sections-0-body": "Arthur's."})
    response = client.post(url, data)
    assert response.status_code == 200
    saved_at = Revision.objects.get(pk=draft.pk).updated_at
    assert f"Alice Author saved this revision at {when(saved_at)}" in response.content.decode()


def test_your_own_save_in_another_tab_is_named_as_yours(client, author):
    draft = make_draft(author=author)
    opened = draft.lock_version
    client.force_login(author)
    assert autosave(client, draft, version=opened, body="Tab one.").status_code == 200
    response = autosave(client, draft, version=opened, body="Tab two.")
    assert response.status_code == 409
    assert response.json()["conflict"].startswith("You saved this revision in another window")


def test_autosave_needs_change_permission_and_an_editable_revision(client, author, reviewer):
    draft = make_draft(author=author)
    client.force_login(reviewer)
    response = autosave(client, draft, version=draft.lock_version, body="Not mine.")
    assert response.status_code == 403
    in_review = make_in_review(author=author, slug="in-review")
    client.force_login(author)
    response = autosave(client, in_review, version=in_review.lock_version, body="Too late.")
    assert response.status_code == 403
    assert in_review.sections.order_by("position").first().body == "An overview paragraph."


def test_autosave_is_post_only_and_checks_csrf(author):
    from django.test import Client

    draft = make_draft(author=author)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    url = reverse("admin:kb_revision_autosave", args=[draft.pk])
    assert client.get(url).status_code == 405
    data = revision_post_data(draft, lock_version=draft.lock_version)
    assert client.post(url, data).status_code == 403  # no CSRF token
    assert Revision.objects.get(pk=draft.pk).lock_version == draft.lock_version


def test_autosave_leaves_added_sections_and_invalid_forms_to_save(client, author):
    draft = make_draft(author=author)
    before = Revision.objects.get(pk=draft.pk).lock_version
    client.force_login(author)
    added = {
        "sections-TOTAL_FORMS": "3",
        "sections-2-position": "30",
        "sections-2-kind": "causes",
        "sections-2-heading": "Causes",
        "sections-2-body": "New section.",
    }
    response = autosave(client, draft, version=before, body="Edited.", **added)
    assert response.status_code == 400
    assert "use Save" in response.json()["error"]
    invalid = autosave(client, draft, version=before, body="Edited.", name="")
    assert invalid.status_code == 400 and invalid.json()["problems"]
    stored = Revision.objects.get(pk=draft.pk)
    assert stored.lock_version == before and stored.sections.count() == 2
    assert stored.updated_at <= timezone.now()
