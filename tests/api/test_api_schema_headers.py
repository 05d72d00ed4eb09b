"""The OpenAPI document declares everything a generated client needs: the key as an apiKey
header it can send as printed, the conditional request headers, the response headers each
status carries, and HEAD next to every GET."""

from __future__ import annotations

import pytest

from tests.factories import make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema, method):
    return {path: item[method] for path, item in schema["paths"].items() if method in item}


def test_key_scheme_is_the_x_api_key_header(schema):
    scheme = schema["components"]["securitySchemes"]["PartnerApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")


def test_x_api_key_header_takes_the_key_as_printed(client, api_key, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="asthma", name="Asthma")
    response = client.get("/api/v1/conditions/asthma/", HTTP_X_API_KEY=api_key)
    assert response.status_code == 200
    assert response.json()["slug"] == "asthma"


def test_authorization_api_key_still_works(api, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="asthma", name="Asthma")
    assert api.get("/api/v1/conditions/asthma/").status_code == 200


def test_bad_x_api_key_is_401_with_a_challenge(client):
    response = client.get("/api/v1/conditions/", HTTP_X_API_KEY="nope.nope")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"
    assert response["WWW-Authenticate"]


def test_conditional_operations_declare_the_request_headers(schema):
    conditional = {
        path: op for path, op in operations(schema, "get").items() if "304" in op["responses"]
    }
    assert set(conditional) >= {"/api/v1/conditions/", "/api/v1/conditions/{slug}/"}
    for op in conditional.values():
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert headers >= {"If-None-Match", "If-Modified-Since"}


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        ("200", {"ETag", "Last-Modified"}),
        ("304", {"ETag", "Last-Modified"}),
        ("301", {"Location"}),
        ("401", {"WWW-Authenticate"}),
        ("429", {"Retry-After"}),
    ],
)
def test_responses_declare_their_headers(schema, status, headers):
    seen = 0
    for path, op in operations(schema, "get").items():
        response = op["responses"].get(status)
        if response is None or (status == "200" and "304" not in op["responses"]):
            continue
        seen += 1
        assert set(response.get("headers", {})) >= headers, (path, status)
    assert seen


def test_every_get_has_a_head_twin(schema):
    gets, heads = operations(schema, "get"), operations(schema, "head")
    assert set(heads) == set(gets)
    for path, head in heads.items():
        assert head["operationId"] != gets[path]["operationId"]
        assert head.get("parameters") == gets[path].get("parameters")
        assert all("content" not in r for r in head["responses"].values())
        assert set(head["responses"]) == set(gets[path]["responses"])
