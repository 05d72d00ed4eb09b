"""What every public page carries: a search box, breadcrumbs, a favicon, a language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import make_live

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="neuromyotonia", name="Neuromyotonia")


PAGES = [
    "/",
    "/conditions/",
    "/conditions/neuromyotonia/",
    "/conditions/neuromyotonia/report/",
    "/search/?q=nerves",
    "/conditions/nothing-here/",
]


def breadcrumbs(html: str) -> list[tuple[str | None, str]]:
    """The breadcrumb trail as (href or None for the current page, text)."""
    nav = re.search(r'<nav[^>]*aria-label="Breadcrumb"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumb navigation"
    crumbs = []
    for attrs, text in re.findall(r"<(?:a|span)([^>]*)>([^<]*)</(?:a|span)>", nav.group(1)):
        href = re.search(r'href="([^"]*)"', attrs)
        if href is None:
            assert 'aria-current="page"' in attrs
        crumbs.append((href.group(1) if href else None, text.strip()))
    return crumbs


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_has_a_search_box_and_a_favicon(client, live, path):
    html = client.get(path).content.decode()
    assert re.search(r'<form[^>]*role="search"', html), path
    assert re.search(r'<input[^>]*type="search"', html), path
    assert re.search(
        r'<link rel="icon" href="/static/kb/favicon\.svg" type="image/svg\+xml">', html
    )
    assert re.search(r'<link rel="icon" href="/static/kb/favicon\.ico" sizes="32x32">', html)


@pytest.mark.parametrize("path", PAGES)
def test_one_search_landmark_per_page(client, live, path):
    """Home and search keep their own, larger box; the header's would be a second search
    landmark with the same name (and a second field with the same label)."""
    html = client.get(path).content.decode()
    assert len(re.findall(r'role="search"', html)) == 1, path


def test_the_favicon_files_exist_and_the_ico_is_an_icon():
    svg, ico = finders.find("kb/favicon.svg"), finders.find("kb/favicon.ico")
    assert svg and "<svg" in Path(svg).read_text()
    assert ico and Path(ico).read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_print_view_has_a_favicon_but_no_site_navigation(client, live):
    html = client.get("/conditions/neuromyotonia/print/").content.decode()
    assert 'rel="icon"' in html
    assert 'role="search"' not in html


def test_breadcrumbs_on_the_article_a_to_z_and_search_pages(client, live):
    article = breadcrumbs(client.get("/conditions/neuromyotonia/").content.decode())
    assert article == [
        ("/", "Home"),
        ("/conditions/", "Conditions A to Z"),
        (None, "Neuromyotonia"),
    ]
    assert breadcrumbs(client.get("/conditions/").content.decode()) == [
        ("/", "Home"),
        (None, "Conditions A to Z"),
    ]
    assert breadcrumbs(client.get("/search/?q=nerves").content.decode()) == [
        ("/", "Home"),
        (None, "Search"),
    ]
    report = breadcrumbs(client.get("/conditions/neuromyotonia/report/").content.decode())
    assert report == [
        ("/", "Home"),
        ("/conditions/", "Conditions A to Z"),
        ("/conditions/neuromyotonia/", "Neuromyotonia"),
        (None, "Report an inaccuracy"),
    ]


def test_the_home_page_is_the_root_of_the_trail_and_has_none(client, live):
    assert 'aria-label="Breadcrumb"' not in client.get("/").content.decode()


def test_the_api_docs_page_says_its_language(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert re.search(r'<html lang="en(-GB)?">', html)
    assert 'rel="icon"' in html


def test_every_full_page_template_says_its_language():
    """Each template that writes <html> itself names the page's language."""
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<html[^>]*>", path.read_text()):
            assert "lang=" in tag, path


def test_site_language_matches_the_pages(client, live):
    assert settings.LANGUAGE_CODE.lower().startswith("en")


def test_favicon_ico_at_the_root_points_at_the_static_icon(client):
    """Browsers ask for /favicon.ico where nothing names an icon (the feed, JSON, robots.txt)."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/kb/favicon.ico"
    assert "max-age" in response["Cache-Control"]
