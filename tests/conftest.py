"""Shared fixtures: one user per role, and a superuser."""

from __future__ import annotations

import pytest

from accounts.roles import AUTHOR, MEDICAL_REVIEWER, PUBLISHER
from tests.factories import UserFactory
from tests.webhook_receiver import Receiver


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with empty caches (the shared one and this process's copies)."""
    from django.core.cache import cache

    from kb.caching import store

    cache.clear()
    store.clear_local()
    yield
    cache.clear()
    store.clear_local()


@pytest.fixture(autouse=True)
def _site_url(settings):
    """Absolute links at a fixed address, as a deployment sets it (``SITE_URL``). Without
    it they would follow each request's host (tests/api/test_site_url_from_request.py)."""
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def counts_in_cache(settings):
    """Rate-limit counts in the cache, as with Redis in production: query budgets then
    measure the answer alone (the database store's one UPDATE per request is covered in
    tests/hardening/test_rate_limits.py)."""
    settings.RATE_LIMIT_STORE = "cache"


@pytest.fixture
def author(db):
    return UserFactory(username="alice", display_name="Alice Author", role=AUTHOR)


@pytest.fixture
def author2(db):
    return UserFactory(username="arthur", display_name="Arthur Author", role=AUTHOR)


@pytest.fixture
def reviewer(db):
    return UserFactory(
        username="rita",
        display_name="Dr Rita Reviewer",
        credentials="MD, consultant neurologist",
        role=MEDICAL_REVIEWER,
    )


@pytest.fixture
def reviewer2(db):
    return UserFactory(username="ravi", display_name="Dr Ravi Second", role=MEDICAL_REVIEWER)


@pytest.fixture
def publisher(db):
    return UserFactory(username="paula", display_name="Paula Publisher", role=PUBLISHER)


@pytest.fixture
def nobody(db):
    return UserFactory(username="nora", display_name="Nora Nobody")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def receiver(settings):
    """A local webhook receiver, with the settings that let deliveries reach loopback over http."""
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = True
    settings.KB_WEBHOOKS_ALLOW_HTTP = True
    server = Receiver()
    yield server
    server.close()
