"""The public article page and print view, and the staff preview that renders the same way."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from kb import generation
from kb.http import public_cache
from kb.models import Revision
from kb.selectors import (
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_page_key,
    get_preview_article,
    get_published_article,
)
from kb.structured_data import article_jsonld, as_script

PAGE_CACHE_VERSION = 1


def _published(request: HttpRequest, slug: str, template: str, url_name: str) -> HttpResponse:
    """A live article: what the page depends on (one query, or none in a warm generation),
    then the cache.

    ``get_page_key`` names everything the page shows (revision, latest review, cited
    references' last change, live related conditions), so the rendered HTML is cached
    under that name and never needs invalidating: a publication, withdrawal, scheduled
    go-live or re-review changes the key itself.
    """
    key = generation.cached(f"page-key:{slug}", lambda: get_page_key(slug=slug))
    if key is None:
        return _not_live(request, slug, url_name)
    conditional = get_conditional_response(request, etag=key.etag, last_modified=key.last_modified)
    if conditional is not None:
        return conditional
    cache_key = f"kb:page:{PAGE_CACHE_VERSION}:{template}:{slug}:{key.etag}"
    html = generation.kept_get(cache_key)
    if html is None:
        try:
            art = get_published_article(slug=slug)
        except (ArticleMoved, ArticleGone, ArticleNotFound):  # changed since the key was read
            return _not_live(request, slug, url_name)
        html = render_to_string(
            template, {"article": art, "jsonld": as_script(article_jsonld(art))}, request
        )
        if art.revision.pk == key.revision_id:
            generation.kept_set(cache_key, html)
    response = HttpResponse(html)
    response["ETag"] = key.etag
    response["Last-Modified"] = http_date(key.last_modified)
    return response


def _not_live(request: HttpRequest, slug: str, url_name: str) -> HttpResponse:
    try:
        get_published_article(slug=slug)
    except ArticleMoved as moved:
        return redirect(url_name, slug=moved.new_slug, permanent=True)
    except ArticleGone as gone:
        return render(request, "kb/gone.html", {"condition": gone.condition}, status=410)
    except ArticleNotFound as exc:
        raise Http404("No such condition") from exc
    # Went live between the two reads: serve it on the next request.
    return redirect(url_name, slug=slug)


@public_cache
def article(request: HttpRequest, slug: str) -> HttpResponse:
    return _published(request, slug, "kb/article.html", "kb:article")


@public_cache
def print_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _published(request, slug, "kb/print.html", "kb:article_print")


@staff_member_required
def preview(request: HttpRequest, revision_id: int) -> HttpResponse:
    """Any revision exactly as the public page would show it, bannered "not published"."""
    if not request.user.has_perm("kb.view_revision"):
        raise Http404("No such revision")
    revision = get_object_or_404(Revision, pk=revision_id)
    art = get_preview_article(revision=revision)
    response = render(request, "kb/article.html", {"article": art})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
