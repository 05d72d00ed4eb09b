"""Filters, pagination and the error shape of every bad parameter and refused request."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from kb import workflow
from kb.models import ConditionCode
from tests.factories import make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(author, reviewer):
    with time_machine.travel("2024-01-10T09:00:00Z", tick=False):
        asthma = make_live(
            author=author,
            reviewer=reviewer,
            slug="asthma",
            name="Asthma",
            summary="A long-term condition of the airways.",
            also_known_as=["Bronchial asthma"],
        )
    with time_machine.travel("2024-06-10T09:00:00Z", tick=False):
        sjogren = make_live(
            author=author,
            reviewer=reviewer,
            slug="sjogren",
            name="Dry eyes and mouth",
            summary="An autoimmune condition.",
            also_known_as=["Sjögren syndrome"],
        )
    ConditionCode.objects.create(condition=asthma.condition, system="ICD-10", code="J45")
    ConditionCode.objects.create(condition=sjogren.condition, system="MeSH", code="D012859")
    return {"asthma": asthma, "sjogren": sjogren}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_list_is_a_to_z(api, library):
    assert slugs(api.get("/api/v1/conditions/")) == ["asthma", "sjogren"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("asthma", ["asthma"]),
        ("ASTHMA airways", ["asthma"]),  # every word, any case, name or summary
        ("bronchial", ["asthma"]),  # other names
        ("sjögren", ["sjogren"]),  # other names with non-ASCII letters
        ("autoimmune", ["sjogren"]),
        ("asthma autoimmune", []),
        ("", ["asthma", "sjogren"]),
        ("   ", ["asthma", "sjogren"]),
    ],
)
def test_q_matches_name_other_names_and_summary(api, library, q, expected):
    assert slugs(api.get("/api/v1/conditions/", {"q": q})) == expected


def test_updated_since_uses_publication_or_latest_review(api, library, reviewer2):
    assert slugs(api.get("/api/v1/conditions/", {"updated_since": "2024-03-01T00:00:00Z"})) == [
        "sjogren"
    ]
    with time_machine.travel("2024-09-01T09:00:00Z", tick=False):
        workflow.reconfirm(condition=library["asthma"].condition, by=reviewer2)
    since = {"updated_since": "2024-08-01T00:00:00+02:00"}
    assert slugs(api.get("/api/v1/conditions/", since)) == ["asthma"]
    # Inclusive: an item updated exactly at the instant is listed.
    exact = {"updated_since": "2024-06-10T10:00:00+01:00"}
    assert slugs(api.get("/api/v1/conditions/", exact)) == ["asthma", "sjogren"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ICD-10|J45", ["asthma"]),
        ("ICD-10|j45", ["asthma"]),
        ("MeSH|D012859", ["sjogren"]),
        ("ICD-11|J45", []),
        ("SNOMED-CT|195967001", []),
    ],
)
def test_code_finds_conditions_by_clinical_code(api, library, code, expected):
    assert slugs(api.get("/api/v1/conditions/", {"code": code})) == expected


def test_filters_combine(api, library):
    response = api.get("/api/v1/conditions/", {"code": "ICD-10|J45", "q": "autoimmune"})
    assert slugs(response) == []


def test_pages_link_to_each_other(api, library):
    first = api.get("/api/v1/conditions/", {"page_size": 1}).json()
    assert first["count"] == 2 and len(first["results"]) == 1
    assert first["previous"] is None
    # The next page is named by its place in the list (a cursor), not by a number.
    assert first["next"].startswith("http://testserver/api/v1/conditions/?cursor=")
    assert first["next"].endswith("&page_size=1")
    second = api.get(first["next"]).json()
    assert [i["slug"] for i in second["results"]] == ["sjogren"]
    assert second["next"] is None and second["previous"] is not None


def test_page_past_the_end_is_404(api, library):
    response = api.get("/api/v1/conditions/", {"page": 3})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_extreme_but_valid_dates_are_accepted(api, library):
    for value in ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
                  "2024-06-30T23:59:60Z", "2024-01-01t00:00:00.1234567z"):  # fmt: skip
        assert api.get("/api/v1/conditions/", {"updated_since": value}).status_code == 200
        assert api.get("/api/v1/changes/", {"since": value}).status_code == 200


BAD_LIST_PARAMETERS = [
    ({"updated_since": "yesterday"}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-01-01"}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-01-01T00:00:00"}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-02-30T00:00:00Z"}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-01-01T25:00:00Z"}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-01-01T00:00:00+24:00"}, "updated_since", "invalid_datetime"),
    ({"updated_since": ""}, "updated_since", "invalid_datetime"),
    ({"updated_since": "2024-01-01T00:00:00Z\n"}, "updated_since", "invalid_datetime"),
    ({"code": "XYZ|123"}, "code", "unknown_code_system"),
    ({"code": "icd-10|J45"}, "code", "unknown_code_system"),
    ({"code": "J45"}, "code", "invalid_code"),
    ({"code": "ICD-10|"}, "code", "invalid_code"),
    ({"code": "ICD-10|J45 J46"}, "code", "invalid_code"),
    ({"code": "ICD-10|J45\n"}, "code", "invalid_code"),
    ({"code": "ICD-10|" + "9" * 41}, "code", "invalid_code"),
    ({"q": "x" * 201}, "q", "invalid_q"),
    ({"page_size": "0"}, "page_size", "invalid_page_size"),
    ({"page_size": "101"}, "page_size", "invalid_page_size"),
    ({"page_size": "ten"}, "page_size", "invalid_page_size"),
    ({"page_size": "-5"}, "page_size", "invalid_page_size"),
    ({"page_size": ""}, "page_size", "invalid_page_size"),
    ({"page_size": "5\n"}, "page_size", "invalid_page_size"),
    ({"page": "0"}, "page", "invalid_page"),
    ({"page": "last"}, "page", "invalid_page"),
    ({"page": "1.5"}, "page", "invalid_page"),
    ({"page": "99999999999"}, "page", "invalid_page"),
]


@pytest.mark.parametrize(("params", "name", "code"), BAD_LIST_PARAMETERS)
def test_bad_list_parameter_is_400_with_a_message(api, library, params, name, code):
    response = api.get("/api/v1/conditions/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    assert body["detail"].startswith(f"{name}: ")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"since": "last week"}, "invalid_datetime"),
        ({"since": "2024-13-01T00:00:00Z"}, "invalid_datetime"),
        ({"page_size": "1000"}, "invalid_page_size"),
        ({"page": "x"}, "invalid_page"),
    ],
)
def test_bad_changes_parameter_is_400(api, params, code):
    response = api.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_unknown_code_system_names_the_systems(api):
    detail = api.get("/api/v1/conditions/", {"code": "ICD-9|123"}).json()["detail"]
    assert detail == (
        "code: Unknown code system “ICD-9”; use one of ICD-10, ICD-11, SNOMED-CT, MeSH."
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_other_methods_are_405_in_the_error_shape(api, library, method):
    response = getattr(api, method)("/api/v1/conditions/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_head_is_allowed(api, library):
    response = api.head("/api/v1/conditions/asthma/")
    assert response.status_code == 200
    assert response["ETag"]


def test_asking_for_html_is_406_in_the_error_shape(api, library):
    response = api.get("/api/v1/conditions/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_unknown_endpoint_is_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no such endpoint in this API version.",
        "code": "not_found",
    }


def test_responses_are_private_to_the_partner(api, library):
    response = api.get("/api/v1/conditions/")
    assert response["Cache-Control"] == "private, no-cache"


def test_times_carry_an_offset(api, library):
    item = api.get("/api/v1/conditions/").json()["results"][0]
    assert dt.datetime.fromisoformat(item["published_at"]).utcoffset() is not None
