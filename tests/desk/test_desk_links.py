"""'View on site' in the desk never leads to a 404: the public page if live, else the preview."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db


def view_on_site(client, model: str, pk: int) -> str:
    """The href of the change form's "View on site" link."""
    html = client.get(reverse(f"admin:kb_{model}_change", args=[pk])).content.decode()
    match = re.search(r'<a href="([^"]*)" class="viewsitelink">', html)
    assert match, "no View on site link"
    return match.group(1)


def test_view_on_site_of_a_never_published_condition_is_the_preview(client, author, publisher):
    draft = make_draft(author=author, slug="cramps")
    client.force_login(publisher)
    href = view_on_site(client, "condition", draft.condition_id)
    assert href == reverse("admin:kb_revision_preview", args=[draft.pk])
    assert client.get(href).status_code == 200


def test_view_on_site_of_a_live_condition_is_its_public_page(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="cramps")
    client.force_login(publisher)
    href = view_on_site(client, "condition", live.condition_id)
    assert href.endswith("/conditions/cramps/")
    assert client.get(href).status_code == 200


def test_view_on_site_of_a_withdrawn_condition_is_the_preview(client, author, reviewer, publisher):
    from kb import workflow

    live = make_live(author=author, reviewer=reviewer, slug="cramps")
    workflow.withdraw(condition=live.condition, by=publisher, reason="Checking.")
    client.force_login(publisher)
    href = view_on_site(client, "condition", live.condition_id)
    assert href == reverse("admin:kb_revision_preview", args=[live.pk])


def test_view_on_site_of_a_revision_is_the_page_if_live_else_its_preview(
    client, author, reviewer, publisher
):
    live = make_live(author=author, reviewer=reviewer, slug="cramps")
    draft = make_draft(author=author, slug="twitches")
    client.force_login(publisher)
    assert view_on_site(client, "revision", live.pk).endswith("/conditions/cramps/")
    assert view_on_site(client, "revision", draft.pk) == reverse(
        "admin:kb_revision_preview", args=[draft.pk]
    )
