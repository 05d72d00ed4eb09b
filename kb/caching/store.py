"""One store for every cached public answer.

Two kinds of names, and nothing else:

- ``fresh(name, compute)``: an answer that depends on what is live (a page's validators,
  a list page, the A–Z, search results). Its key carries the publication state read from
  the database for this request (``kb.caching.state``), so it is never read in another
  state.
- ``named(name, compute)``: an answer whose name says everything it shows (an article
  rendered under its ETag, an approved revision's sections by revision id). Such a name
  never changes meaning, so no state is needed.

Every key also carries the database's identity (two databases behind one cache never
share an entry), ``kb.renditions.RENDERER`` (a deployment that changes how pages are
rendered or dated never serves what the old code rendered) and ``KB_CACHE_VERSION``
(raise it when what is cached changes shape);
every entry expires after ``KB_CACHE_SECONDS``. A bounded copy is kept in this process in
front of the shared cache. The shared cache is optional: Redis errors are ignored by the
client (django-redis with ``IGNORE_EXCEPTIONS`` and short socket timeouts), so with Redis
stopped or paused an answer is computed from the database, only slower.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from kb.caching.state import current

T = TypeVar("T")

_all_memos: list[LocalMemo] = []


class LocalMemo:
    """A small per-process LRU whose entries expire (``clear_local`` empties them all)."""

    def __init__(self, size: int) -> None:
        self.size = size
        _all_memos.append(self)
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: float) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_small = LocalMemo(size=2048)
_large = LocalMemo(size=32)


def _prefix() -> str:
    from kb import site_url
    from kb.renditions import RENDERER

    prefix = f"kb:{settings.KB_CACHE_VERSION}:{RENDERER[:12]}:{current().database_id}"
    if site_url.from_request():
        # Development without SITE_URL: absolute links follow the request's host.
        prefix += f":{hashlib.sha256(site_url.base().encode()).hexdigest()[:12]}"
    return prefix


def _through(key: str, compute: Callable[[], T], *, large: bool, keep: Callable[[T], bool]) -> T:
    memo = _large if large else _small
    if (value := memo.get(key)) is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is None or not keep(value):
            return value
        cache.set(key, value, timeout=settings.KB_CACHE_SECONDS)
    memo.set(key, value, settings.KB_CACHE_SECONDS)
    return value


def _always(value: Any) -> bool:
    return True


def fresh(name: str, compute: Callable[[], T], *, large: bool = False) -> T:
    """``compute()``, cached under the database's current publication state.

    ``large`` values (a list page, the whole A–Z) go to a smaller per-process store.
    None is never cached.
    """
    state = current()
    return _through(f"{_prefix()}:p{state.tag}:{name}", compute, large=large, keep=_always)


def named(name: str, compute: Callable[[], T], *, keep: Callable[[T], bool] = _always) -> T:
    """``compute()``, cached under a name that says what it shows; kept only if ``keep``."""
    return _through(f"{_prefix()}:n:{name}", compute, large=False, keep=keep)


def clear_local() -> None:
    """Forget this process's copies (tests that swap the cache or the clock use it)."""
    for memo in _all_memos:
        memo.clear()
