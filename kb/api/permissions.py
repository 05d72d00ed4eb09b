"""Only a valid key of an active partner gets in."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from accounts.models import PartnerAPIKey


class HasActivePartnerKey(BasePermission):
    """Refuses without a key (401, raised by DRF as NotAuthenticated) and refuses the keys
    of a partner that has been switched off (403): switching a partner off must stop every
    one of its keys at once, without revoking them one by one."""

    message = "This partner's access to the API is switched off. Contact the publisher."
    code = "partner_inactive"

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        return isinstance(api_key, PartnerAPIKey) and api_key.partner.active
