"""Browser middleware that partner API requests pass straight through.

Why: the signed-in user and messages serve people on pages and desk forms. A partner API
request is authenticated by its key (``kb.api.authentication``), and nothing under
``/api/`` reads a user or a message; yet the message middleware builds its storage on
every request.

Each class here is the Django middleware of the same name (a subclass, so the admin's
system checks, which accept subclasses, still find it) that hands a request for ``/api``
or below directly to the next layer. Everything else gets the unchanged middleware.
Sessions and CSRF are not among them: the deployment checks (``security.W003``,
``W010``-``W012``) look for Django's own classes by their exact names, so those stay in
``MIDDLEWARE`` as they are, for every address.
"""

from __future__ import annotations

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages

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


class AuthenticationMiddleware(_PassesPartnerAPI, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_PassesPartnerAPI, messages.MessageMiddleware):
    pass
