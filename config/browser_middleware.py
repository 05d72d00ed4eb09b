"""Browser-session middleware that partner API requests pass straight through.

Why: sessions, the CSRF cookie, the signed-in user and messages serve people on pages and
desk forms. A partner API request is authenticated by its key (``kb.api.authentication``),
its views are CSRF-exempt, and nothing under ``/api/`` reads a session, a user or a message;
yet each of these middleware reads cookies, builds signers or storage objects on every
request, together about a sixth of a warm partner answer's CPU time.

Each class here is the Django middleware of the same name (a subclass, so Django's system
checks still find it) that hands a request for ``/api`` or below directly to the next
layer. Everything else gets the unchanged middleware. ``CsrfViewMiddleware.process_view``
still runs for every view, so a view under ``/api/`` that is not CSRF-exempt stays checked.
"""

from __future__ import annotations

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.middleware import csrf

#: Every partner API address (``config.urls``: ``/api/v1/…`` and the unknown-endpoint answer).
API_ROOT = "/api"


def is_partner_api(request) -> bool:
    """True for ``/api`` and any address below it."""
    path = request.path_info
    return path == API_ROOT or path.startswith(API_ROOT + "/")


class _PassesPartnerAPI:
    def __call__(self, request):
        if is_partner_api(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_PassesPartnerAPI, sessions.SessionMiddleware):
    pass


class CsrfViewMiddleware(_PassesPartnerAPI, csrf.CsrfViewMiddleware):
    pass


class AuthenticationMiddleware(_PassesPartnerAPI, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_PassesPartnerAPI, messages.MessageMiddleware):
    pass
