"""The public article page and print view, and the staff preview that renders the same way."""

from __future__ import annotations

import hashlib

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from kb import permissions
from kb.caching import store
from kb.caching.answers import NotLive, Validators, keyed_answer
from kb.http import public_cache
from kb.models import Revision
from kb.selectors import (
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_condition_codes,
    get_page_key,
    get_preview_article,
    get_published_article,
)
from kb.structured_data import article_jsonld, as_script


def _codes_tag(codes) -> str:
    """A short name for the condition's clinical codes, added to the page's ETag."""
    text = repr([(c.system, c.code) for c in codes])
    return "k" + hashlib.sha256(text.encode()).hexdigest()[:12]


def _published(request: HttpRequest, slug: str, template: str, url_name: str) -> HttpResponse:
    """A live article through the keyed-answer pipeline (``kb.caching.answers``).

    ``get_page_key`` names everything the article shows (revision, latest review, cited
    references' retraction state, live related conditions); the condition's clinical codes
    (in the JSON-LD) sit outside the revision, so their tag is added to the ETag. The
    rendered HTML is kept under that name and never needs invalidating.
    """
    name = f"page:{template}:{slug}"
    read: dict = {}

    def read_validators() -> Validators | None:
        key = get_page_key(slug=slug)
        if key is None:
            return None
        read["codes"] = codes = key.codes
        etag = f'{key.etag[:-1]}-{_codes_tag(codes)}"'
        return Validators(etag=etag, last_modified=key.last_modified,
                          revision_id=key.revision_id)  # fmt: skip

    def render() -> tuple[int, bytes]:
        try:
            art = get_published_article(slug=slug)
        except (ArticleMoved, ArticleGone, ArticleNotFound) as exc:  # changed meanwhile
            raise NotLive(slug) from exc
        codes = read["codes"] if "codes" in read else get_condition_codes(slug=slug)
        context = {"article": art, "jsonld": as_script(article_jsonld(article=art, codes=codes))}
        html = render_to_string(template, context, request)
        # Codes edited since the validators were read: serve this body once, keep none.
        validators = store.fresh(f"{name}:validators", read_validators)
        current = validators is not None and _codes_tag(codes) in validators.etag
        # Kept encoded: a warm answer writes the stored bytes.
        return (art.revision.pk if current else 0), html.encode()

    try:
        return keyed_answer(
            request, name=name, read_validators=read_validators, render=render,
            respond=HttpResponse,
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
