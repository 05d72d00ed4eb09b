"""Site links that cannot change while the process runs are reversed once, not per page.

A page no cache holds otherwise walks the URL resolver for the header, breadcrumbs,
search form, print and report links and every related condition. The links must still
be exactly what ``reverse()`` gives, under any script prefix.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from kb.caching import store
from kb.templatetags import kb_links
from tests.factories import make_live

pytestmark = pytest.mark.django_db


def _render(text: str, **context) -> str:
    return Template("{% load kb_links %}" + text).render(Context(context))


def test_links_are_what_reverse_gives():
    assert _render("{% link 'kb:home' %}") == reverse("kb:home")
    assert _render("{% link 'kb:search' %}") == reverse("kb:search")
    assert _render("{% link 'kb:article' slug %}", slug="a-b_9") == reverse(
        "kb:article", args=["a-b_9"]
    )
    assert _render("{% link 'kb:article_print' 'x' %}") == reverse("kb:article_print", args=["x"])


def test_links_follow_the_script_prefix():
    set_script_prefix("/kb/")
    try:
        assert _render("{% link 'kb:conditions' %}") == "/kb/conditions/"
        assert _render("{% link 'kb:article' 'cramp' %}") == "/kb/conditions/cramp/"
    finally:
        set_script_prefix("/")
    assert _render("{% link 'kb:article' 'cramp' %}") == "/conditions/cramp/"


def test_a_slug_the_pattern_refuses_is_refused_as_reverse_refuses_it():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        kb_links.fixed_url("kb:article", "no/slashes")


def test_a_cold_article_reverses_no_site_link_twice(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    other = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    live.condition.related.add(other.condition)
    client.get("/conditions/test-condition/")  # the links are known by now
    store.clear_local()
    cache.clear()
    with mock.patch("django.urls.reverse", wraps=reverse) as spy:
        response = client.get("/conditions/test-condition/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/conditions/cramps/"' in body and 'href="/conditions/"' in body
    assert 'action="/search/"' in body and 'href="/conditions/test-condition/print/"' in body
    assert spy.call_count == 0
