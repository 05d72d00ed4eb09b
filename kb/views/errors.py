"""Error pages the site answers itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from kb.http import public_cache


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page with the public ``Cache-Control`` of a 404 (``kb.http``).

    Why: views raise Http404, so their own ``public_cache`` never sees the answer; a 404
    says explicitly that it may be stored but must be revalidated, since an article may
    be published at that address at any moment. The desk's addresses are left alone.
    """
    if request.path_info.startswith("/admin/"):
        return defaults.page_not_found(request, exception)
    return public_cache(defaults.page_not_found)(request, exception)
