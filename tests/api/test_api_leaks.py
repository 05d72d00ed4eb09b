"""I1 through the partner API: a unique token in every field of unpublished revisions (and
of a newer, unpublished draft of a live article, and of a scheduled one) must appear in no
API response, whatever the parameters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from kb import services, workflow
from kb.models import Condition, ConditionCode, Revision
from tests.factories import ReferenceFactory, make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

TOKEN = "ZQXAPILEAK"


def tokenised(tag: str) -> dict:
    return {
        "name": f"{TOKEN} name {tag}",
        "summary": f"{TOKEN} summary {tag}",
        "also_known_as": [f"{TOKEN} aka {tag}"],
        "change_note": f"{TOKEN} note {tag}",
        "sections": [
            {
                "kind": "overview",
                "heading": f"{TOKEN} heading {tag}",
                "body": f"{TOKEN} body {tag} [@{TOKEN.lower()}ref]",
            }
        ],
    }


def _edit(revision: Revision, by, tag: str) -> None:
    revision = Revision.objects.get(pk=revision.pk)
    services.update_revision(
        revision=revision, by=by, expected_version=revision.lock_version, **tokenised(tag)
    )


@pytest.fixture
def library(author, author2, reviewer, publisher):
    # A reference only unpublished text cites.
    ReferenceFactory(key=f"{TOKEN.lower()}ref", title=f"{TOKEN} reference title")
    _edit(make_draft(author=author, slug="leak-draft", name="placeholder"), author, "draft")
    in_review = make_in_review(author=author, slug="leak-review", name="placeholder")
    workflow.request_changes(revision=in_review, by=reviewer, comment="c")
    _edit(in_review, author, "review")
    workflow.submit(revision=in_review, by=author)
    sent_back = make_in_review(author=author, slug="leak-sent-back", name="placeholder")
    workflow.request_changes(revision=sent_back, by=reviewer, comment="c")
    _edit(sent_back, author, "sent-back")
    # A live article whose newer revision (in review) carries the token …
    live = make_live(author=author, reviewer=reviewer, slug="leak-live", name="Safe live name")
    newer = workflow.start_new_draft(condition=live.condition, by=author2)
    _edit(newer, author2, "newer")
    workflow.submit(revision=newer, by=author2)
    # … another whose next revision is approved but scheduled for later …
    soon = make_live(author=author, reviewer=reviewer, slug="leak-soon", name="Soon name")
    scheduled = workflow.start_new_draft(condition=soon.condition, by=author2)
    _edit(scheduled, author2, "scheduled")
    workflow.submit(revision=scheduled, by=author2)
    workflow.approve(
        revision=scheduled, by=reviewer, go_live_at=timezone.now() + dt.timedelta(days=3)
    )
    # … a first publication scheduled for later …
    later = make_draft(author=author, slug="leak-later", name="placeholder")
    _edit(later, author, "later")
    workflow.submit(revision=later, by=author)
    workflow.approve(revision=later, by=reviewer, go_live_at=timezone.now() + dt.timedelta(days=3))
    # … related links from the live article to every unpublished condition …
    live.condition.related.add(*Condition.objects.exclude(pk=live.condition_id))
    # … codes on unpublished conditions …
    for condition in Condition.objects.filter(slug__in=["leak-draft", "leak-review"]):
        ConditionCode.objects.create(condition=condition, system="ICD-10", code="Z99.9")
    # … and a withdrawn condition.
    gone = make_live(author=author, reviewer=reviewer, slug="leak-gone", name="Gone name")
    workflow.withdraw(condition=gone.condition, by=publisher, reason=f"{TOKEN} reason")
    return live


SLUGS = [
    "leak-draft",
    "leak-review",
    "leak-sent-back",
    "leak-live",
    "leak-soon",
    "leak-later",
    "leak-gone",
]
URLS = [
    "/api/v1/conditions/",
    "/api/v1/conditions/?page_size=100",
    f"/api/v1/conditions/?q={TOKEN}",
    "/api/v1/conditions/?q=placeholder",
    "/api/v1/conditions/?q=name",
    "/api/v1/conditions/?code=ICD-10|Z99.9",
    "/api/v1/conditions/?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/changes/",
    "/api/v1/changes/?page_size=100&since=2000-01-01T00:00:00Z",
    *(f"/api/v1/conditions/{slug}/" for slug in SLUGS),
    "/api/v1/schema/",
]


@pytest.mark.parametrize("url", URLS)
def test_token_never_in_an_api_response(api, library, url):
    response = api.get(url)
    assert response.status_code in (200, 404, 410)
    assert TOKEN.lower() not in response.content.decode().lower()


@pytest.mark.parametrize("header", ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])
def test_conditional_headers_reach_no_draft(api, library, header):
    for slug in SLUGS:
        response = api.get(f"/api/v1/conditions/{slug}/", **{header: "*"})
        assert TOKEN not in response.content.decode()


def test_unpublished_conditions_are_404_and_absent_from_lists(api, library):
    for slug in ("leak-draft", "leak-review", "leak-sent-back", "leak-later"):
        assert api.get(f"/api/v1/conditions/{slug}/").status_code == 404
    listed = [i["slug"] for i in api.get("/api/v1/conditions/").json()["results"]]
    assert listed == ["leak-live", "leak-soon"]
    changed = {c["slug"] for c in api.get("/api/v1/changes/").json()["results"]}
    assert changed == {"leak-live", "leak-soon", "leak-gone"}


def test_live_article_shows_its_published_revision_only(api, library):
    body = api.get("/api/v1/conditions/leak-live/").json()
    assert body["name"] == "Safe live name" and body["revision"] == 1
    assert body["related"] == [
        {
            "slug": "leak-soon",
            "name": "Soon name",
            "api_url": body["api_url"].replace("leak-live", "leak-soon"),
        }
    ]
    assert json.dumps(body).count(TOKEN) == 0


def test_a_staff_session_is_no_api_credential(api, library, superuser, client):
    client.force_login(superuser)  # a signed-in session is not an API credential
    assert client.get("/api/v1/conditions/leak-draft/").status_code == 401
