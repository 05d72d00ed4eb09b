"""The public generation: one shared number that moves whenever public content may change.

Why: a warm public answer should not have to ask the database whether it is still right.
Every write to the models readers see (conditions, revisions, sections, reviews,
references, citations, codes, the public change log, search documents) bumps a counter in
the shared cache, immediately and again after the transaction commits. Answers computed
from the database are then cached under the generation they were computed in, so a warm
article, its 304, an API answer, the A–Z or a repeated search costs one cache read and no
query, and is right the instant a publication, withdrawal, rename or re-review commits —
in every process that shares the cache.

Two bumps, because either alone is wrong somewhere: a bump after commit alone never
happens inside a test's rolled-back transaction (or before a long transaction ends, for
the process that wrote), and a bump before commit alone lets another process cache the
old rows under the new generation. An entry filled between the two is discarded with the
generation the second bump leaves behind.

Time is the one change no write announces: a scheduled revision goes live at its
``published_at`` (see ``kb.selectors.published_revisions``). Each generation therefore
records the next go-live time after it began (shared, first writer wins); the first reader
at or past that instant bumps the generation, so nothing cached before a go-live is
served after it.

Only where the cache is shared by every process serving the site is this safe: the
``PUBLIC_GENERATION_CACHE`` setting is on by default with ``REDIS_URL`` (and in a single
process, such as ``runserver`` and the tests); with a local-memory cache under several
worker processes it must stay off, and every answer then asks the database as before.
Behind a read replica, entries filled by public reads (from the replica, which may still
show the old rows when the generation moves) are kept apart from those filled from the
primary and live at most ``PUBLIC_GENERATION_REPLICA_SECONDS``.

Bulk writes send no model signals, so the public models' querysets (``PublicQuerySet``)
bump on ``update``, ``bulk_create`` and ``bulk_update`` themselves.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from config.db_router import reads_from_replica

T = TypeVar("T")

KEY = "kb:public-generation"
#: The models whose rows never reach a reader: writing them must not flush public caches
#: (a flood of readers' reports would otherwise empty them).
NOT_PUBLIC = frozenset({"kb.feedback", "kb.notification"})
_NO_BOUNDARY = 0.0


_all_memos: list[LocalMemo] = []


class LocalMemo:
    """A small per-process LRU, optionally with a time to live per entry.

    In front of the shared cache, entries are named by generation (or by what they show),
    so they never need invalidating; bounding them keeps a worker's memory flat however
    many pages are read. ``clear_local`` empties every instance.
    """

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
            if expires and expires <= time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: float | None) -> None:
        expires = time.monotonic() + ttl if ttl else 0.0
        with self._lock:
            self._data[key] = (expires, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_memo = LocalMemo(size=2048)
_large = LocalMemo(size=32)
_boundaries: dict[int, float] = {}


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_GENERATION_CACHE", False))


def current() -> int | None:
    """The generation to name cached public answers by; None means "ask the database".

    One cache read when warm. Passing the generation's next go-live time bumps it.
    """
    if not enabled():
        return None
    generation = counter(KEY)
    if generation is None:
        return None
    boundary = _boundary(generation)
    if boundary and timezone.now().timestamp() >= boundary:
        bump()
        return None
    return generation


def _boundary(generation: int) -> float:
    """The first go-live time after ``generation`` began (0 if none); shared, memoised."""
    found = _boundaries.get(generation)
    if found is not None:
        return found
    key = f"{KEY}:next:{generation}"
    found = cache.get(key)
    if found is None:
        cache.add(key, _next_go_live(), timeout=None)  # outlives every entry of its generation
        found = cache.get(key, _NO_BOUNDARY)
    if len(_boundaries) > 64:
        _boundaries.clear()
    _boundaries[generation] = found
    return found


def _next_go_live() -> float:
    from django.db.models import Min

    from kb.models import Revision

    # The go-live of a scheduled revision is its published_at (its PublicChange, for the
    # partner feed, is written ahead with the same time).
    upcoming = Revision.objects.filter(
        scheduled_for__isnull=False, published_at__gt=timezone.now()
    ).aggregate(at=Min("published_at"))["at"]
    return upcoming.timestamp() if upcoming else _NO_BOUNDARY


def counter(key: str) -> int | None:
    """A shared counter's value (one cache read); None from a cache that keeps nothing."""
    read = getattr(cache, "get_counter", cache.get)
    value = read(key)
    if value is None:
        # First use, or the cache lost it: start from the clock so that numbers handed out
        # before (whose entries may survive) are never reused.
        cache.add(key, time.time_ns(), timeout=None)
        value = read(key)
    return value


def bump_counter(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (yet, or any more): the next reader starts one
        cache.add(key, time.time_ns(), timeout=None)


def bump() -> None:
    """Start a new generation: everything cached under older ones is never read again."""
    if enabled():
        bump_counter(KEY)


def changed() -> None:
    """Public content may have changed: bump now and again once the transaction commits."""
    bump()
    after_commit_once(bump)


def after_commit_once(func: Callable[[], None]) -> None:
    """``transaction.on_commit(func)``, unless ``func`` is already waiting for this commit:
    one bump after commit covers every write of the transaction."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(f is func for _, f, _ in connection.run_on_commit):
        return
    transaction.on_commit(func)


def cached(name: str, compute: Callable[[], T], *, large: bool = False) -> T:
    """``compute()``, cached under ``name`` in the current generation (not at all when off).

    A copy is kept in this process too, which saves even the shared cache read; ``large``
    values (a list page, the whole A–Z) go to a smaller store of their own.
    """
    memo = _large if large else _memo
    generation = current()
    if generation is None:
        return compute()
    ttl = None
    if reads_from_replica():
        # Filled from a replica, which may lag: kept apart from what the primary gave
        # (signed-in editors read the primary) and only briefly.
        name = f"replica:{name}"
        ttl = float(settings.PUBLIC_GENERATION_REPLICA_SECONDS)
    key = f"kb:gen:{generation}:{name}"
    if (value := memo.get(key)) is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is None:
            return value
        cache.set(key, value, timeout=ttl or settings.PAGE_CACHE_SECONDS)
    memo.set(key, value, ttl)
    return value


_kept = LocalMemo(size=256)


def kept_get(key: str) -> Any:
    """A value named by what it shows (e.g. a page under its ETag): this process's copy,
    else the shared cache's. Such a name never changes meaning, so no generation is needed
    and every edit elsewhere leaves it be."""
    value = _kept.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _kept.set(key, value, None)
    return value


def kept_set(key: str, value: Any) -> None:
    cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
    _kept.set(key, value, None)


def clear_local() -> None:
    """Forget this process's copies (tests that swap the cache or the clock use it)."""
    for memo in _all_memos:
        memo.clear()
    _boundaries.clear()


class PublicQuerySet(models.QuerySet):
    """The queryset of every public model: bulk writes bump the generation too."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        changed()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        changed()
        return created

    def bulk_update(self, objs, *args, **kwargs):
        count = super().bulk_update(objs, *args, **kwargs)
        changed()
        return count


def _on_write(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures load rows as they are: no signal-driven side effects
        return
    changed()


def connect() -> None:
    """Watch every public model (called from ``KbConfig.ready``)."""
    from django.apps import apps

    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label == "kb" and label not in NOT_PUBLIC:
            uid = f"kb.generation:{label}"
            post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _on_write, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
                )
