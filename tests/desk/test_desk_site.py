"""The desk is its own ``AdminSite``: ``admin.site`` is it, and it owns the dashboard URL and
the index panel instead of patching Django's default site at import time."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from kb.admin_site import DeskSite
from kb.models import Condition, Reference, Revision

pytestmark = pytest.mark.django_db


def test_admin_site_is_the_desk_site():
    assert isinstance(admin.site, DeskSite)


def test_models_registered_with_the_decorator_land_on_the_desk():
    for model in (Condition, Revision, Reference):
        assert admin.site.is_registered(model)


def test_the_desk_names_itself():
    assert admin.site.site_header == "Editorial desk"
    assert admin.site.site_title == "Editorial desk"
    assert admin.site.index_title == "Condition library"


def test_the_default_site_is_not_patched():
    assert "get_urls" not in vars(admin.site)
    assert "index" not in vars(admin.site)


def test_dashboard_and_index_panel_come_from_the_site(client, reviewer):
    client.force_login(reviewer)
    assert reverse("admin:kb_dashboard") == "/admin/kb/dashboard/"
    dashboard = client.get(reverse("admin:kb_dashboard"))
    assert dashboard.status_code == 200
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["review_panel"]["url"] == reverse("admin:kb_dashboard")
    assert index.context["site_header"] == "Editorial desk"


def test_the_breadcrumb_underline_is_one_rule_that_every_desk_page_with_it_loads(client, author):
    """Links in the desk's breadcrumb trail are underlined (WCAG 1.4.1) by one rule in one
    stylesheet; the pages that had their own copy load that one instead."""
    from pathlib import Path

    from tests.factories import make_draft

    static = Path(__file__).resolve().parents[2] / "static" / "kb"
    defining = sorted(
        css.name for css in static.glob("*.css") if ".breadcrumbs a" in css.read_text()
    )
    assert defining == ["desk.css"]

    draft = make_draft(author=author)
    client.force_login(author)
    pages = [
        reverse("admin:kb_dashboard"),
        reverse("admin:kb_condition_changelist"),
        reverse("admin:kb_reference_changelist"),
        reverse("admin:kb_condition_add"),
        reverse("admin:kb_revision_change", args=[draft.pk]),
        reverse("admin:kb_revision_transition", args=[draft.pk, "submit"]),
        reverse("admin:kb_condition_compare", args=[draft.condition_id]),
        reverse("admin:kb_condition_reconfirm", args=[draft.condition_id]),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.content.decode().count("/static/kb/desk.css") == 1, url
