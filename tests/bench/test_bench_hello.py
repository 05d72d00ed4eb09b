"""The benchmark's "hello" baseline exists only when the benchmark asks for it."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

import config.urls

HELLO = "/_bench/hello/"


@pytest.fixture
def load_urls(monkeypatch):
    """Re-read the URL configuration with ``BENCH_HELLO`` set or not; restored afterwards."""

    def load(*, hello: bool) -> None:
        if hello:
            monkeypatch.setenv("BENCH_HELLO", "1")
        else:
            monkeypatch.delenv("BENCH_HELLO", raising=False)
        importlib.reload(config.urls)
        clear_url_caches()

    yield load
    monkeypatch.delenv("BENCH_HELLO", raising=False)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_hello_is_not_served_by_default(client, load_urls):
    load_urls(hello=False)
    assert client.get(HELLO).status_code == 404


@pytest.mark.django_db
def test_hello_answers_through_the_whole_middleware_stack_when_asked_for(client, load_urls):
    load_urls(hello=True)
    response = client.get(HELLO)
    assert response.status_code == 200
    assert response.content == b"hello"
    # Set by the security and clickjacking middleware: the baseline pays for them too.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
