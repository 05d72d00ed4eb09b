"""``change_class`` in the partner API: on the detail, on each changes-feed entry, and as a
filter of the feed, stated in the OpenAPI schema."""

from __future__ import annotations

import pytest

from kb import workflow
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db

FEED = "/api/v1/changes/"


def new_revision(*, live, author, reviewer, change_class: str, confirmed: str | None = None):
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    draft.change_class = change_class
    draft.save()
    workflow.submit(revision=draft, by=author)
    workflow.approve(revision=draft, by=reviewer, change_class=confirmed)
    return draft


@pytest.fixture
def history(author, author2, reviewer, reviewer2):
    """alpha: 1 clinical, 2 correction, 3 editorial confirmed as clinical; beta: 1 clinical."""
    alpha = make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha")
    new_revision(live=alpha, author=author2, reviewer=reviewer2, change_class="correction")
    new_revision(
        live=alpha,
        author=author2,
        reviewer=reviewer2,
        change_class="editorial",
        confirmed="clinical",
    )
    make_live(author=author, reviewer=reviewer, slug="beta", name="Beta")


def test_detail_says_the_live_revisions_change_class(api, author, author2, reviewer):
    alpha = make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha")
    assert api.get("/api/v1/conditions/alpha/").json()["change_class"] == "clinical"
    new_revision(live=alpha, author=author2, reviewer=reviewer, change_class="correction")
    assert api.get("/api/v1/conditions/alpha/").json()["change_class"] == "correction"


def test_feed_entries_carry_the_confirmed_change_class(api, history):
    results = api.get(FEED).json()["results"]
    assert [(c["slug"], c["revision"], c["change_class"]) for c in results] == [
        ("alpha", 1, "clinical"),
        ("alpha", 2, "correction"),
        ("alpha", 3, "clinical"),  # the reviewer corrected the author's "editorial"
        ("beta", 1, "clinical"),
    ]


def test_feed_filters_by_change_class(api, history):
    clinical = api.get(FEED, {"change_class": "clinical"}).json()["results"]
    assert [(c["slug"], c["revision"]) for c in clinical] == [
        ("alpha", 1),
        ("alpha", 3),
        ("beta", 1),
    ]
    several = api.get(FEED, {"change_class": "correction,editorial"}).json()["results"]
    assert [(c["slug"], c["revision"]) for c in several] == [("alpha", 2)]


@pytest.mark.parametrize("raw", ["cosmetic", "", "clinical,,", "CLINICAL"])
def test_unknown_change_class_is_a_clear_400(api, history, raw):
    response = api.get(FEED, {"change_class": raw})
    assert response.status_code == 400
    assert "clinical, editorial, correction" in response.content.decode()


def test_schema_documents_change_class(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/changes/"]["get"]["parameters"]}
    assert "change_class" in parameters
    assert parameters["change_class"]["in"] == "query"
    assert "clinical" in parameters["change_class"]["description"]
    components = schema["components"]["schemas"]
    change = components["Change"]["properties"]["change_class"]
    detail = components["ConditionDetail"]["properties"]["change_class"]
    for field in (change, detail):
        ref = field.get("$ref") or field["allOf"][0]["$ref"]
        enum = components[ref.rsplit("/", 1)[1]]["enum"]
        assert enum == ["clinical", "editorial", "correction"]


def test_a_draft_change_class_is_never_shown(api, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha")
    draft = make_draft(author=author, slug="hidden", name="Hidden")
    draft.change_class = "correction"
    draft.save()
    assert api.get(FEED, {"change_class": "correction"}).json()["results"] == []
