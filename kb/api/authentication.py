"""Partner keys: ``Authorization: Api-Key <key>``.

Keys are stored hashed (djangorestframework-api-key) and belong to a ``Partner``. A missing
key, an unknown, revoked or expired key all answer 401 with ``WWW-Authenticate: Api-Key``,
because the client must send other credentials; a valid key of a partner that has been
switched off answers 403 (see ``permissions``), because the key is known but not allowed.

``last_used_at`` is written at most once a minute per key (a cache flag guards the
UPDATE), so recording use costs no write on almost every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts.models import Partner, PartnerAPIKey

KEYWORD = KeyParser.keyword  # "Api-Key"
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class PartnerClient:
    """The authenticated caller (``request.user``): a partner site, never a person."""

    partner: Partner

    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.partner.name


class PartnerKeyAuthentication(BaseAuthentication):
    key_parser = KeyParser()

    def authenticate(self, request):
        key = self.key_parser.get(request)
        if key is None:
            return None  # no Api-Key credentials: the permission answers 401
        api_key = find_usable_key(key=key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                "This API key is not valid: it is unknown, revoked or expired.",
                code="invalid_api_key",
            )
        record_use(api_key=api_key)
        return PartnerClient(api_key.partner), api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD


def find_usable_key(*, key: str) -> PartnerAPIKey | None:
    """The unrevoked, unexpired key matching ``key`` (with its partner), else None."""
    prefix, dot, _ = key.partition(".")
    if not dot or not prefix or "\x00" in key:
        return None
    api_key = (
        PartnerAPIKey.objects.select_related("partner").filter(prefix=prefix, revoked=False).first()
    )
    if api_key is None or api_key.has_expired or not api_key.is_valid(key):
        return None
    return api_key


def record_use(*, api_key: PartnerAPIKey) -> None:
    """Stamp ``last_used_at``, at most once per ``LAST_USED_RESOLUTION_SECONDS`` per key."""
    if cache.add(f"kb:api:key-used:{api_key.prefix}", 1, LAST_USED_RESOLUTION_SECONDS):
        PartnerAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """Declares the key in the OpenAPI schema as an apiKey in the Authorization header."""

    target_class = PartnerKeyAuthentication
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"`{KEYWORD} <key>`. A missing, unknown, revoked or expired key answers 401 "
                "with `WWW-Authenticate: Api-Key`; a key of a partner whose access is "
                "switched off answers 403."
            ),
        }
