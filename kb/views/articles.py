"""The public article page and print view, and the staff preview that renders the same way."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kb import permissions
from kb.caching.answers import NotLive, keyed_answer
from kb.http import public_cache
from kb.models import Revision
from kb.pages import PageAnswer
from kb.selectors import (
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_preview_article,
    get_published_article,
)


def _published(request: HttpRequest, slug: str, template: str, url_name: str) -> HttpResponse:
    """A live article through the keyed-answer pipeline (``kb.caching.answers``): its
    validators and rendering are ``kb.pages.PageAnswer``'s, the rendered HTML is kept under
    its ETag (which names all of it) and never needs invalidating."""
    answer = PageAnswer(slug=slug, template=template, request=request)
    try:
        return keyed_answer(
            request, name=answer.name, read_validators=answer.read_validators,
            render=answer.render, respond=HttpResponse, kept_as=answer.kept_as,
        )  # fmt: skip
    except NotLive:
        return _not_live(request, slug, url_name)


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
    if not request.user.has_perm(permissions.VIEW_REVISION):
        raise Http404("No such revision")
    revision = get_object_or_404(Revision, pk=revision_id)
    art = get_preview_article(revision=revision)
    response = render(request, "kb/article.html", {"article": art})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
