"""Rendered pages are cached under what they show, so a warm page costs one query and a
change is served at once (no invalidation step to forget)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import services, workflow
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Cramp trial")
    return make_live(
        author=author, reviewer=reviewer, slug="cramp", name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Common [@smith2020]."}],
    )  # fmt: skip


@pytest.mark.parametrize("url_name", ["kb:article", "kb:article_print"])
def test_a_warm_article_page_costs_one_query(client, live, django_assert_num_queries, url_name):
    """The one query is the database's publication state: what decides that the cached
    page is still what is live (I10)."""
    url = reverse(url_name, args=["cramp"])
    first = client.get(url)
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


def test_a_new_publication_is_served_at_once(client, live, author2, reviewer2):
    url = reverse("kb:article", args=["cramp"])
    client.get(url)
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    services.update_revision(
        revision=draft, by=author2, expected_version=draft.lock_version, name="Muscle cramp"
    )
    workflow.submit(revision=draft, by=author2)
    workflow.approve(revision=draft, by=reviewer2)
    assert "Muscle cramp" in client.get(url).content.decode()


def test_a_re_review_is_served_at_once(client, live, reviewer2):
    url = reverse("kb:article", args=["cramp"])
    assert "Dr Ravi Second" not in client.get(url).content.decode()
    workflow.reconfirm(condition=live.condition, by=reviewer2)
    assert "Dr Ravi Second" in client.get(url).content.decode()


def test_a_retraction_is_served_at_once(client, live, reviewer):
    url = reverse("kb:article", args=["cramp"])
    assert "retracted" not in client.get(url).content.decode()
    reference = live.citations.get().reference
    workflow.set_retraction(reference=reference, by=reviewer, retracted=True, note="Notice.")
    assert "This publication has been retracted" in client.get(url).content.decode()


def test_related_links_follow_publication_and_withdrawal(client, live, author, reviewer, publisher):
    url = reverse("kb:article", args=["cramp"])
    other = make_live(author=author, reviewer=reviewer, slug="tetany", name="Tetany")
    live.condition.related.add(other.condition)
    assert "Tetany" in client.get(url).content.decode()
    workflow.withdraw(condition=other.condition, by=publisher, reason="Outdated")
    assert "Tetany" not in client.get(url).content.decode()
    workflow.restore(condition=other.condition, by=publisher)
    assert "Tetany" in client.get(url).content.decode()


def test_a_withdrawal_is_served_at_once(client, live, publisher):
    url = reverse("kb:article", args=["cramp"])
    client.get(url)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Outdated")
    assert client.get(url).status_code == 410
