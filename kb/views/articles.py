"""The public article page and print view, and the staff preview that renders the same way."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from kb.http import public_cache
from kb.models import Revision
from kb.selectors import (
    Article,
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_preview_article,
    get_published_article,
)
from kb.structured_data import article_jsonld, as_script


def _validators(art: Article) -> tuple[str, int]:
    """A strong ETag and Last-Modified for a published article page.

    The revision never changes; what can change the page is a new review (re-confirmation)
    or a correction to a cited reference (e.g. a retraction flag), so both go in.
    """
    review_id = art.review.pk if art.review else 0
    stamps = [art.revision.published_at] + [r.reference.updated_at for r in art.rendered.references]
    if art.review:
        stamps.append(art.review.created_at)
    latest = int(max(stamps).timestamp())
    return f'"a{art.revision.pk}-r{review_id}-{latest}"', latest


def _published(request: HttpRequest, slug: str, template: str, url_name: str) -> HttpResponse:
    try:
        art = get_published_article(slug=slug)
    except ArticleMoved as moved:
        return redirect(url_name, slug=moved.new_slug, permanent=True)
    except ArticleGone as gone:
        return render(request, "kb/gone.html", {"condition": gone.condition}, status=410)
    except ArticleNotFound as exc:
        raise Http404("No such condition") from exc
    etag, last_modified = _validators(art)
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        return conditional
    response = render(request, template, {"article": art, "jsonld": as_script(article_jsonld(art))})
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


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
