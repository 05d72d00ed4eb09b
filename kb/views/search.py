"""Public search page: ``/search/?q=…&page=…``. Thin: all searching is ``kb.search``."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kb.caching import store
from kb.http import public_cache
from kb.search import search_published

#: Larger page numbers are nonsense; they are treated as page 1 like any other bad value.
MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= MAX_PAGE else 1


@public_cache
def search(request: HttpRequest) -> HttpResponse:
    query, page = request.GET.get("q", ""), _page_number(request.GET.get("page"))
    # A spike of readers searching the same words costs one search per publication state.
    results = store.fresh(
        f"search:{page}:{hashlib.sha256(query.encode()).hexdigest()}",
        lambda: search_published(query=query, page=page),
    )

    def page_url(page: int) -> str:
        return f"{reverse('kb:search')}?{urlencode({'q': results.query, 'page': page})}"

    return render(
        request,
        "kb/search.html",
        {
            "results": results,
            "query": results.query,
            "previous_url": page_url(results.page - 1) if results.has_previous else "",
            "next_url": page_url(results.page + 1) if results.has_next else "",
        },
    )
