"""Fixtures for the trust tests: a redis-server of their own, a partner key, cold reads."""

import pytest
from django.core.cache import cache

from kb.caching import store
from tests.trust.redis_server import redis_server  # noqa: F401  (a fixture for this folder)


@pytest.fixture
def api_key(db):
    """A partner's key, as the headers that send it."""
    from accounts.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def cold_get(client, path: str, **headers):
    """GET ``path`` with every cache emptied first (a never-seen answer); must be 200."""
    store.clear_local()
    cache.clear()
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response
