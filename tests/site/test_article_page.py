"""The public article page: byline, review dates, 404/410/301, sanitising, query cost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import workflow
from tests.factories import ReferenceFactory, make_draft, make_live

pytestmark = pytest.mark.django_db


def test_live_article_shows_byline_and_dates(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer, name="Fasciculations",
                     also_known_as=["Muscle twitching"])  # fmt: skip
    review = live.reviews.get()
    body = client.get("/conditions/test-condition/").content.decode()
    assert "Fasciculations" in body
    assert "Also known as: Muscle twitching" in body
    assert (
        "Medically reviewed by <strong>Dr Rita Reviewer</strong>, MD, consultant neurologist"
        in (body)
    )
    assert review.reviewed_on.strftime("%-d %B %Y") in body
    assert "Next review due" in body and review.next_review_due.strftime("%B %Y") in body
    assert "Disclaimer" in body


def test_unknown_slug_404(client, db):
    response = client.get("/conditions/no-such-thing/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_never_published_condition_404(client, author):
    make_draft(author=author, slug="drafty")
    assert client.get("/conditions/drafty/").status_code == 404


def test_withdrawn_condition_410(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Secret internal reason")
    response = client.get("/conditions/test-condition/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert "Secret internal reason" not in response.content.decode()
    workflow.restore(condition=live.condition, by=publisher)
    assert client.get("/conditions/test-condition/").status_code == 200


def test_old_slug_redirects(client, author, reviewer, publisher):
    from kb.services import rename_condition

    live = make_live(author=author, reviewer=reviewer, slug="old-slug")
    rename_condition(condition=live.condition, new_slug="new-slug", by=publisher)
    response = client.get("/conditions/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == reverse("kb:article", args=["new-slug"])


def test_new_draft_does_not_change_public_page(client, author, author2, reviewer):
    live = make_live(author=author, reviewer=reviewer, name="Live name")
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    draft.name = "Draft name"
    draft.save()
    body = client.get("/conditions/test-condition/").content.decode()
    assert "Live name" in body and "Draft name" not in body


def test_markdown_is_sanitised(client, author, reviewer):
    make_live(
        author=author,
        reviewer=reviewer,
        sections=[{
            "kind": "overview",
            "heading": "<script>alert(1)</script>",
            "body": "<script>alert(2)</script>\n\n[click](javascript:alert(3)) "
                    "<img src=x onerror=alert(4)>",
        }],
    )  # fmt: skip
    body = client.get("/conditions/test-condition/").content.decode()
    assert "<script>alert" not in body
    assert 'href="javascript:' not in body
    assert "<img" not in body and "onerror=alert" not in body.replace(
        "&lt;img src=x onerror=alert", ""
    )
    assert "&lt;script&gt;alert(1)" in body


def test_citations_numbered_in_order_of_first_use(client, author, reviewer):
    ReferenceFactory(key="b2001", title="Second paper")
    ReferenceFactory(key="a2000", title="First paper")
    make_live(
        author=author,
        reviewer=reviewer,
        sections=[
            {"kind": "overview", "heading": "One", "body": "X [@b2001]. Y [@a2000; @b2001]."},
            {"kind": "causes", "heading": "Two", "body": "Z [@a2000]."},
        ],
    )
    body = client.get("/conditions/test-condition/").content.decode()
    assert body.index("Second paper") < body.index("First paper")
    assert '<li id="ref-1">' in body and '<li id="ref-2">' in body
    assert 'href="#ref-1"' in body


@pytest.mark.parametrize("n", [2, 40])
def test_article_query_count_does_not_grow(
    client, author, reviewer, django_assert_max_num_queries, n
):
    for i in range(n):
        ReferenceFactory(key=f"r{i}")
    sections = [
        {"kind": "custom", "heading": f"Part {i}", "body": f"Text [@r{i}]."} for i in range(n)
    ]
    make_live(author=author, reviewer=reviewer, sections=sections)
    with django_assert_max_num_queries(8):  # the publication state, then the article
        response = client.get("/conditions/test-condition/")
    assert response.status_code == 200
    assert response.content.decode().count('<li id="ref-') == n
