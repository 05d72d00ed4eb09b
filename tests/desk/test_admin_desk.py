"""The editorial desk through the real admin: forms, buttons, refusals and messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import workflow
from kb.models import Condition, Revision, RevisionStatus, Section
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db


def revision_post_data(revision: Revision, *, lock_version: int, **overrides) -> dict:
    sections = list(revision.sections.order_by("position", "id"))
    data = {
        "name": revision.name,
        "also_known_as": "\n".join(revision.also_known_as),
        "summary": revision.summary,
        "change_note": revision.change_note,
        "opened_version": str(lock_version),
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(len(sections)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, s in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": str(s.pk),
                f"sections-{i}-revision": str(revision.pk),
                f"sections-{i}-position": str(s.position),
                f"sections-{i}-kind": s.kind,
                f"sections-{i}-heading": s.heading,
                f"sections-{i}-body": s.body,
            }
        )
    data.update(overrides)
    return data


def test_second_stale_admin_save_refused_first_kept(client, author, author2):
    draft = make_draft(author=author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    # Both open the form at the same version.
    client.force_login(author)
    opened = client.get(url).context["adminform"].form.initial["opened_version"]

    first = client.post(
        url,
        revision_post_data(draft, lock_version=opened, **{"sections-0-body": "First editor."}),
    )
    assert first.status_code == 302

    client.force_login(author2)
    second = client.post(
        url,
        revision_post_data(draft, lock_version=opened, **{"sections-0-body": "Second editor."}),
    )
    assert second.status_code == 200
    assert "Alice Author saved this revision at" in second.content.decode()
    assert draft.sections.order_by("position").first().body == "First editor."
    assert author2 not in Revision.objects.get(pk=draft.pk).edited_by.all()


def test_admin_save_records_editor_and_citations(client, author):
    from tests.factories import ReferenceFactory

    ReferenceFactory(key="hart2002")
    draft = make_draft(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    response = client.post(
        url,
        revision_post_data(
            draft, lock_version=draft.lock_version, **{"sections-0-body": "Cited [@hart2002]."}
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert author in draft.edited_by.all()
    assert list(draft.citations.values_list("reference__key", "number")) == [("hart2002", 1)]


def test_add_condition_creates_first_draft(client, author):
    client.force_login(author)
    response = client.post(
        reverse("admin:kb_condition_add"),
        {"slug": "neuromyotonia", "name": "Neuromyotonia", "summary": "Overactive nerves.",
         "also_known_as": "Isaacs' syndrome\nIsaacs syndrome"},
    )  # fmt: skip
    revision = Revision.objects.get(condition__slug="neuromyotonia")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kb_revision_change", args=[revision.pk])
    assert revision.also_known_as == ["Isaacs' syndrome", "Isaacs syndrome"]
    assert revision.created_by == author


@pytest.mark.parametrize(
    "slug,message",
    [("Not A Slug!", "Enter a valid"), ("taken", "already used"), ("", "required")],
)
def test_add_condition_bad_slug_changes_nothing(client, author, slug, message):
    make_draft(author=author, slug="taken")
    client.force_login(author)
    response = client.post(
        reverse("admin:kb_condition_add"), {"slug": slug, "name": "X", "summary": "Y"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Condition.objects.count() == 1


def test_add_condition_empty_fields_refused(client, author):
    client.force_login(author)
    response = client.post(reverse("admin:kb_condition_add"), {"slug": "ok-slug"})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required") == 2
    assert not Condition.objects.exists()


def test_reviewer_approves_through_admin(client, author, reviewer):
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    change = client.get(reverse("admin:kb_revision_change", args=[revision.pk]))
    assert "Approve and publish" in change.content.decode()
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "reviewed_on": page.context["form"].initial["reviewed_on"].isoformat(),
            "next_review_due": page.context["form"].initial["next_review_due"].isoformat(),
            "note": "Checked.",
            "opened_version": page.context["form"].initial["opened_version"],
            "change_class": "clinical",
            "attestation": "on",
        },
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED


def test_author_sees_no_approve_button_and_cannot_post_it(client, author):
    revision = make_in_review(author=author)
    client.force_login(author)
    change = client.get(reverse("admin:kb_revision_change", args=[revision.pk]))
    assert "Approve and publish" not in change.content.decode()
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    response = client.post(url, {"reviewed_on": "2026-01-01", "next_review_due": "2029-01-01"})
    assert response.status_code == 200
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW


def test_send_back_requires_comment_in_admin(client, author, reviewer):
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "request_changes"])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW


def test_transition_not_allowed_from_state_shows_message(client, author):
    revision = make_in_review(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "submit"])
    response = client.post(url, {}, follow=True)
    assert "can be submitted" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW


def test_approved_revision_is_read_only_in_admin(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(author)
    url = reverse("admin:kb_revision_change", args=[live.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    response = client.post(url, revision_post_data(live, lock_version=live.lock_version,
                                                   name="Tampered"))  # fmt: skip
    assert response.status_code == 403
    assert Revision.objects.get(pk=live.pk).name == live.name


def test_preview_shows_banner_and_unpublished_text(client, author):
    draft = make_draft(author=author, name="Draft only name")
    client.force_login(author)
    response = client.get(reverse("admin:kb_revision_preview", args=[draft.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Preview – not published" in body
    assert "Draft only name" in body
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_preview_needs_staff(client, author, nobody):
    draft = make_draft(author=author)
    nobody.is_staff = False
    nobody.save()
    client.force_login(nobody)
    response = client.get(reverse("admin:kb_revision_preview", args=[draft.pk]))
    assert response.status_code == 302  # to the sign-in page
    assert "admin/login" in response["Location"]


def test_start_new_draft_from_condition_page(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(author)
    page = client.get(reverse("admin:kb_condition_change", args=[live.condition_id]))
    assert "Start new draft" in page.content.decode()
    response = client.post(reverse("admin:kb_condition_new_draft", args=[live.condition_id]))
    new = Revision.objects.get(condition=live.condition, number=2)
    assert response["Location"] == reverse("admin:kb_revision_change", args=[new.pk])


def test_condition_list_shows_status_and_review_dates(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="live-one", name="Live one")
    make_draft(author=author, slug="draft-one", name="Draft one")
    client.force_login(publisher)
    url = reverse("admin:kb_condition_changelist")
    body = client.get(url).content.decode()
    assert "Live one" in body and "Draft one" in body
    assert '<td class="field-latest_status">Live</td>' in body
    review = live.reviews.get()
    assert review.next_review_due.strftime("%Y") in body
    only_live = client.get(url, {"state": "live"}).content.decode()
    assert "Live one" in only_live and "Draft one" not in only_live
    only_draft = client.get(url, {"state": "draft"}).content.decode()
    assert "Draft one" in only_draft and "Live one" not in only_draft


def test_review_due_filter(client, author, reviewer, publisher):
    import datetime as dt

    from django.utils import timezone

    old = make_in_review(author=author, slug="old-one", name="Old one")
    on = timezone.localdate() - dt.timedelta(days=400)
    workflow.approve(revision=old, by=reviewer, reviewed_on=on, next_review_due=on +
                     dt.timedelta(days=365))  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="fresh-one", name="Fresh one")
    client.force_login(publisher)
    body = client.get(reverse("admin:kb_condition_changelist"), {"due": "overdue"}).content
    assert b"Old one" in body and b"Fresh one" not in body


def test_withdraw_through_admin(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(publisher)
    url = reverse("admin:kb_condition_withdraw", args=[live.condition_id])
    assert client.post(url, {"comment": ""}).status_code == 200
    assert not Condition.objects.get(pk=live.condition_id).is_withdrawn
    client.post(url, {"comment": "Under review."})
    assert Condition.objects.get(pk=live.condition_id).is_withdrawn


def test_rename_keeps_old_slug(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="old-name")
    client.force_login(publisher)
    url = reverse("admin:kb_condition_change", args=[live.condition_id])
    response = client.post(
        url,
        {
            "slug": "new-name",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "codes-TOTAL_FORMS": "0",
            "codes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Condition.objects.get(pk=live.condition_id).slug == "new-name"
    assert client.get("/conditions/old-name/").status_code == 301


def test_user_admin_shows_roles(client, superuser, reviewer):
    client.force_login(superuser)
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Medical reviewer" in body


def test_section_order_is_kept(author):
    draft = make_draft(author=author)
    assert [s.kind for s in Section.objects.filter(revision=draft)] == ["overview", "symptoms"]


def test_approve_form_prefills_dates_browsers_accept(client, author, reviewer):
    """<input type=date> only accepts ISO dates; a locale format would arrive empty."""
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    page = client.get(reverse("admin:kb_revision_transition", args=[revision.pk, "approve"]))
    today = page.context["form"].initial["reviewed_on"]
    assert f'type="date" name="reviewed_on" value="{today.isoformat()}"' in page.content.decode()


def test_admin_save_warns_about_unsupported_markdown(client, author):
    draft = make_draft(author=author)
    heading = draft.sections.order_by("position", "id").first().heading
    client.force_login(author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    body = "Fine.\n\n![A rash](https://example.org/rash.png)\n\n::: danger\nBeware\n:::"
    response = client.post(
        url,
        revision_post_data(draft, lock_version=draft.lock_version, **{"sections-0-body": body}),
        follow=True,
    )
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1, warnings
    assert f"“{heading}”, line 3: image “A rash” is not shown" in warnings[0]
    assert f"“{heading}”, line 5: unknown box “danger”" in warnings[0]
    assert draft.sections.order_by("position", "id").first().body == body  # saved all the same


def test_admin_save_of_supported_markdown_does_not_warn(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n::: urgent See a GP if\n- it spreads\n:::"
    response = client.post(
        url,
        revision_post_data(draft, lock_version=draft.lock_version, **{"sections-0-body": body}),
        follow=True,
    )
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
