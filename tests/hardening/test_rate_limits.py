"""One rate limit (kb/ratelimit.py) for reader reports and partner keys.

Reader reports count per reader address (``client_ip``, honouring ``TRUSTED_PROXY_COUNT``),
partner keys per key at the partner's rate. Without Redis the counts live in the database,
so separate processes (each with its own local-memory cache) still count together; with
Redis they live in it. A store that fails lets the request through.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection, connections
from django.test import Client

from accounts.models import Partner, PartnerAPIKey
from kb import ratelimit
from kb.models import Feedback, RateLimitCounter
from tests.factories import make_live

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REPORT = "/conditions/cramp/report/"
DATA = {"message": "Something is not right here."}
PROXY = "10.0.0.1"


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")


def behind_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def in_process(settings, name: str) -> None:
    """Switch to another process's own local-memory cache (as a second gunicorn worker)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    }


class DownCache(LocMemCache):
    """A cache whose counting calls raise, as Django's Redis cache does when Redis errors
    (pages are still read and written: the rest of the site is not under test here)."""

    def _down(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    add = incr = _down


class SilentCache(LocMemCache):
    """django-redis with IGNORE_EXCEPTIONS and the server down: every call answers None."""

    def add(self, *args, **kwargs):
        return None

    def incr(self, *args, **kwargs):
        return None


# --- reader reports: whose address counts ----------------------------------------------------


def test_readers_behind_one_proxy_each_get_their_own_allowance(live, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FEEDBACK_RATE_PER_HOUR = 2
    first, second = behind_proxy("203.0.113.5"), behind_proxy("203.0.113.6")
    assert [first.post(REPORT, DATA).status_code for _ in range(3)] == [302, 302, 429]
    assert [second.post(REPORT, DATA).status_code for _ in range(3)] == [302, 302, 429]
    assert Feedback.objects.count() == 4


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (0, ["203.0.113.5", "203.0.113.6", "203.0.113.7"]),  # no proxy: the header is forged
        (1, ["1.1.1.1, 203.0.113.5", "2.2.2.2, 203.0.113.5", "3.3.3.3, 203.0.113.5"]),
    ],
)
def test_a_forged_forwarded_for_buys_no_new_allowance(live, settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.FEEDBACK_RATE_PER_HOUR = 2
    with time_machine.travel("2025-03-01T12:15:00Z", tick=False):
        statuses = [behind_proxy(f).post(REPORT, DATA) for f in forwarded]
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert statuses[-1]["Retry-After"] == "2700"  # the hour's window ends at 13:00
    assert Feedback.objects.count() == 2


# --- one count across processes without Redis ---------------------------------------------


def test_two_processes_share_one_report_count_without_redis(live, settings):
    assert settings.RATE_LIMIT_STORE == "database"  # no Redis configured in the tests
    settings.FEEDBACK_RATE_PER_HOUR = 2
    reader = Client(REMOTE_ADDR="198.51.100.7")
    in_process(settings, "worker-1")
    assert reader.post(REPORT, DATA).status_code == 302
    in_process(settings, "worker-2")
    assert reader.post(REPORT, DATA).status_code == 302
    in_process(settings, "worker-1")
    assert reader.post(REPORT, DATA).status_code == 429
    in_process(settings, "worker-2")
    assert reader.post(REPORT, DATA).status_code == 429
    assert Feedback.objects.count() == 2


def test_two_processes_share_one_key_count_and_say_when_to_retry(live, settings):
    partner = Partner.objects.create(name="Two workers", throttle_rate="2/minute")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    with time_machine.travel("2025-03-01T12:00:15Z", tick=False):
        statuses = []
        for worker in ("worker-1", "worker-2", "worker-1"):
            in_process(settings, worker)
            statuses.append(api.get("/api/v1/changes/"))
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[-1].json()["code"] == "throttled"
    assert statuses[-1]["Retry-After"] == "45"


def test_with_redis_the_counts_live_in_the_cache(live, settings):
    settings.RATE_LIMIT_STORE = "cache"  # what settings choose when the cache is Redis
    settings.FEEDBACK_RATE_PER_HOUR = 1
    reader = Client(REMOTE_ADDR="198.51.100.7")
    assert [reader.post(REPORT, DATA).status_code for _ in range(2)] == [302, 429]
    assert not RateLimitCounter.objects.exists()


@pytest.mark.parametrize(
    ("env", "store"),
    [({}, "database"), ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "cache")],
)
def test_settings_count_in_redis_when_configured_else_in_the_database(env, store):
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.RATE_LIMIT_STORE)"],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == store


