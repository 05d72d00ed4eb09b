"""Home page and the A–Z index."""

from __future__ import annotations

import string

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from kb.caching import store
from kb.http import public_cache
from kb.selectors import a_to_z, recently_reviewed


@public_cache
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/home.html",
        {
            "letters": store.fresh("a-z-letters", lambda: _letters(a_to_z())),
            "recent": store.fresh("recently-reviewed", recently_reviewed),
        },
    )


@public_cache
def a_to_z_view(request: HttpRequest) -> HttpResponse:
    # The whole index is one page cached in the current publication state: 10,000 names
    # cost one small query when warm.
    html = store.fresh("a-z-page", lambda: _a_to_z_html(request), large=True)
    return HttpResponse(html)


def _a_to_z_html(request: HttpRequest) -> str:
    groups = a_to_z()
    return render_to_string(
        "kb/a_to_z.html", {"groups": groups, "letters": _letters(groups)}, request
    )


def _letters(groups) -> list[tuple[str, bool]]:
    present = {letter for letter, _ in groups}
    return [(letter, letter in present) for letter in string.ascii_uppercase]
