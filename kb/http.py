"""HTTP caching for public pages: Cache-Control, ETag, Last-Modified, 304s.

Public pages may be cached by browsers and a CDN for a short, configurable time
(``PUBLIC_CACHE_SECONDS``); article pages also answer conditional requests, since an
approved revision never changes and its identity makes a strong validator.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


def public_cache(view):
    """Mark a public view's successful answers cacheable for a short time."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 301, 304, 404, 410) and not getattr(
            response, "private", False
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            patch_vary_headers(response, ["Accept-Encoding"])
        return response

    return wrapper
