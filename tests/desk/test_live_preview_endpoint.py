"""The revision form's live preview endpoint: renders unsaved text, writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.models import Revision, Section
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import ReferenceFactory, UserFactory, make_draft, make_live

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def preview_url(revision: Revision) -> str:
    return reverse("admin:kb_revision_live_preview", args=[revision.pk])


def typed(revision: Revision, **overrides) -> dict:
    return revision_post_data(revision, lock_version=revision.lock_version, **overrides)


def test_renders_unsaved_text_with_the_public_template_and_saves_nothing(client, author):
    draft = make_draft(author=author)
    ref = ReferenceFactory(key="jansen2004", title="Benign fasciculations")
    before = list(Section.objects.filter(revision=draft).values_list("pk", "heading", "body"))
    lock, updated = draft.lock_version, draft.updated_at
    client.force_login(author)
    body = (
        "Twitching is common [@jansen2004]. Unknown [@nobody1].\n\n"
        "::: emergency Call 999 if\n- you cannot breathe\n:::\n\n"
        "| Sign | Meaning |\n| --- | --- |\n| Twitch | Usually nothing |\n\n"
        "<script>alert(1)</script> [x](javascript:alert(2))"
    )
    data = typed(draft, name="Renamed while typing", **{"sections-0-body": body})

    with CaptureQueriesContext(connection) as queries:
        response = client.post(preview_url(draft), data)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.json()["html"]
    assert '<h1 id="article-title">Renamed while typing</h1>' in html
    assert 'class="preview-banner"' in html  # the public template in preview mode
    assert '<sup class="citation">[<a href="#ref-1">1</a>]</sup>' in html
    assert 'id="ref-1"' in html and ref.title in html
    assert "[@nobody1?]" in html and response.json()["unresolved"] == ["nobody1"]
    assert '<section class="callout callout-emergency"' in html
    assert '<span class="callout-kind">Immediate action required:</span> Call 999 if' in html
    assert "<table>" in html and '<th scope="col">Sign</th>' in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert 'href="javascript:' not in html
    # Nothing written: no write query, and the stored draft is as it was.
    assert not [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]
    draft.refresh_from_db()
    assert draft.name != "Renamed while typing"
    assert (draft.lock_version, draft.updated_at) == (lock, updated)
    after = list(Section.objects.filter(revision=draft).values_list("pk", "heading", "body"))
    assert after == before


def test_follows_typed_order_and_leaves_out_removed_and_empty_sections(client, author):
    draft = make_draft(author=author)  # Overview (10), Symptoms (20)
    client.force_login(author)
    data = typed(draft, **{
        "sections-0-position": "30",
        "sections-1-DELETE": "on",
        "sections-2-position": "5", "sections-2-kind": "causes",
        "sections-2-heading": "Causes typed just now", "sections-2-body": "Often unknown.",
        "sections-3-position": "", "sections-3-kind": "", "sections-3-heading": "",
        "sections-3-body": "",
        "sections-TOTAL_FORMS": "4",
    })  # fmt: skip

    answer = client.post(preview_url(draft), data).json()

    html = answer["html"]
    assert html.index("Causes typed just now") < html.index(">Overview<")
    assert ">Symptoms<" not in html
    assert set(answer["readability"]) == {"sections-0", "sections-2"}


def test_answers_readability_of_the_typed_text(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    data = typed(draft, **{"sections-0-body": "Utilise rest. Drink water. Sleep well."})

    answer = client.post(preview_url(draft), data).json()

    assert "“Utilise” → “use”" in answer["readability"]["sections-0"]
    assert "SMOG grade" in answer["readability"]["sections-0"]


def test_refuses_without_the_view_permission_and_anonymous(client, author):
    draft = make_draft(author=author)
    data = typed(draft)
    staff_without_permission = UserFactory(username="sam")

    assert client.post(preview_url(draft), data).status_code == 403
    client.force_login(staff_without_permission)
    assert client.post(preview_url(draft), data).status_code == 403


def test_refuses_non_staff_even_with_the_permission(client, author):
    draft = make_draft(author=author)
    author.is_staff = False
    author.save()
    client.force_login(author)

    assert client.post(preview_url(draft), typed(draft)).status_code == 403


def test_only_post_with_a_csrf_token(author):
    draft = make_draft(author=author)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)

    assert browser.get(preview_url(draft)).status_code == 405
    assert browser.post(preview_url(draft), typed(draft)).status_code == 403


def test_without_the_section_forms_says_what_is_missing(client, author):
    draft = make_draft(author=author)
    client.force_login(author)

    response = client.post(preview_url(draft), {"name": "x"})

    assert response.status_code == 400
    assert "section forms" in response.json()["error"]


def test_unknown_revision_is_404(client, author):
    client.force_login(author)

    assert (
        client.post(reverse("admin:kb_revision_live_preview", args=[999999]), {}).status_code == 404
    )


def test_the_draft_form_carries_the_panel_and_its_scripts_as_static_files(client, author):
    draft = make_draft(author=author)
    client.force_login(author)

    page = client.get(reverse("admin:kb_revision_change", args=[draft.pk])).content.decode()

    assert f'data-url="{preview_url(draft)}"' in page
    assert 'id="desk-live-preview"' in page and "hidden>" in page  # shown by the script
    for name in ("kb/desk-preview.js", "kb/desk-editor.js", "kb/desk-editor.css"):
        assert name in page
    assert "<script>" not in page  # nothing inline (CSP)
    assert reverse("admin:kb_revision_preview", args=[draft.pk]) in page  # full page kept


def test_an_approved_revision_form_has_no_live_preview(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(reviewer)

    page = client.get(reverse("admin:kb_revision_change", args=[live.pk])).content.decode()

    assert "desk-live-preview" not in page and "desk-editor.js" not in page
    assert "Readability" in page  # reviewers still see the stored scores
