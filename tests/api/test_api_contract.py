"""The partner API's contract: every field of the list, the detail and the changes feed,
and every status of each endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from kb import services, workflow
from kb.models import ConditionCode
from tests.factories import ReferenceFactory, make_draft, make_live

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "slug",
    "name",
    "summary",
    "url",
    "api_url",
    "revision",
    "published_at",
    "last_reviewed",
    "next_review_due",
}
DETAIL_FIELDS = LIST_FIELDS | {
    "change_class",
    "also_known_as",
    "sections",
    "references",
    "reviewed_by",
    "related",
    "codes",
    "disclaimer",
    "attribution",
}
REFERENCE_FIELDS = {
    "number",
    "citation",
    "authors",
    "title",
    "journal",
    "year",
    "doi",
    "pmid",
    "url",
    "retracted",
}


@pytest.fixture
def cfs(author, reviewer):
    ReferenceFactory(
        key="jansen1991",
        authors=[{"family": "Jansen", "given": "PH"}, {"family": "Joosten", "given": "EM"}],
        title="Clinical and electrophysiological findings in cramp-fasciculation syndrome",
        container_title="J Neurol Sci",
        year=1991,
        doi="10.1016/0022-510x(91)90220-u",
        pmid="1856296",
        url="https://example.org/jansen",
    )
    ReferenceFactory(key="tahmoush1991", title="Cramp-fasciculation syndrome", year=1991)
    sections = [
        {
            "kind": "overview",
            "heading": "Overview",
            "body": "Cramps and twitching [@jansen1991]. See "
            "[twitches](/conditions/fasciculations/) and [NHS](https://www.nhs.uk/). "
            "<script>alert(1)</script>",
        },
        {"kind": "causes", "heading": "Causes", "body": "Unknown [@tahmoush1991; @jansen1991]."},
    ]
    rev = make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp-fasciculation-syndrome",
        name="Cramp-fasciculation syndrome",
        summary="A nerve hyperexcitability disorder.",
        also_known_as=["CFS", "Benign cramp fasciculation"],
        sections=sections,
    )
    ConditionCode.objects.create(
        condition=rev.condition, system="ICD-10", code="G12.21", display="Test display"
    )
    return rev


def test_list_item_has_exactly_the_contract_fields(api, cfs):
    response = api.get("/api/v1/conditions/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (item,) = body["results"]
    assert set(item) == LIST_FIELDS
    assert item["slug"] == "cramp-fasciculation-syndrome"
    assert item["name"] == "Cramp-fasciculation syndrome"
    assert item["summary"] == "A nerve hyperexcitability disorder."
    assert item["url"] == f"{settings.SITE_URL}/conditions/cramp-fasciculation-syndrome/"
    assert item["api_url"] == (
        f"{settings.SITE_URL}/api/v1/conditions/cramp-fasciculation-syndrome/"
    )
    assert item["revision"] == 1
    cfs.refresh_from_db()
    assert dt.datetime.fromisoformat(item["published_at"]) == cfs.published_at
    today = timezone.localdate()
    assert item["last_reviewed"] == today.isoformat()
    assert item["next_review_due"] == workflow.default_next_review_due(today).isoformat()


def test_detail_has_every_contract_field(api, cfs, author, reviewer):
    other = make_live(author=author, reviewer=reviewer, slug="fasciculations", name="Twitches")
    cfs.condition.related.add(other.condition)
    response = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert body["also_known_as"] == ["CFS", "Benign cramp fasciculation"]
    assert [(s["kind"], s["heading"]) for s in body["sections"]] == [
        ("overview", "Overview"),
        ("causes", "Causes"),
    ]
    assert body["reviewed_by"] == {"name": "Dr Rita Reviewer", "credentials": reviewer.credentials}
    assert body["related"] == [
        {
            "slug": "fasciculations",
            "name": "Twitches",
            "api_url": f"{settings.SITE_URL}/api/v1/conditions/fasciculations/",
        }
    ]
    assert body["codes"] == [{"system": "ICD-10", "code": "G12.21", "display": "Test display"}]
    assert body["disclaimer"] == settings.KB_DISCLAIMER
    assert body["attribution"] == {
        "publisher": settings.KB_PUBLISHER_NAME,
        "canonical_url": f"{settings.SITE_URL}/conditions/cramp-fasciculation-syndrome/",
        "licence": settings.KB_CONTENT_LICENCE,
    }


def test_references_are_numbered_in_citation_order_with_every_field(api, cfs):
    refs = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/").json()["references"]
    assert [set(r) for r in refs] == [REFERENCE_FIELDS, REFERENCE_FIELDS]
    first, second = refs
    assert first["number"] == 1 and second["number"] == 2
    assert first["authors"] == ["Jansen PH", "Joosten EM"]
    assert first["title"].startswith("Clinical and electrophysiological")
    assert first["journal"] == "J Neurol Sci"
    assert first["year"] == 1991
    assert first["doi"] == "10.1016/0022-510x(91)90220-u"
    assert first["pmid"] == "1856296"
    assert first["url"] == "https://example.org/jansen"
    assert first["retracted"] is False
    assert first["citation"].startswith("Jansen PH, Joosten EM. Clinical and electro")
    assert "doi:10.1016/0022-510x(91)90220-u" in first["citation"]
    assert second["title"] == "Cramp-fasciculation syndrome"
    assert second["doi"] is None and second["pmid"] is None and second["url"] is None


def test_section_html_is_sanitised_with_absolute_links(api, cfs):
    html = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/").json()["sections"][0]["html"]
    page = f"{settings.SITE_URL}/conditions/cramp-fasciculation-syndrome/"
    assert f'href="{page}#ref-1"' in html
    assert f'href="{settings.SITE_URL}/conditions/fasciculations/"' in html
    assert 'href="https://www.nhs.uk/"' in html
    assert "<script" not in html
    assert 'href="/' not in html and 'href="#' not in html


def test_a_later_reconfirmation_shows_as_the_review(api, cfs, reviewer2):
    workflow.reconfirm(condition=cfs.condition, by=reviewer2, next_review_due=dt.date(2031, 1, 2))
    body = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/").json()
    assert body["reviewed_by"]["name"] == "Dr Ravi Second"
    assert body["next_review_due"] == "2031-01-02"
    item = api.get("/api/v1/conditions/").json()["results"][0]
    assert item["next_review_due"] == "2031-01-02"


def test_related_shows_only_published_conditions(api, cfs, author):
    draft = make_draft(author=author, slug="not-yet", name="Not yet")
    cfs.condition.related.add(draft.condition)
    assert api.get("/api/v1/conditions/cramp-fasciculation-syndrome/").json()["related"] == []


def test_unknown_slug_is_404_in_the_error_shape(api, cfs):
    response = api.get("/api/v1/conditions/no-such-condition/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No published condition has this slug.",
        "code": "not_found",
    }


def test_never_published_condition_is_404(api, author):
    make_draft(author=author, slug="only-a-draft")
    assert api.get("/api/v1/conditions/only-a-draft/").status_code == 404


def test_withdrawn_is_410_with_withdrawal_time(api, cfs, publisher):
    workflow.withdraw(condition=cfs.condition, by=publisher, reason="Outdated")
    cfs.condition.refresh_from_db()
    response = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/")
    assert response.status_code == 410
    body = response.json()
    assert set(body) == {"detail", "code", "withdrawn_at"}
    assert body["code"] == "gone"
    assert dt.datetime.fromisoformat(body["withdrawn_at"]) == cfs.condition.withdrawn_at
    assert api.get("/api/v1/conditions/").json()["count"] == 0


def test_former_slug_redirects_permanently_to_the_new_api_url(api, cfs, publisher):
    services.rename_condition(condition=cfs.condition, new_slug="cfs", by=publisher)
    response = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/")
    assert response.status_code == 301
    assert response["Location"] == f"{settings.SITE_URL}/api/v1/conditions/cfs/"


def test_changes_feed_lists_publications_and_withdrawals_oldest_first(
    api, author, author2, reviewer, publisher
):
    with time_travel("2024-01-01T10:00:00Z"):
        first = make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha")
    with time_travel("2024-02-01T10:00:00Z"):
        draft = workflow.start_new_draft(condition=first.condition, by=author2)
        workflow.submit(revision=draft, by=author2)
        workflow.approve(revision=draft, by=reviewer)
    with time_travel("2024-03-01T10:00:00Z"):
        workflow.withdraw(condition=first.condition, by=publisher, reason="Outdated")
    with time_travel("2024-04-01T10:00:00Z"):
        workflow.restore(condition=first.condition, by=publisher)
    body = api.get("/api/v1/changes/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [(c["slug"], c["action"], c["revision"]) for c in body["results"]] == [
        ("alpha", "published", 1),
        ("alpha", "published", 2),
        ("alpha", "withdrawn", 2),
        ("alpha", "published", 2),
    ]
    assert {tuple(sorted(c)) for c in body["results"]} == {
        (
            "action",
            "change_class",
            "cursor",
            "former_slugs",
            "previous_slug",
            "revision",
            "slug",
            "time",
        )
    }
    assert dt.datetime.fromisoformat(body["results"][0]["time"]) == dt.datetime(
        2024, 1, 1, 10, tzinfo=dt.UTC
    )
    since = api.get("/api/v1/changes/", {"since": "2024-02-15T00:00:00+00:00"}).json()
    assert [c["action"] for c in since["results"]] == ["withdrawn", "published"]


def test_scheduled_publication_appears_only_when_due(api, author, reviewer):
    go_live = timezone.now() + dt.timedelta(days=2)
    revision = make_draft(author=author, slug="later", name="Later")
    workflow.submit(revision=revision, by=author)
    workflow.approve(revision=revision, by=reviewer, go_live_at=go_live)
    assert api.get("/api/v1/changes/").json()["results"] == []
    assert api.get("/api/v1/conditions/").json()["results"] == []
    assert api.get("/api/v1/conditions/later/").status_code == 404
    with time_travel(go_live + dt.timedelta(minutes=1)):
        changes = api.get("/api/v1/changes/").json()["results"]
        assert [(c["slug"], c["action"]) for c in changes] == [("later", "published")]
        assert api.get("/api/v1/conditions/later/").status_code == 200


def test_schema_is_public_openapi_3_with_the_key_scheme(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"] == {
        "PartnerApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": schema["components"]["securitySchemes"]["PartnerApiKey"]["description"],
        }
    }
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/conditions/",
        "/api/v1/conditions/{slug}/",
        "/api/v1/manifest/",
        "/api/v1/changes/",
        "/api/v1/infobutton/",
        # A partner's webhook endpoints (tests/api/test_api_webhooks.py).
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/test/",
    }
    statuses = {path: set(op["get"]["responses"]) for path, op in paths.items() if "get" in op}
    common = {"401", "403", "405", "406", "429"}
    assert statuses["/api/v1/conditions/"] == common | {"200", "304", "400", "404"}
    assert statuses["/api/v1/manifest/"] == common | {"200", "304", "400", "404"}
    assert statuses["/api/v1/conditions/{slug}/"] == common | {
        "200",
        "301",
        "304",
        "400",
        "404",
        "410",
    }
    assert statuses["/api/v1/changes/"] == common | {"200", "400", "404"}


def test_schema_stays_public_when_a_bad_key_is_sent(client):
    response = client.get("/api/v1/schema/", HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert response.status_code == 200


def test_docs_are_public_and_served_without_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
        assert cdn not in html


def time_travel(when):
    import time_machine

    return time_machine.travel(when, tick=False)
