"""One rate limit for the whole site: reader reports and partner API keys.

Why one helper: reader reports (per reader address, ``FEEDBACK_RATE_PER_HOUR``) and partner
keys (per key prefix, at the partner's rate) used to count in two ways, each in the
process's own cache when Redis was absent. ``make serve`` and any deployment without Redis
run several processes, and a local-memory cache is per process, so each one granted the
whole allowance again. Both now call ``hit`` and count in one store shared by every
process:

- ``"cache"`` (``RATE_LIMIT_STORE`` when the default cache is Redis): one atomic ``INCR``
  per request with an ``EXPIRE`` at the window's end in the same round trip
  (``_hit_redis``); no table is touched.
- ``"database"`` (otherwise): one row per subject and window, ``kb.RateLimitCounter``.
  A request costs one ``UPDATE … SET count = count + 1 WHERE key = … AND count < limit``;
  the database applies it atomically (row lock on PostgreSQL, the write lock on SQLite),
  so concurrent processes never lose a count and never let one request too many
  through. The window's first request inserts the row; a concurrent insert of the same
  key fails on the primary key (``IntegrityError``, inside a savepoint) and that request
  falls back to the ``UPDATE``. Opening a window also deletes every expired row, so the
  table holds only current windows.

  Django's database cache backend was the alternative (a ``DatabaseCache`` alias), but
  its ``incr`` is a ``get`` then a ``set``: two processes reading the same count both
  write count + 1, so under concurrency it under-counts and lets requests past the
  limit; it also costs several queries per request and culls by counting the table. An
  exact count is the point here, so a small table and one ``UPDATE`` it is.

Windows are fixed and aligned (a one-hour window starts on the hour), so ``retry_after`` is
the time left in the current one; like any fixed window, up to twice the limit can pass
across a boundary. Subjects are stored only as a keyed hash (``salted_hmac``), so no
reader's address is kept.

The limit guards against abuse; it is not a gate the site depends on. If the store fails
(Redis down, a database error), ``hit`` logs a warning and lets the request through
rather than answering 500.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from kb.models import RateLimitCounter

logger = logging.getLogger(__name__)

STORES = ("cache", "database")


@dataclass(frozen=True)
class Decision:
    """What ``hit`` decided: allowed or not, and when the current window ends."""

    allowed: bool
    #: Whole seconds until the current window ends (the ``Retry-After`` of a refusal).
    retry_after: int


def hit(*, scope: str, subject: str, limit: int, period: int) -> Decision:
    """Count one request by ``subject`` in ``scope``: allowed while at most ``limit`` fall in
    the current ``period``-second window.

    ``scope`` names the limit (``"feedback"``, ``"api-key"``); ``subject`` is who is counted
    (a client address, a key prefix).
    """
    if limit < 1 or period < 1:
        raise ValueError("limit and period must be positive")
    store = settings.RATE_LIMIT_STORE
    if store not in STORES:
        raise ValueError(f"RATE_LIMIT_STORE must be one of {STORES}, not {store!r}")
    now = time.time()
    window = int(now // period)
    ends = (window + 1) * period
    digest = _digest(secret=settings.SECRET_KEY, scope=scope, subject=subject)
    key = f"{scope}:{period}:{window}:{digest}"
    try:
        if store == "cache":
            allowed = _hit_cache(key=key, limit=limit, timeout=ends - now + 1)
        else:
            allowed = _hit_database(key=key, limit=limit, now=now, ends=ends)
    except Exception:
        logger.warning(
            "Rate-limit store %r failed; letting the %s request through.",
            store,
            scope,
            exc_info=True,
        )
        allowed = True
    retry_after = max(0, math.ceil(ends - now))
    return Decision(allowed=allowed, retry_after=retry_after)


@functools.lru_cache(maxsize=4096)
def _digest(*, secret: str, scope: str, subject: str) -> str:
    """The subject's keyed hash, computed once per process and secret.

    Why kept: it never changes for one secret, and deriving the HMAC key and hashing cost
    every partner request a few microseconds; the bound keeps a flood of reader addresses
    from growing it.
    """
    return salted_hmac("kb.ratelimit", f"{scope}\x00{subject}", secret=secret).hexdigest()[:32]


class _StoreUnavailable(Exception):
    """The cache answered nothing (django-redis with ``IGNORE_EXCEPTIONS`` returns None)."""


def _hit_cache(*, key: str, limit: int, timeout: float) -> bool:
    key = f"kb:ratelimit:{key}"
    if (client := _redis_client()) is not None:
        return _hit_redis(client=client, key=cache.make_key(key), limit=limit, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request
        if cache.add(key, 1, timeout=math.ceil(timeout)):
            return True
        count = cache.incr(key)  # another process opened it meanwhile
    if count is None:
        raise _StoreUnavailable(key)
    return count <= limit


def _redis_client():
    """The Redis client behind django-redis, or None for any other cache backend."""
    backend = getattr(cache, "client", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(write=True) if callable(get_client) else None


def _hit_redis(*, client, key: str, limit: int, timeout: float) -> bool:
    """Count in the window and (re)set its expiry: one round trip, two plain commands.

    Why not ``cache.incr``: django-redis runs it as a Lua script (``EVAL``), which costs
    the server and the client several times a plain ``INCR``, on every partner request.
    ``INCR`` opens the window at 1 or counts in it; ``EXPIRE`` then sets the window's end
    (plus a second) as its expiry. Setting it on every request rather than once keeps a
    window from ever outliving its end, whatever happened between the two commands (a
    paused Redis), and needs no transaction. Errors propagate to ``hit``, which lets the
    request through: the raw client does not ignore them as django-redis's
    ``IGNORE_EXCEPTIONS`` does.
    """
    pool = client.connection_pool
    connection = pool.get_connection()
    # Both commands written at once on a pooled connection: what a pipeline sends, without
    # building one per request. A dropped connection is reopened and the pair sent again,
    # as the client's own retry policy does for any command.
    packed = connection.pack_commands([("INCR", key), ("EXPIRE", key, math.ceil(timeout))])

    def send():
        connection.send_packed_command(packed)
        count = connection.read_response()
        connection.read_response()
        return count

    try:
        count = connection.retry.call_with_retry(send, lambda error: connection.disconnect())
    except BaseException:
        connection.disconnect()  # an answer may be left unread: never reuse the connection
        raise
    finally:
        pool.release(connection)
    return int(count) <= limit


def _hit_database(*, key: str, limit: int, now: float, ends: float) -> bool:
    counters = RateLimitCounter.objects.filter(key=key, count__lt=limit)
    if counters.update(count=F("count") + 1):
        return True
    current = _current(key=key)
    if current is not None:  # the window is open: used up, or opened since the UPDATE
        return current < limit and bool(counters.update(count=F("count") + 1))
    expires_at = dt.datetime.fromtimestamp(ends, tz=dt.UTC)
    try:
        with transaction.atomic():
            RateLimitCounter.objects.bulk_create(
                [RateLimitCounter(key=key, count=1, expires_at=expires_at)]
            )
    except IntegrityError:  # another process opened the window meanwhile
        return bool(counters.update(count=F("count") + 1))
    _delete_expired(now=now)
    return True


def _current(*, key: str) -> int | None:
    # From the primary, where the counts are written (never a lagging replica).
    counters = RateLimitCounter.objects.db_manager(DEFAULT_DB_ALIAS)
    return counters.filter(key=key).values_list("count", flat=True).first()


def _delete_expired(*, now: float) -> None:
    """Delete every window that has ended (one statement, no rows loaded)."""
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    column = connection.ops.quote_name("expires_at")
    moment = connection.ops.adapt_datetimefield_value(dt.datetime.fromtimestamp(now, tz=dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} <= %s", [moment])  # noqa: S608
