"""Warm partner answers write their stored JSON bytes (``kb.api.encoded``): no encoding
per request, the same bytes as encoding the payload, other renderings still honoured."""

from __future__ import annotations

import json

import pytest
import rest_framework.renderers
from rest_framework.renderers import JSONRenderer

from tests.factories import ReferenceFactory, make_live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counts_in_cache")]

DETAIL = "/api/v1/conditions/cramp/"
URLS = [DETAIL, f"{DETAIL}?format=schema", "/api/v1/conditions/?page_size=50"]


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Cramp trial — a “quoted” title")
    live = make_live(
        author=author, reviewer=reviewer, slug="cramp", name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview",
                   "body": "Sudden tightening of a calf muscle, 2–3 minutes [@smith2020]."}],
    )  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="ache", name="Ache")
    return live


@pytest.fixture
def encodings(monkeypatch):
    """Counts JSON encodings by DRF's renderer."""
    calls = []
    original = rest_framework.renderers.json.dumps

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(rest_framework.renderers.json, "dumps", counting)
    return calls


@pytest.mark.parametrize("url", URLS)
def test_a_warm_answer_is_not_encoded_again(api, live, encodings, url):
    cold = api.get(url)
    assert cold.status_code == 200 and len(encodings) == 1
    encodings.clear()
    warm = [api.get(url) for _ in range(3)]
    assert [w.status_code for w in warm] == [200, 200, 200]
    assert encodings == []
    assert all(w.content == cold.content for w in warm)


@pytest.mark.parametrize("url", URLS)
def test_the_stored_bytes_are_what_encoding_the_payload_gives(api, live, url):
    api.get(url)
    warm = api.get(url)
    assert warm["Content-Type"] == "application/json"
    assert warm.content == JSONRenderer().render(json.loads(warm.content), "application/json")
    assert "“quoted”".encode() in api.get(DETAIL).content  # UTF-8, not \\u escapes


@pytest.mark.parametrize("url", URLS)
def test_an_indented_rendering_is_still_honoured_when_warm(api, live, url):
    plain = api.get(url)
    indented = api.get(url, HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200
    assert indented.content.startswith(b"{\n  ")
    assert json.loads(indented.content) == json.loads(plain.content)


def test_head_answers_without_a_body(api, live):
    api.get(DETAIL)
    head = api.head(DETAIL)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == api.get(DETAIL)["ETag"]
