"""Without SITE_URL (development, DEBUG on), absolute links follow the request's address:
``runserver 8221`` links to port 8221, not to a default port. Cached answers never carry
one host's links to another."""

from __future__ import annotations

import json
import re

import pytest

from kb import notifications, site_url
from tests.factories import make_live

pytestmark = pytest.mark.django_db

HOST = "testserver:8221"
BASE = f"http://{HOST}"


@pytest.fixture
def no_site_url(settings):
    settings.DEBUG = True
    settings.SITE_URL = ""


@pytest.fixture
def cramps(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")


def canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1)


def jsonld(html: str) -> dict:
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script.group(1))


def test_article_print_and_json_ld_use_the_request_host(client, no_site_url, cramps):
    page = client.get("/conditions/cramps/", HTTP_HOST=HOST).content.decode()
    assert canonical(page) == f"{BASE}/conditions/cramps/"
    assert f'content="{BASE}/conditions/cramps/"' in page  # og:url
    assert f'"{BASE}/conditions/cramps/"' in json.dumps(jsonld(page))
    assert "127.0.0.1:8000" not in page
    printed = client.get("/conditions/cramps/print/", HTTP_HOST=HOST).content.decode()
    assert f"Printed from {BASE}/conditions/cramps/." in printed


def test_api_links_use_the_request_host(api, no_site_url, cramps):
    detail = api.get("/api/v1/conditions/cramps/", HTTP_HOST=HOST).json()
    assert detail["url"] == f"{BASE}/conditions/cramps/"
    listed = api.get("/api/v1/conditions/", HTTP_HOST=HOST).json()
    assert listed["results"][0]["api_url"] == f"{BASE}/api/v1/conditions/cramps/"


def test_cached_answers_are_not_shared_between_hosts(client, api, no_site_url, cramps):
    client.get("/conditions/cramps/", HTTP_HOST=HOST)
    api.get("/api/v1/conditions/cramps/", HTTP_HOST=HOST)
    other = "localhost:9000"
    page = client.get("/conditions/cramps/", HTTP_HOST=other).content.decode()
    assert canonical(page) == f"http://{other}/conditions/cramps/"
    detail = api.get("/api/v1/conditions/cramps/", HTTP_HOST=other).json()
    assert detail["url"] == f"http://{other}/conditions/cramps/"


def test_site_url_wins_over_the_request_host(client, settings, cramps):
    settings.SITE_URL = "https://health.example.org"
    page = client.get("/conditions/cramps/", HTTP_HOST=HOST).content.decode()
    assert canonical(page) == "https://health.example.org/conditions/cramps/"


def test_without_a_request_the_development_address(no_site_url):
    # An e-mail sent by a management command: no request to take the host from.
    assert notifications.absolute_url("/admin/") == f"{site_url.DEVELOPMENT_SITE_URL}/admin/"
