"""Error pages the site answers itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from kb.http import public_cache


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, cacheable like any other public answer.

    Why: views raise Http404, so their own ``public_cache`` never sees the answer, and a
    404 without ``Cache-Control`` sends every repeat of a dead link (crawlers, old
    bookmarks) to the application. The desk's addresses stay uncached.
    """
    if request.path_info.startswith("/admin/"):
        return defaults.page_not_found(request, exception)
    return public_cache(defaults.page_not_found)(request, exception)
