"""HTTP caching for public pages: Cache-Control, ETag, Last-Modified, 304s.

Public pages may be cached by browsers and a CDN for a short, configurable time
(``PUBLIC_CACHE_SECONDS``); article pages also answer conditional requests, since an
approved revision never changes and its identity makes a strong validator.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers


def public_cache(view):
    """Mark a public view's answers cacheable for a short time; a 404 must be revalidated.

    Why not cache a 404 like the rest: an article can be published at that address at any
    moment, and the author who looked before approval, the partner who was told to fetch it
    and the reader who followed the announcement must see it at once, not minutes later.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(response, "private", False):
            return response
        if response.status_code in (200, 301, 304, 410):
            _mark(response, fresh=True)
        elif response.status_code == 404:
            _mark(response, fresh=False)
        return response

    return wrapper


def _mark(response, *, fresh: bool) -> None:
    """Cache-Control and Vary as ``_patch`` writes them; on an answer that has neither yet
    (nearly all), the values are the same every time, so they are computed once."""
    if "Cache-Control" in response or "Vary" in response:
        _patch(response, fresh=fresh)
        return
    for header, value in _headers_of_a_bare_answer(fresh, settings.PUBLIC_CACHE_SECONDS):
        response.headers[header] = value


def _patch(response, *, fresh: bool) -> None:
    if fresh:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Accept-Encoding"])


@functools.lru_cache(maxsize=8)
def _headers_of_a_bare_answer(fresh: bool, seconds: int) -> tuple[tuple[str, str], ...]:
    response = HttpResponseBase()
    _patch(response, fresh=fresh)
    return tuple((header, response[header]) for header in ("Cache-Control", "Vary"))
