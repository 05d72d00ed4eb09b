"""Machine-readable public surfaces: sitemap, robots.txt and the Atom feed of updates.

All read through ``published_revisions`` (via ``published_for_listing``), with absolute
links built from ``SITE_URL`` (``kb.site_url``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse

from kb import site_url
from kb.http import public_cache
from kb.selectors import published_for_listing

FEED_LENGTH = 50


@public_cache
def sitemap(request: HttpRequest) -> HttpResponse:
    revisions = published_for_listing().only("published_at", "condition__slug")
    return render(
        request,
        "kb/sitemap.xml",
        {"revisions": revisions, "home": site_url.base() + "/"},
        content_type="application/xml; charset=utf-8",
    )


@public_cache
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /conditions/*/report/",
        f"Sitemap: {site_url.absolute(reverse('kb:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public_cache
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: browsers ask for it where nothing names an icon (the feed, JSON,
    robots.txt); pages link ``static/kb/favicon.*`` themselves."""
    return redirect(static("kb/favicon.ico"), permanent=True)


def entry_id(revision) -> str:
    """A tag URI (RFC 4151) that never changes: made from the condition's id and the
    revision's number, not from the slug, so a rename leaves every entry id as it was
    (RFC 4287 §4.2.6)."""
    authority = urlsplit(site_url.base()).hostname or "localhost"
    condition = revision.condition
    day = f"{condition.created_at:%Y-%m-%d}"
    return f"tag:{authority},{day}:condition/{condition.pk}/revision/{revision.number}"


@public_cache
def updates_feed(request: HttpRequest) -> HttpResponse:
    """One entry per publication of a live article, newest first, with its change note."""
    revisions = list(published_for_listing()[:FEED_LENGTH])
    for revision in revisions:
        revision.entry_id = entry_id(revision)
    return render(
        request,
        "kb/feed.xml",
        {
            "revisions": revisions,
            "updated": revisions[0].published_at if revisions else None,
            "feed_url": site_url.absolute(reverse("kb:feed")),
            "home": site_url.base() + "/",
        },
        content_type="application/atom+xml; charset=utf-8",
    )
