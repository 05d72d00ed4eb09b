"""Per-key throttling at each partner's own rate (``Partner.throttle_rate``).

A subclass of DRF's ``SimpleRateThrottle`` keeps its cache-based sliding window (the
Django cache, so Redis shares it between processes) and its ``Retry-After``; only the
rate comes from the partner rather than from settings.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import PartnerAPIKey

DEFAULT_RATE = "120/minute"


class PartnerKeyRateThrottle(SimpleRateThrottle):
    scope = "partner-key"

    def __init__(self) -> None:
        # The rate is per partner, so it is read per request, not from settings.
        self.rate = None
        self.num_requests = self.duration = None

    def allow_request(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, PartnerAPIKey):
            return True  # only the public schema and docs are reached without a key
        self.rate = api_key.partner.throttle_rate or DEFAULT_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
