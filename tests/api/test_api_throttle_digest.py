"""The throttle's keyed hash of a subject is computed once per process, not per request:
it never changes for one secret, and every partner request needs it."""

from __future__ import annotations

import pytest
from django.utils.crypto import salted_hmac

from kb import ratelimit

pytestmark = pytest.mark.usefixtures("counts_in_cache")


@pytest.fixture
def hmacs(monkeypatch):
    ratelimit._digest.cache_clear()
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return salted_hmac(*args, **kwargs)

    monkeypatch.setattr(ratelimit, "salted_hmac", counted)
    return calls


def _hit(subject: str) -> ratelimit.Decision:
    return ratelimit.hit(scope="partner-key", subject=subject, limit=2, period=3600)


def test_repeated_hits_hash_their_subject_once(hmacs):
    decisions = [_hit("abc").allowed for _ in range(3)]
    assert decisions == [True, True, False]  # still counted on every request
    assert len(hmacs) == 1


def test_each_subject_and_secret_has_its_own_hash(hmacs, settings):
    _hit("abc")
    _hit("xyz")
    settings.SECRET_KEY = "another-secret-" * 4
    _hit("abc")
    assert len(hmacs) == 3
