"""Public answers' Cache-Control and Vary (``kb.http.public_cache``): the values Django's
``patch_cache_control`` / ``patch_vary_headers`` give, computed once for a bare answer."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_cache_control, patch_vary_headers

import kb.http
from kb.http import public_cache
from tests.factories import make_live

pytestmark = pytest.mark.django_db


def reference(response, status: int):
    """What the headers were before: Django's patch functions on every answer."""
    if status in (200, 301, 304, 410):
        patch_cache_control(response, public=True, max_age=kb.http.settings.PUBLIC_CACHE_SECONDS)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def answer(status: int, **headers) -> HttpResponse:
    response = HttpResponse("x", status=status)
    for name, value in headers.items():
        response[name] = value
    return response


CASES = [
    (200, {}), (304, {}), (410, {}), (301, {}), (404, {}), (200, {"Vary": "Cookie"}),
    (200, {"Cache-Control": "no-transform"}), (404, {"Vary": "Accept-Language"}),
    (200, {"Cache-Control": "max-age=5", "Vary": "Cookie"}),
]  # fmt: skip


@pytest.mark.parametrize(("status", "headers"), CASES)
@pytest.mark.parametrize("seconds", [60, 300])
def test_headers_are_what_the_patch_functions_give(settings, status, headers, seconds):
    settings.PUBLIC_CACHE_SECONDS = seconds
    view = public_cache(lambda request: answer(status, **headers))
    got = view(RequestFactory().get("/"))
    expected = reference(answer(status, **headers), status)
    for name in ("Cache-Control", "Vary"):
        assert got[name] == expected[name]


def test_a_private_answer_is_left_alone():
    def view(request):
        response = answer(200)
        response.private = True
        return response

    assert "Cache-Control" not in public_cache(view)(RequestFactory().get("/"))


def test_a_warm_article_does_not_parse_its_cache_headers(client, author, reviewer, monkeypatch):
    make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    first = client.get("/conditions/cramp/")
    calls = []
    monkeypatch.setattr(kb.http, "patch_cache_control", lambda *a, **k: calls.append(a))
    warm = client.get("/conditions/cramp/")
    assert calls == []
    assert warm["Cache-Control"] == first["Cache-Control"]
    assert warm["Vary"] == first["Vary"] and warm.content == first.content
