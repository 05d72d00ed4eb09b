"""Partner keys: ``X-API-Key: <key>`` or ``Authorization: Api-Key <key>``.

``X-API-Key`` carries the key exactly as ``create_partner_key`` prints it, so it is the
scheme the OpenAPI document declares: Swagger UI's Authorize box and generated clients
(openapi-python-client's ``AuthenticatedClient(auth_header_name="X-API-Key", prefix="")``)
send it as typed. ``Authorization: Api-Key <key>`` keeps working for existing partners;
when both are sent, ``X-API-Key`` is the one checked.

Keys are stored hashed (djangorestframework-api-key) and belong to a ``Partner``. A missing
key, an unknown, revoked or expired key all answer 401 with ``WWW-Authenticate: Api-Key``,
because the client must send other credentials; a valid key of a partner that has been
switched off answers 403 (see ``permissions``), because the key is known but not allowed.

``last_used_at`` is written at most once a minute per key (a cache flag guards the
UPDATE), so recording use costs no write on almost every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from accounts.models import Partner, PartnerAPIKey
from kb.caching.state import current
from kb.caching.store import LocalMemo

KEYWORD = KeyParser.keyword  # "Api-Key"
#: The header the schema documents; its value is the bare key.
HEADER = "X-API-Key"
LAST_USED_RESOLUTION_SECONDS = 60
#: How often one process asks the shared cache whether a key's use needs stamping.
RECHECK_SECONDS = 5
_known_keys = LocalMemo(size=256)
_recently_recorded = LocalMemo(size=256)


@dataclass(frozen=True)
class PartnerClient:
    """The authenticated caller (``request.user``): a partner site, never a person."""

    partner: Partner

    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.partner.name


def key_from(*, request) -> str | None:
    """The key sent in ``X-API-Key``, else in ``Authorization: Api-Key``; None if neither."""
    key = request.META.get("HTTP_" + HEADER.upper().replace("-", "_"))
    if key:
        return key
    return KeyParser().get_from_authorization(request)


class PartnerKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        key = key_from(request=request)
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
    """The unrevoked, unexpired key matching ``key`` (with its partner), else None.

    The row is read once per process and access state (see ``_stored_key``); the
    secret's hash and the expiry are checked on every request.
    """
    prefix, dot, _ = key.partition(".")
    if not dot or not prefix or "\x00" in key:
        return None
    found = _stored_key(prefix)
    if found is None or found.has_expired or not found.is_valid(key):
        return None
    return found


def _stored_key(prefix: str) -> PartnerAPIKey | None:
    """The key row, kept in this process for the database's current access state.

    Any change to a key or a partner advances that state in the database
    (``kb.models.publication.advance_access``), so a revocation or a switched-off partner
    applies at once in every process, whatever the shared cache holds.
    """
    state = current()
    name = f"{state.database_id}:{state.access_sequence}:{prefix}"
    found = _known_keys.get(name)
    if found is None:
        found = (  # from the primary: a replica may not have replayed a revocation yet
            PartnerAPIKey.objects.using(DEFAULT_DB_ALIAS)
            .select_related("partner")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if found is not None:
            _known_keys.set(name, found, settings.KB_CACHE_SECONDS)
    return found


def record_use(*, api_key: PartnerAPIKey) -> None:
    """Stamp ``last_used_at``, at most once per ``LAST_USED_RESOLUTION_SECONDS`` per key.

    A cache flag guards the UPDATE across processes; each process asks the cache at most
    once every few seconds per key, since the stamp's resolution is a minute anyway.
    """
    if _recently_recorded.get(api_key.prefix):
        return
    _recently_recorded.set(api_key.prefix, True, RECHECK_SECONDS)
    flag = f"kb:api:key-used:{current().database_id}:{api_key.prefix}"
    if cache.add(flag, 1, LAST_USED_RESOLUTION_SECONDS):
        # .update() on purpose: stamping use is not a change to the key (no new access state).
        PartnerAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """Declares the key in the OpenAPI schema as an apiKey in the ``X-API-Key`` header: the
    one form a generic client can send as printed (an apiKey in ``Authorization`` would
    need the ``Api-Key`` prefix typed in front of it)."""

    target_class = PartnerKeyAuthentication
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": (
                f"The key as issued, e.g. `{HEADER}: <prefix>.<secret>` "
                f"(`Authorization: {KEYWORD} <key>` is accepted too). A missing, unknown, "
                "revoked or expired key answers 401 with `WWW-Authenticate: Api-Key`; a key "
                "of a partner whose access is switched off answers 403."
            ),
        }
