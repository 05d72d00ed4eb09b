"""Partner throttling against a real redis-server: it counts, refuses with 429 and
``Retry-After`` past the rate, costs plain commands (no Lua), and never stops the API
when Redis is stopped or paused (``kb.ratelimit``)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from accounts.models import Partner, PartnerAPIKey
from kb.caching import store
from tests.factories import make_live

pytestmark = pytest.mark.django_db

API = "/api/v1/conditions/cramp/"
MOMENT = "2025-03-01T12:00:15Z"  # 45 s before the minute's window ends


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")


@pytest.fixture
def counted(redis_server, settings):
    """Counts in Redis, as settings choose when the cache is Redis."""
    settings.RATE_LIMIT_STORE = "cache"
    return redis_server


def partner_client(rate: str) -> Client:
    partner = Partner.objects.create(name=f"Partner {rate}", throttle_rate=rate)
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def counters(server) -> dict[str, int]:
    """The rate-limit keys in Redis and their time to live."""
    redis = server.client()
    return {k.decode(): redis.ttl(k) for k in redis.keys("*kb:ratelimit:*")}


def test_with_redis_up_the_key_is_counted_and_refused_past_its_rate(counted, live):
    api = partner_client("3/minute")
    with time_machine.travel(MOMENT, tick=False):
        answers = [api.get(API) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert answers[-1]["Retry-After"] == "45"
    [(key, ttl)] = counters(counted).items()
    assert int(counted.client().get(key)) == 5
    assert 0 < ttl <= 46  # the window expires with its minute (and a second's margin)


def test_a_new_window_counts_afresh(counted, live):
    api = partner_client("2/minute")
    with time_machine.travel(MOMENT, tick=False):
        assert [api.get(API).status_code for _ in range(3)] == [200, 200, 429]
    with time_machine.travel("2025-03-01T12:01:01Z", tick=False):
        assert [api.get(API).status_code for _ in range(3)] == [200, 200, 429]
    assert sorted(int(counted.client().get(k)) for k in counters(counted)) == [3, 3]


def test_counting_costs_plain_commands_not_a_lua_script(counted, live):
    api = partner_client("1000/second")
    counted.client().config_resetstat()
    for _ in range(3):
        assert api.get(API).status_code == 200
    stats = counted.client().info("commandstats")
    counts = [stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("incr", "incrby")]
    assert sum(counts) == 3
    assert "cmdstat_eval" not in stats and "cmdstat_evalsha" not in stats


def test_with_redis_stopped_the_api_answers_and_the_failure_is_logged(counted, live, caplog):
    api = partner_client("1/minute")
    assert api.get(API).status_code == 200
    counted.stop()
    store.clear_local()
    answers = [api.get(API) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].json()["name"] == "Cramp"
    assert "Rate-limit store 'cache' failed" in caplog.text


def test_with_redis_paused_the_api_still_answers(counted, live):
    api = partner_client("1000/second")
    assert api.get(API).status_code == 200
    store.clear_local()
    counted.pause(2000)
    assert api.get(API).status_code == 200


def test_counting_builds_no_pipeline(counted, live, monkeypatch):
    """Two commands written at once on a pooled connection: no pipeline object per request."""
    import redis.client

    built = []
    monkeypatch.setattr(
        redis.client.Pipeline, "execute", lambda self, *a, **k: built.append(self) or []
    )
    api = partner_client("1000/minute")
    with time_machine.travel(MOMENT, tick=False):
        for _ in range(3):
            assert api.get(API).status_code == 200
    assert built == []
    [(key, ttl)] = counters(counted).items()
    assert int(counted.client().get(key)) == 3 and ttl > 0


def test_after_a_redis_restart_the_next_request_is_counted(counted, live):
    """The pooled connection died with the server: it is reopened and the request counted."""
    api = partner_client("1000/minute")
    with time_machine.travel(MOMENT, tick=False):
        assert api.get(API).status_code == 200
        counted.stop()
        counted.start()
        before = {key: int(counted.client().get(key) or 0) for key in counters(counted)}
        assert api.get(API).status_code == 200
    after = {key: int(counted.client().get(key)) for key in counters(counted)}
    assert sum(after.values()) == sum(before.values()) + 1
