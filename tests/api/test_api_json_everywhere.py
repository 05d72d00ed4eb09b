"""Every answer under /api/ that is not a success body is JSON of the documented error
shape, ``{"detail": …, "code": …}`` (plus documented fields such as ``location``), with an
``application/json`` content type: odd paths, every method, HEAD and redirects included."""

from __future__ import annotations

import pytest
from django.conf import settings

from kb import services
from tests.factories import make_live

pytestmark = pytest.mark.django_db

ALLOWED = "GET, HEAD"

# (method, path, status)
CORPUS = [
    ("get", "/api/v1/conditions/a%0Ab/", 404),
    ("get", "/api/v1/conditions/a%0Db/", 404),
    ("get", "/api/v1/conditions/a%00b/", 404),
    ("get", "/api/v1/conditions/%FF/", 404),
    ("get", "/api/v1/conditions/%E2%80%AE/", 404),
    ("get", "/api/v1/conditions/a%2Fb/", 404),
    ("get", "/api/v1/conditions/" + "a" * 3000 + "/", 404),
    ("get", "/api/v1//conditions/", 404),
    ("get", "/api/v1/conditions/asthma/extra/", 404),
    ("get", "/api/v1/nothing-here", 404),
    ("get", "/api/v1/nothing-here%0A", 404),
    ("get", "/api/v1/", 404),
    ("get", "/api/v1", 404),
    ("get", "/api/", 404),
    ("get", "/api", 404),
    ("get", "/api/v2/conditions/", 404),
    ("get", "/api/v1/conditions/nothing-here/", 404),
    ("head", "/api/v1/conditions/a%0Ab/", 404),
    ("head", "/api/v1/nothing-here/", 404),
    ("options", "/api/v1/nothing-here/", 404),
    ("post", "/api/v1/nothing-here/", 404),
    ("get", "/api/v1/conditions", 301),
    ("head", "/api/v1/conditions", 301),
    ("get", "/api/v1/conditions/asthma", 301),
    ("get", "/api/v1/changes", 301),
    ("post", "/api/v1/conditions", 301),
    ("get", "/api/v1/conditions/old-asthma/", 301),
    ("head", "/api/v1/conditions/old-asthma/", 301),
    ("post", "/api/v1/conditions/", 405),
    ("put", "/api/v1/conditions/asthma/", 405),
    ("patch", "/api/v1/changes/", 405),
    ("delete", "/api/v1/conditions/asthma/", 405),
    ("options", "/api/v1/conditions/", 405),
    ("options", "/api/v1/conditions/asthma/", 405),
    ("options", "/api/v1/changes/", 405),
    ("options", "/api/v1/infobutton/", 405),
    ("get", "/api/v1/infobutton", 301),
    ("get", "/api/v1/infobutton/", 400),
    ("get", "/api/v1/infobutton/?knowledgeResponseType=text/xml", 400),
    ("options", "/api/v1/schema/", 405),
    ("options", "/api/v1/docs/", 405),
    ("post", "/api/v1/schema/", 405),
    ("post", "/api/v1/docs/", 405),
    ("get", "/api/v1/conditions/?page=0", 400),
    ("get", "/api/v1/conditions/?code=%00", 400),
    ("head", "/api/v1/conditions/?page=0", 400),
]


@pytest.fixture
def library(author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="old-asthma", name="Asthma")
    services.rename_condition(condition=live.condition, new_slug="asthma", by=publisher)


def assert_error_shape(response, status: int, method: str) -> dict | None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    if method == "head":
        assert response.content == b""
        return None
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert isinstance(body.get("code"), str) and body["code"]
    return body


@pytest.mark.parametrize(("method", "path", "status"), CORPUS)
def test_odd_requests_answer_json_errors(api, library, method, path, status):
    response = getattr(api, method)(path)
    body = assert_error_shape(response, status, method)
    if status == 301:
        location = response["Location"]
        assert location.startswith(f"{settings.SITE_URL}/api/v1/")
        assert body is None or body == {
            "detail": body["detail"],
            "code": "moved_permanently",
            "location": location,
        }
    if status == 405:
        assert "OPTIONS" not in response["Allow"]
        assert body is None or body["code"] == "method_not_allowed"


def test_slashless_redirect_keeps_the_query(api, library):
    response = api.get("/api/v1/conditions?page_size=5&q=a")
    assert response.status_code == 301
    assert response["Location"] == f"{settings.SITE_URL}/api/v1/conditions/?page_size=5&q=a"


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"HTTP_AUTHORIZATION": "Api-Key x.y"}, 401), ({"HTTP_X_API_KEY": "x"}, 401)],
)
def test_key_errors_are_json(client, library, headers, status):
    for method in ("get", "head"):
        response = getattr(client, method)("/api/v1/conditions/", **headers)
        assert_error_shape(response, status, method)


def test_asking_for_html_is_json_406(api, library):
    for path in ("/api/v1/conditions/", "/api/v1/nothing-here/"):
        response = api.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code in (404, 406)
        assert response["Content-Type"] == "application/json"


def test_allow_lists_only_what_is_answered(api, library):
    for path in ("/api/v1/conditions/", "/api/v1/conditions/asthma/", "/api/v1/changes/"):
        assert api.post(path)["Allow"] == ALLOWED


def test_overlong_slug_is_404_without_a_cache_key_from_it(api, library):
    """No slug is longer than the model allows; the address never names a cache entry."""
    import warnings

    from django.core.cache.backends.base import CacheKeyWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = api.get("/api/v1/conditions/" + "a" * 3000 + "/")
    assert_error_shape(response, 404, "get")
