"""The NHS-website-compatible output: the detail as schema.org ``MedicalWebPage`` with
``hasPart`` → ``HealthTopicContent`` (``?format=schema``), and the manifest of every live
page (``/api/v1/manifest/``), so a partner of the NHS website content API can switch with
a new base URL and key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import workflow
from kb.models import ConditionCode
from tests.factories import make_live

pytestmark = pytest.mark.django_db

SCHEMA = "http://schema.org/"
SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Cramps and twitches."},
    {"kind": "causes", "heading": "Causes", "body": "Overactive nerves."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "Painful cramps."},
    {"kind": "diagnosis", "heading": "Tests", "body": "EMG."},
    {"kind": "treatment", "heading": "Treatment", "body": "Stretching."},
    {"kind": "prognosis", "heading": "Outlook", "body": "Usually benign."},
    {"kind": "when_to_get_help", "heading": "See a GP", "body": "If weak."},
    {"kind": "custom", "heading": "Case report", "body": "A runner."},
]


def time_travel(when):
    import time_machine

    return time_machine.travel(when, tick=False)


@pytest.fixture
def cfs(author, reviewer):
    live = make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp-fasciculation-syndrome",
        name="Cramp-fasciculation syndrome",
        summary="Muscle cramps and twitches without nerve damage.",
        also_known_as=["CFS", "Benign cramp syndrome"],
        sections=SECTIONS,
    )
    ConditionCode.objects.create(
        condition=live.condition, system="ICD-10", code="G12.21", display="CFS"
    )
    return live


def test_detail_in_schema_org_shape(api, cfs):
    response = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/?format=schema")
    assert response.status_code == 200
    page = response.json()
    review = cfs.reviews.get()
    canonical = f"{settings.SITE_URL}/conditions/cramp-fasciculation-syndrome/"
    assert page["@context"] == "http://schema.org"
    assert page["@type"] == "MedicalWebPage"
    assert page["name"] == "Cramp-fasciculation syndrome"
    assert page["description"] == "Muscle cramps and twitches without nerve damage."
    assert page["url"] == canonical
    assert page["lastReviewed"] == [
        review.reviewed_on.isoformat(),
        review.next_review_due.isoformat(),
    ]
    assert page["alternateName"] == ["CFS", "Benign cramp syndrome"]
    assert page["about"]["@type"] == "MedicalCondition"
    assert page["about"]["name"] == "Cramp-fasciculation syndrome"
    assert page["about"]["alternateName"] == ["CFS", "Benign cramp syndrome"]
    assert page["about"]["code"] == [
        {"@type": "MedicalCode", "codeValue": "G12.21", "codingSystem": "ICD-10"}
    ]
    assert page["license"] == settings.KB_CONTENT_LICENCE
    assert page["copyrightHolder"]["name"] == settings.KB_PUBLISHER_NAME
    assert page["author"]["name"] == settings.KB_PUBLISHER_NAME
    assert page["reviewedBy"]["name"] == "Dr Rita Reviewer"
    aspects = [part.get("hasHealthAspect") for part in page["hasPart"]]
    assert aspects == [
        SCHEMA + "OverviewHealthAspect",
        SCHEMA + "CausesHealthAspect",
        SCHEMA + "SymptomsHealthAspect",
        SCHEMA + "DiagnosisHealthAspect",
        SCHEMA + "TreatmentsHealthAspect",
        SCHEMA + "PrognosisHealthAspect",
        SCHEMA + "SeeDoctorHealthAspect",
        None,  # a custom section names no aspect
    ]
    first = page["hasPart"][0]
    assert first["@type"] == "HealthTopicContent"
    assert first["headline"] == "Overview"
    assert first["url"].startswith(canonical + "#")
    (element,) = first["hasPart"]
    assert element["@type"] == "WebPageElement"
    assert element["text"].strip() == "<p>Cramps and twitches.</p>"
    assert dt.datetime.fromisoformat(page["dateModified"]) == cfs.published_at
    assert dt.datetime.fromisoformat(page["datePublished"]) == cfs.published_at


def test_plain_detail_is_unchanged_by_the_new_format(api, cfs):
    assert "sections" in api.get("/api/v1/conditions/cramp-fasciculation-syndrome/").json()
    plain = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/?format=json").json()
    assert "sections" in plain


def test_unknown_format_is_400(api, cfs):
    response = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/?format=xml")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_format"


def test_each_representation_has_its_own_etag_and_304(api, cfs):
    url = "/api/v1/conditions/cramp-fasciculation-syndrome/"
    plain = api.get(url)
    schema = api.get(url, {"format": "schema"})
    assert plain["ETag"] != schema["ETag"]
    again = api.get(url, {"format": "schema"}, HTTP_IF_NONE_MATCH=schema["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == schema["ETag"]
    # The JSON answer's ETag does not validate the schema.org answer, nor the other way.
    assert api.get(url, {"format": "schema"}, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH=schema["ETag"]).status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_schema_detail_changes_with_a_re_review(api, cfs, reviewer2):
    url = "/api/v1/conditions/cramp-fasciculation-syndrome/?format=schema"
    before = api.get(url)
    workflow.reconfirm(condition=cfs.condition, by=reviewer2, next_review_due=dt.date(2099, 1, 1))
    after = api.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["lastReviewed"][1] == "2099-01-01"


def test_schema_detail_of_withdrawn_and_moved(api, cfs, publisher):
    from kb import services

    services.rename_condition(condition=cfs.condition, new_slug="cfs", by=publisher)
    moved = api.get("/api/v1/conditions/cramp-fasciculation-syndrome/?format=schema")
    assert moved.status_code == 301
    # The redirect keeps the representation asked for.
    assert moved["Location"] == f"{settings.SITE_URL}/api/v1/conditions/cfs/?format=schema"
    workflow.withdraw(condition=cfs.condition, by=publisher, reason="Outdated")
    assert api.get("/api/v1/conditions/cfs/?format=schema").status_code == 410


# --- the manifest -------------------------------------------------------------------------


def test_manifest_lists_every_live_page_with_its_dates_and_aspects(
    api, author, author2, reviewer, publisher
):
    with time_travel("2024-01-01T10:00:00+00:00"):
        first = make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha",
                          sections=SECTIONS[:3])  # fmt: skip
    with time_travel("2024-02-01T10:00:00+00:00"):
        draft = workflow.start_new_draft(condition=first.condition, by=author2)
        workflow.submit(revision=draft, by=author2)
        workflow.approve(revision=draft, by=reviewer, reviewed_on=dt.date(2024, 2, 1))
    gone = make_live(author=author, reviewer=reviewer, slug="gone", name="Gone")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Old")
    response = api.get("/api/v1/manifest/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    (item,) = body["results"]
    assert set(item) == {
        "slug",
        "name",
        "url",
        "api_url",
        "schema_url",
        "date_published",
        "date_modified",
        "last_reviewed",
        "next_review_due",
        "health_aspects",
    }
    assert item["slug"] == "alpha"
    assert item["url"] == f"{settings.SITE_URL}/conditions/alpha/"
    assert item["schema_url"] == f"{settings.SITE_URL}/api/v1/conditions/alpha/?format=schema"
    assert dt.datetime.fromisoformat(item["date_published"]) == dt.datetime(
        2024, 1, 1, 10, tzinfo=dt.UTC
    )
    assert dt.datetime.fromisoformat(item["date_modified"]) == dt.datetime(
        2024, 2, 1, 10, tzinfo=dt.UTC
    )
    assert item["last_reviewed"] == "2024-02-01"
    assert item["next_review_due"] == (dt.date(2024, 2, 1) + dt.timedelta(days=1095)).isoformat()
    assert item["health_aspects"] == [
        SCHEMA + "OverviewHealthAspect",
        SCHEMA + "CausesHealthAspect",
        SCHEMA + "SymptomsHealthAspect",
    ]


def test_manifest_walks_by_cursor(api, author, reviewer):
    for n in range(5):
        make_live(author=author, reviewer=reviewer, slug=f"c{n}", name=f"C {n}")
    seen = []
    url = "/api/v1/manifest/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]
        if url:
            assert "cursor=" in url
    assert seen == ["c0", "c1", "c2", "c3", "c4"]


def test_manifest_answers_304_and_changes_with_a_withdrawal(api, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="alpha", name="Alpha")
    first = api.get("/api/v1/manifest/")
    assert api.get("/api/v1/manifest/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    list_etag = api.get("/api/v1/conditions/")["ETag"]
    assert list_etag != first["ETag"]
    workflow.withdraw(condition=live.condition, by=publisher, reason="Old")
    after = api.get("/api/v1/manifest/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after.json()["results"] == []


@pytest.mark.usefixtures("counts_in_cache")
def test_manifest_costs_the_same_for_5_or_60_items(api, author, reviewer):
    def queries() -> int:
        api.get("/api/v1/manifest/?page_size=100")
        from kb.caching import store

        store.clear_local()
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/manifest/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    for n in range(5):
        make_live(author=author, reviewer=reviewer, slug=f"c{n:03d}", name=f"C {n:03d}")
    small = queries()
    for n in range(5, 60):
        make_live(author=author, reviewer=reviewer, slug=f"c{n:03d}", name=f"C {n:03d}")
    assert queries() == small


def test_schema_documents_the_manifest_and_the_format(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/manifest/" in schema["paths"]
    detail = schema["paths"]["/api/v1/conditions/{slug}/"]["get"]
    formats = [p for p in detail["parameters"] if p["name"] == "format"]
    assert formats and formats[0]["schema"]["enum"] == ["json", "schema"]
    ref = detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    shapes = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["oneOf"]
    assert {shape["$ref"].rsplit("/", 1)[1] for shape in shapes} == {
        "ConditionDetail",
        "MedicalWebPage",
    }


def test_manifest_needs_a_key(client, db):
    assert client.get("/api/v1/manifest/").status_code == 401
