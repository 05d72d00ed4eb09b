"""The public article page, and the staff preview that renders a revision the same way."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kb.models import Revision
from kb.selectors import (
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_preview_article,
    get_published_article,
)


def article(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        art = get_published_article(slug=slug)
    except ArticleMoved as moved:
        return redirect("kb:article", slug=moved.new_slug, permanent=True)
    except ArticleGone as gone:
        return render(request, "kb/gone.html", {"condition": gone.condition}, status=410)
    except ArticleNotFound as exc:
        raise Http404("No such condition") from exc
    return render(request, "kb/article.html", {"article": art})


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
