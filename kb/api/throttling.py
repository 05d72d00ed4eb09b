"""Per-key throttling at each partner's own rate (``Partner.throttle_rate``).

A fixed window per key, counted with one atomic ``incr`` in the shared cache (Redis when
configured, so every process counts together): constant cost however high a partner's
rate, where DRF's sliding log (``SimpleRateThrottle``) reads and writes a list with one
timestamp per request in the window. Windows start at whole multiples of the duration
(a "/minute" window at every minute), so ``Retry-After`` is the time left in the current
one. Like any fixed window it lets through at most twice the rate across a boundary.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.models import PartnerAPIKey

DEFAULT_RATE = "120/minute"


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/minute" → (120, 60), as DRF reads rates (the period's first letter counts)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period[:1]]


class PartnerKeyRateThrottle(BaseThrottle):
    scope = "partner-key"

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, PartnerAPIKey):
            return True  # only the public schema and docs are reached without a key
        allowed, duration = parse_rate(api_key.partner.throttle_rate or DEFAULT_RATE)
        now = time.time()
        window = int(now // duration)
        key = f"kb:throttle:{self.scope}:{api_key.prefix}:{duration}:{window}"
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request
            if cache.add(key, 1, timeout=duration + 1):
                count = 1
            else:  # another process opened it meanwhile
                count = cache.incr(key)
        if count is None or count <= allowed:  # a cache that is down counts nothing
            return True
        self.retry_after = (window + 1) * duration - now
        return False

    def wait(self) -> float | None:
        return None if self.retry_after is None else max(0, math.ceil(self.retry_after))
