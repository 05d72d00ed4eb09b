"""The cache may make answers faster; it never decides them (I10).

Each test runs the site against its own redis-server and breaks it for real: stopped,
paused, restarted empty or from an older dump. Whatever the cache holds, readers and
partners get what the database says is live, and the desk keeps working.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Partner, PartnerAPIKey
from kb import workflow
from kb.caching import store
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

URL = "/conditions/cramp/"
API = "/api/v1/conditions/cramp/"


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Cramp trial")
    return make_live(
        author=author, reviewer=reviewer, slug="cramp", name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview",
                   "body": "Sudden tightening of a calf muscle [@smith2020]."}],
    )  # fmt: skip


@pytest.fixture
def api_client():
    from django.test import Client

    partner = Partner.objects.create(name="Fault partner")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def _warm(client, api_client) -> None:
    for _ in range(2):
        assert client.get(URL).status_code == 200
        assert api_client.get(API).status_code == 200
        assert client.get(reverse("kb:conditions")).status_code == 200


def test_a_cache_rolled_back_to_an_older_dump_never_resurrects_a_withdrawal(
    redis_server, client, api_client, live, publisher
):
    _warm(client, api_client)
    older = redis_server.snapshot()  # the cache as it was while the article was live
    workflow.withdraw(condition=live.condition, by=publisher, reason="Unsafe advice.")
    assert client.get(URL).status_code == 410
    redis_server.restart_from(older)  # e.g. a failover to a replica that is behind
    store.clear_local()  # and a fresh worker process
    assert client.get(URL).status_code == 410
    assert api_client.get(API).status_code == 410
    assert "/conditions/cramp/" not in client.get(reverse("kb:conditions")).content.decode()


def test_with_redis_stopped_pages_and_api_answer_from_the_database_and_withdrawal_works(
    redis_server, client, api_client, live, publisher
):
    _warm(client, api_client)
    redis_server.stop()
    store.clear_local()
    page = client.get(URL)
    assert page.status_code == 200 and "Sudden tightening" in page.content.decode()
    assert api_client.get(API).json()["name"] == "Cramp"
    client.force_login(publisher)
    assert client.get("/admin/").status_code == 200  # the desk keeps working
    workflow.withdraw(condition=live.condition, by=publisher, reason="Unsafe advice.")
    client.logout()
    assert client.get(URL).status_code == 410
    assert api_client.get(API).status_code == 410


def test_a_paused_redis_only_slows_answers(redis_server, client, api_client, live, publisher):
    _warm(client, api_client)
    store.clear_local()
    redis_server.pause(3000)
    page = client.get(URL)
    assert page.status_code == 200 and "Sudden tightening" in page.content.decode()
    workflow.withdraw(condition=live.condition, by=publisher, reason="Unsafe advice.")
    assert client.get(URL).status_code == 410
    assert api_client.get(API).status_code == 410


def test_the_site_recovers_by_itself_after_a_redis_restart(redis_server, client, api_client, live):
    _warm(client, api_client)
    redis_server.stop()
    redis_server.start()  # empty, on the same port: every pooled connection is dead
    store.clear_local()
    assert client.get(URL).status_code == 200
    assert api_client.get(API).status_code == 200
    store.clear_local()
    assert client.get(URL).status_code == 200  # and the cache is used again
    assert redis_server.client().dbsize() > 0


def test_every_cache_entry_expires(redis_server, client, api_client, live):
    _warm(client, api_client)
    client.get(reverse("kb:home"))
    client.get(reverse("kb:search") + "?q=calf")
    client.get(URL, HTTP_IF_NONE_MATCH='"nothing"')
    redis = redis_server.client()
    keys = redis.keys("*")
    assert keys
    assert all(redis.ttl(key) > 0 for key in keys), [k for k in keys if redis.ttl(k) <= 0]
