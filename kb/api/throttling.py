"""Per-key throttling at each partner's own rate (``Partner.throttle_rate``).

Counted by ``kb.ratelimit.hit`` under the key's prefix, like reader reports under the
reader's address: one shared store for every process (Redis when configured, otherwise the
database), a fixed window per key at constant cost however high a partner's rate, where
DRF's sliding log (``SimpleRateThrottle``) keeps one timestamp per request in the window.
Windows start at whole multiples of the duration (a "/minute" window at every minute), so
``Retry-After`` is the time left in the current one. Like any fixed window it lets through
at most twice the rate across a boundary.
"""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from accounts.models import PartnerAPIKey
from kb import ratelimit

DEFAULT_RATE = "120/minute"


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/minute" → (120, 60), as DRF reads rates (the period's first letter counts)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period[:1]]


class PartnerKeyRateThrottle(BaseThrottle):
    scope = "partner-key"

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, PartnerAPIKey):
            return True  # only the public schema and docs are reached without a key
        allowed, duration = parse_rate(api_key.partner.throttle_rate or DEFAULT_RATE)
        decision = ratelimit.hit(
            scope=self.scope, subject=api_key.prefix, limit=allowed, period=duration
        )
        self.retry_after = None if decision.allowed else decision.retry_after
        return decision.allowed

    def wait(self) -> int | None:
        return self.retry_after
