"""Fixtures for the partner API: a partner with a key, and a client that sends it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Partner, PartnerAPIKey


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="North Clinic", contact_email="web@north.example")


@pytest.fixture
def api_key(partner):
    """The plain key (shown once); its stored record is ``PartnerAPIKey``."""
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    return key


class KeyedClient(Client):
    """A test client that sends ``Authorization: Api-Key <key>`` on every request."""

    def __init__(self, key: str, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Api-Key {key}", **kwargs)


@pytest.fixture
def api(api_key):
    return KeyedClient(api_key)
