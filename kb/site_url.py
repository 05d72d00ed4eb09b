"""The site's absolute address, for every link that must say where it points in full.

Canonical links, the print view's address, JSON-LD, API ``url``/``api_url``, the feed, the
sitemap and e-mail links are absolute. In production they come from ``SITE_URL`` (required
with ``DEBUG`` off: a partner's copy or an e-mail must never carry a guessed address). In
development ``SITE_URL`` may be left unset: then the address is the one the request came
in on (``http://127.0.0.1:8221`` under ``runserver 8221``), which
``RequestSiteURLMiddleware`` records for the request. Without a request (an e-mail sent by
a management command) it is ``DEVELOPMENT_SITE_URL``.

Cached answers that contain such links carry the address in their key
(``kb.caching.store``), so an answer built for one host is never served to another.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

#: Development only (``DEBUG`` on, ``SITE_URL`` unset, no request): ``runserver``'s default.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"

_from_request: contextvars.ContextVar[str] = contextvars.ContextVar("kb_site_url", default="")


def base() -> str:
    """``https://example.org``: ``SITE_URL``, else this request's scheme and host."""
    return settings.SITE_URL or _from_request.get() or DEVELOPMENT_SITE_URL


def absolute(path: str) -> str:
    """``/conditions/x/`` → ``https://example.org/conditions/x/``."""
    return base() + path


def from_request() -> bool:
    """Whether the address follows the request (no ``SITE_URL``): caches must key on it."""
    return not settings.SITE_URL


class RequestSiteURLMiddleware:
    """Without ``SITE_URL``, record the request's scheme and host for ``base()``."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if settings.SITE_URL:
            return self.get_response(request)
        token = _from_request.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _from_request.reset(token)
