"""The partner API's content negotiation gives DRF's answers, without DRF's Accept parsing
for the headers nearly every client sends (``kb.api.negotiation``)."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kb.api.encoded import EncodedJSONRenderer
from kb.api.negotiation import PartnerContentNegotiation

ACCEPTS = [None, "", "*/*", " */* ", "application/json", "application/*",
           "application/json; indent=2", "text/html, application/json;q=0.9",
           "application/json;q=0, */*", "text/html", "application/xml"]  # fmt: skip
RENDERERS = [EncodedJSONRenderer()]


def choose(negotiation, accept, format_suffix=None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/conditions/", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, RENDERERS, format_suffix)
    except NotAcceptable:
        return "406"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_same_choice_as_drf(accept):
    assert choose(PartnerContentNegotiation(), accept) == choose(
        DefaultContentNegotiation(), accept
    )


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_the_usual_accept_headers_are_not_parsed(monkeypatch, accept):
    def refuse(*args, **kwargs):
        raise AssertionError("parsed the Accept header")

    monkeypatch.setattr(DefaultContentNegotiation, "_get_parsed_accept_list", refuse)
    assert choose(PartnerContentNegotiation(), accept) == (EncodedJSONRenderer, "application/json")


@pytest.mark.django_db
@pytest.mark.usefixtures("counts_in_cache")
def test_the_api_still_answers_406_and_honours_parameters(api):
    assert api.get("/api/v1/conditions/", HTTP_ACCEPT="text/html").status_code == 406
    ok = api.get("/api/v1/conditions/", HTTP_ACCEPT="application/json; indent=2")
    assert ok.status_code == 200 and ok.content.startswith(b"{\n  ")
    assert api.get("/api/v1/conditions/").status_code == 200
