"""The HL7 Infobutton look-up: an EHR asks by code system OID and code, as it asks
MedlinePlus Connect, and gets the matching live articles in a feed/entry JSON shape."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from kb import workflow
from kb.models import ConditionCode
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db

URL = "/api/v1/infobutton/"
ICD10CM = "2.16.840.1.113883.6.90"
ICD10 = "2.16.840.1.113883.6.3"
SNOMED = "2.16.840.1.113883.6.96"


def ask(api, *, cs=ICD10CM, c="G12.21", **more):
    params = {"mainSearchCriteria.v.cs": cs, "mainSearchCriteria.v.c": c, **more}
    return api.get(URL, params)


@pytest.fixture
def library(author, reviewer, publisher):
    with time_machine.travel("2024-03-01T09:00:00Z", tick=False):
        cfs = make_live(
            author=author,
            reviewer=reviewer,
            slug="cramp-fasciculation-syndrome",
            name="Cramp-fasciculation syndrome",
            summary="Muscle cramps and twitching without weakness.",
        )
    ConditionCode.objects.create(condition=cfs.condition, system="ICD-10", code="G12.21")
    ConditionCode.objects.create(condition=cfs.condition, system="SNOMED-CT", code="230255002")
    gone = make_live(author=author, reviewer=reviewer, slug="gone", name="Gone")
    ConditionCode.objects.create(condition=gone.condition, system="ICD-10", code="G12.21")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated")
    draft = make_draft(author=author, slug="draft-only", name="Draft only")
    ConditionCode.objects.create(condition=draft.condition, system="ICD-10", code="G12.21")
    return cfs


def test_icd10cm_code_finds_the_live_article_in_the_feed_shape(api, library):
    response = ask(api, knowledgeResponseType="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    feed = response.json()["feed"]
    assert feed["category"] == [
        {"scheme": "mainSearchCriteria.v.c", "term": "G12.21"},
        {"scheme": "mainSearchCriteria.v.cs", "term": ICD10CM},
    ]
    assert feed["author"]["name"]["_value"] == settings.KB_PUBLISHER_NAME
    [entry] = feed["entry"]
    page = f"{settings.SITE_URL}/conditions/cramp-fasciculation-syndrome/"
    assert entry["title"] == {"_value": "Cramp-fasciculation syndrome", "type": "text"}
    assert entry["link"] == [
        {"href": page, "rel": "alternate", "title": "Cramp-fasciculation syndrome"}
    ]
    assert entry["summary"] == {
        "_value": "Muscle cramps and twitching without weakness.",
        "type": "text",
    }
    assert entry["id"] == {"_value": page}
    assert dt.datetime.fromisoformat(entry["updated"]["_value"]) == dt.datetime(
        2024, 3, 1, 9, tzinfo=dt.UTC
    )
    assert (
        entry["api_url"] == f"{settings.SITE_URL}/api/v1/conditions/cramp-fasciculation-syndrome/"
    )
    assert entry["last_reviewed"] == "2024-03-01"
    assert entry["next_review_due"]


@pytest.mark.parametrize(
    ("cs", "code"), [(ICD10, "G12.21"), (ICD10CM, "g12.21"), (SNOMED, "230255002")]
)
def test_other_systems_and_case_match_like_the_code_filter(api, library, cs, code):
    feed = ask(api, cs=cs, c=code).json()["feed"]
    assert [e["title"]["_value"] for e in feed["entry"]] == ["Cramp-fasciculation syndrome"]
    listed = api.get(
        "/api/v1/conditions/", {"code": f"{'SNOMED-CT' if cs == SNOMED else 'ICD-10'}|{code}"}
    )
    assert [i["slug"] for i in listed.json()["results"]] == ["cramp-fasciculation-syndrome"]


def test_unknown_code_is_an_empty_feed(api, library):
    response = ask(api, c="Z99.9", **{"mainSearchCriteria.v.dn": "Something else"})
    assert response.status_code == 200
    assert response.json()["feed"]["entry"] == []


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"knowledgeResponseType": "text/xml"}, 400, "unsupported_response_type"),
        ({"knowledgeResponseType": "application/javascript"}, 400, "unsupported_response_type"),
        ({"mainSearchCriteria.v.cs": "2.16.840.1.113883.6.1"}, 400, "unknown_code_system"),
        ({"mainSearchCriteria.v.cs": None}, 400, "required"),
        ({"mainSearchCriteria.v.c": None}, 400, "required"),
        ({"mainSearchCriteria.v.c": "G12 21;"}, 400, "invalid_code"),
        ({"mainSearchCriteria.v.dn": "x" * 201}, 400, "invalid_display_name"),
    ],
)
def test_bad_requests_are_clear_json_errors(api, library, params, status, code):
    query = {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "G12.21", **params}
    response = api.get(URL, {k: v for k, v in query.items() if v is not None})
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_is_keyed(client, library):
    response = client.get(
        URL, {"mainSearchCriteria.v.cs": ICD10CM, "mainSearchCriteria.v.c": "G12.21"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_is_throttled(api, library, partner):
    partner.throttle_rate = "1/minute"
    partner.save()
    assert ask(api).status_code == 200
    response = ask(api)
    assert response.status_code == 429
    assert response["Retry-After"]


def test_is_in_the_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/infobutton/"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["mainSearchCriteria.v.cs"]["required"] is True
    assert names["mainSearchCriteria.v.c"]["required"] is True
    assert "mainSearchCriteria.v.dn" in names
    assert names["knowledgeResponseType"]["schema"]["enum"] == ["application/json"]
    assert {"200", "400", "401", "429"} <= set(operation["responses"])
    assert operation["security"] == [{"PartnerApiKey": []}]
