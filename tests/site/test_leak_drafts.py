"""I1, adversarially: a unique token in every field of unpublished revisions must never
reach a public response."""

from __future__ import annotations

import pytest

from kb import services, workflow
from kb.models import Revision
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

TOKEN = "ZQXLEAKTOKEN"


def tokenised(tag: str) -> dict:
    return {
        "name": f"{TOKEN} name {tag}",
        "summary": f"{TOKEN} summary {tag}",
        "also_known_as": [f"{TOKEN} aka {tag}"],
        "change_note": f"{TOKEN} note {tag}",
        "sections": [
            {"kind": "overview", "heading": f"{TOKEN} heading", "body": f"{TOKEN} body {tag}"}
        ],
    }


@pytest.fixture
def library(author, author2, reviewer, publisher):
    # A draft-only condition, one in review, one sent back …
    for slug, maker in (("leak-draft", make_draft), ("leak-review", make_in_review)):
        rev = maker(author=author, slug=slug, name="placeholder")
        rev = Revision.objects.get(pk=rev.pk)
        if rev.status == "draft":
            services.update_revision(revision=rev, by=author, expected_version=rev.lock_version,
                                     **tokenised(slug))  # fmt: skip
        else:
            workflow.request_changes(revision=rev, by=reviewer, comment="c")
            rev.refresh_from_db()
            services.update_revision(revision=rev, by=author, expected_version=rev.lock_version,
                                     **tokenised(slug))  # fmt: skip
            workflow.submit(revision=rev, by=author)
    sent_back = make_in_review(author=author, slug="leak-sent-back", name="placeholder")
    workflow.request_changes(revision=sent_back, by=reviewer, comment="c")
    services.update_revision(revision=sent_back, by=author,
                             expected_version=sent_back.lock_version,
                             **tokenised("sent-back"))  # fmt: skip
    # … and a live condition whose newer revision (in review) carries the token.
    live = make_live(author=author, reviewer=reviewer, slug="leak-live", name="Safe live name")
    nxt = workflow.start_new_draft(condition=live.condition, by=author2)
    services.update_revision(revision=nxt, by=author2, expected_version=nxt.lock_version,
                             **tokenised("newer"))  # fmt: skip
    workflow.submit(revision=nxt, by=author2)
    # Related links from the live article to unpublished conditions must not show them.
    from kb.models import Condition

    live.condition.related.add(
        *Condition.objects.filter(slug__startswith="leak-").exclude(slug="leak-live")
    )
    # And a withdrawn condition.
    gone = make_live(author=author, reviewer=reviewer, slug="leak-gone", name="Gone name")
    workflow.withdraw(condition=gone.condition, by=publisher, reason=f"{TOKEN} reason")
    return live


PUBLIC_URLS = [
    "/",
    "/conditions/",
    "/conditions/leak-draft/",
    "/conditions/leak-review/",
    "/conditions/leak-sent-back/",
    "/conditions/leak-live/",
    "/conditions/leak-gone/",
    "/conditions/no-such-page/",
    "/conditions/leak-live/print/",
    "/conditions/leak-draft/print/",
    "/conditions/leak-review/print/",
    "/conditions/leak-live/report/",
    "/sitemap.xml",
    "/robots.txt",
    "/feeds/updates/",
    f"/search/?q={TOKEN}",
    "/search/?q=name",
    "/search/?q=placeholder",
]


def leaked(url: str, body: str) -> bool:
    """Every planted value is the token followed by a space and a field name; a search page
    may echo the reader's own query (the bare token) back to them, which is not a leak."""
    if url.startswith("/search/"):
        return f"{TOKEN} " in body
    return TOKEN in body


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_token_never_public(client, library, url):
    response = client.get(url)
    assert not leaked(url, response.content.decode())


def test_live_page_still_served(client, library):
    response = client.get("/conditions/leak-live/")
    assert response.status_code == 200
    assert "Safe live name" in response.content.decode()


def test_token_not_public_to_signed_in_non_staff(client, library, nobody):
    nobody.is_staff = False
    nobody.save()
    client.force_login(nobody)
    for url in PUBLIC_URLS:
        assert not leaked(url, client.get(url).content.decode())
    for rev in Revision.objects.exclude(status="approved"):
        response = client.get(f"/admin/kb/revision/{rev.pk}/preview/")
        assert TOKEN not in response.content.decode()
