"""Every desk page a role can reach renders for that role: refused or redirected is fine, a
server error is not.

The pages are found, not listed: every ``ModelAdmin`` in ``admin.site._registry`` and every
URL pattern it declares (Django's own and the custom ones), plus the site's own pages, so a
page added later is covered without touching this file.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, reverse

from accounts.models import Partner, PartnerAPIKey
from accounts.roles import AUTHOR, MEDICAL_REVIEWER, PUBLISHER
from kb.comments import add_comment
from kb.models import Feedback, Reference, SectionComment
from kb.reference_merge import merge_references
from tests.factories import ReferenceFactory, UserFactory, make_draft, make_live

pytestmark = pytest.mark.django_db

ROLES = [AUTHOR, MEDICAL_REVIEWER, PUBLISHER, "superuser"]
FINE = {200, 302, 403, 405}  # 405: an endpoint that takes POST only (live preview, autosave)


@pytest.fixture
def library(author, reviewer):
    """One of everything the desk shows, so every change page has an object to open. The
    first reference (the one opened) is an alias left by a merge, the record the most
    pages treat differently; other tests open ordinary records."""
    alias = ReferenceFactory(key="hart2002b", title="Cramps and twitching")
    keep = ReferenceFactory(key="hart2002", title="Cramps and twitching")
    merge_references(keep=keep, merge=alias, by=reviewer, note="Same paper.")
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Cramps [@hart2002]."}],
    )
    other = make_draft(author=author, slug="other", name="Other condition")
    add_comment(revision=other, by=author, body="Is the summary clear?")
    Feedback.objects.create(condition=live.condition, revision=live, message="Typo.")
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return live


def _user(role: str):
    if role == "superuser":
        return UserFactory(username="root-smoke", is_superuser=True)
    return UserFactory(username=f"smoke-{role.lower().replace(' ', '-')}", role=role)


def _kwargs_for(pattern: URLPattern, obj) -> dict | None:
    """Arguments for a pattern: the object's id and, for workflow moves, a move's name."""
    names = set(pattern.pattern.converters)
    kwargs = {}
    for name in names & {"object_id", "id"}:  # "id": the user admin's password page
        if obj is None:
            return None
        kwargs[name] = obj.pk
    if "name" in names:
        kwargs["name"] = "submit"
    if "comment_id" in names:  # the conversation's forms: a GET leads back to the page
        kwargs["comment_id"] = SectionComment.objects.order_by("pk").first().pk
    unknown = names - {"object_id", "id", "name", "comment_id"}
    assert not unknown, f"Teach this test the arguments of {pattern.name}: {unknown}"
    return kwargs


def desk_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:kb_dashboard")]
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            kwargs = _kwargs_for(pattern, obj)
            if kwargs is None:
                continue
            urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_desk_page_renders_for_each_role(client, library, role):
    client.raise_request_exception = False  # collect every failing page, not the first
    client.force_login(_user(role))
    urls = desk_urls()
    assert any("/kb/reference/" in url for url in urls)
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code not in FINE:
            failures.append(f"{url} → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_smoke_test_opens_reference_change_pages(library):
    ref = Reference.objects.get(key="hart2002b")
    urls = desk_urls()
    assert reverse("admin:kb_reference_change", args=[ref.pk]) in urls
    assert reverse("admin:kb_reference_merge", args=[ref.pk]) in urls


def test_publisher_reads_a_reference_page(client, publisher):
    ref = ReferenceFactory(key="hart2002", authors=[{"family": "Hart", "given": "IK"}])
    client.force_login(publisher)
    response = client.get(reverse("admin:kb_reference_change", args=[ref.pk]))
    assert response.status_code == 200
    assert "Hart" in response.content.decode()