# --- the database store ---------------------------------------------------------------------


def test_the_database_store_costs_one_update_per_counted_request(django_assert_num_queries):
    hit = {"scope": "test", "subject": "s", "limit": 3, "period": 60}
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        assert ratelimit.hit(**hit).allowed  # opens the window
        with django_assert_num_queries(1):
            assert ratelimit.hit(**hit).allowed
        assert ratelimit.hit(**hit).allowed
        refused = ratelimit.hit(**hit)
    assert not refused.allowed and refused.retry_after == 60
    assert RateLimitCounter.objects.get().count == 3


def test_a_new_window_deletes_the_expired_ones():
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        for subject in ("a", "b"):
            ratelimit.hit(scope="test", subject=subject, limit=5, period=3600)
    assert RateLimitCounter.objects.count() == 2
    with time_machine.travel("2025-03-01T12:59:59Z", tick=False):
        ratelimit.hit(scope="test", subject="c", limit=5, period=60)
    assert RateLimitCounter.objects.count() == 3  # the hour's windows have not ended yet
    with time_machine.travel("2025-03-01T13:00:30Z", tick=False):
        assert ratelimit.hit(scope="test", subject="a", limit=5, period=3600).allowed
    (left,) = RateLimitCounter.objects.all()
    assert left.count == 1
    assert left.expires_at == dt.datetime(2025, 3, 1, 14, tzinfo=dt.UTC)


def test_a_window_opened_by_another_process_meanwhile_is_counted_in(monkeypatch):
    """Another process inserts the window's row between this one's SELECT and INSERT: the
    INSERT fails on the key (IntegrityError) and the request counts by UPDATE instead."""
    hit = {"scope": "test", "subject": "s", "limit": 2, "period": 60}
    real_current = ratelimit._current

    def other_process_opens_it(*, key):
        found = real_current(key=key)
        expires_at = dt.datetime(2025, 3, 1, 12, 1, tzinfo=dt.UTC)
        RateLimitCounter.objects.bulk_create(
            [RateLimitCounter(key=key, count=1, expires_at=expires_at)]
        )
        return found

    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        monkeypatch.setattr(ratelimit, "_current", other_process_opens_it)
        assert ratelimit.hit(**hit).allowed
        monkeypatch.undo()
        assert not ratelimit.hit(**hit).allowed
    assert RateLimitCounter.objects.get().count == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_processes_never_count_past_the_limit():
    """Many connections opening and filling one window at once: exactly ``limit`` pass."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL")
    hit = {"scope": "test", "subject": "s", "limit": 17, "period": 3600}
    start, results = threading.Barrier(8), []

    def worker():
        try:
            start.wait()
            results.extend(ratelimit.hit(**hit).allowed for _ in range(5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):  # one window for all
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 40 and results.count(True) == 17
    assert RateLimitCounter.objects.get().count == 17


# --- a failing store lets the request through -------------------------------------------


def test_reports_go_through_when_the_cache_server_is_down(live, settings, caplog):
    settings.RATE_LIMIT_STORE = "cache"
    settings.FEEDBACK_RATE_PER_HOUR = 1
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.DownCache"}}
    reader = Client(REMOTE_ADDR="198.51.100.7")
    assert [reader.post(REPORT, DATA).status_code for _ in range(2)] == [302, 302]
    assert Feedback.objects.count() == 2
    assert "Rate-limit store 'cache' failed" in caplog.text


def test_a_cache_that_answers_nothing_lets_the_request_through(settings, caplog):
    settings.RATE_LIMIT_STORE = "cache"
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.SilentCache"}}
    for _ in range(3):
        assert ratelimit.hit(scope="test", subject="s", limit=1, period=60).allowed
    assert "Rate-limit store 'cache' failed" in caplog.text


def test_a_database_error_lets_the_request_through(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(RateLimitCounter.objects, "filter", broken)
    assert ratelimit.hit(scope="test", subject="s", limit=1, period=60).allowed
    assert "Rate-limit store 'database' failed" in caplog.text
