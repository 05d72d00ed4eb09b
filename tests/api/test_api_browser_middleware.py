"""Partner API requests skip the signed-in user and message middleware: a key-authenticated
answer uses neither, and each costs work on every request. Pages keep both; sessions and
CSRF run everywhere (the deployment checks look for them by name)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware

from tests.factories import make_live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counts_in_cache")]

BROWSER_ONLY = (AuthenticationMiddleware, MessageMiddleware)


def _calls(client, url: str, **headers) -> tuple[int, dict[str, int]]:
    spies = {
        cls.__name__: mock.patch.object(
            cls, "process_request", autospec=True, side_effect=cls.process_request
        )
        for cls in BROWSER_ONLY
    }
    started = {name: patcher.start() for name, patcher in spies.items()}
    try:
        status = client.get(url, headers=headers).status_code
    finally:
        for patcher in spies.values():
            patcher.stop()
    return status, {name: spy.call_count for name, spy in started.items()}


def test_a_partner_api_answer_runs_no_browser_session_middleware(api, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="quiet", name="Quiet")
    api.get("/api/v1/conditions/quiet/")
    status, calls = _calls(api, "/api/v1/conditions/quiet/")
    assert status == 200
    assert calls == {cls.__name__: 0 for cls in BROWSER_ONLY}


def test_a_refused_partner_api_request_runs_none_either(client):
    status, calls = _calls(client, "/api/v1/conditions/")
    assert status == 401
    assert calls == {cls.__name__: 0 for cls in BROWSER_ONLY}


def test_pages_keep_every_browser_session_middleware(client, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="page", name="Page")
    status, calls = _calls(client, "/conditions/page/")
    assert status == 200
    assert calls == {cls.__name__: 1 for cls in BROWSER_ONLY}


def test_the_settings_still_name_the_middleware_django_checks_for():
    """The admin's and the CSRF checks look for these classes (or subclasses)."""
    from django.core import checks

    errors = [e for e in checks.run_checks() if e.level >= checks.ERROR]
    assert errors == []
    deployment = {e.id for e in checks.run_checks(include_deployment_checks=True)}
    # Django finds CsrfViewMiddleware and SessionMiddleware by their exact names.
    assert not deployment & {"security.W003", "security.W010", "security.W011"}


@pytest.mark.parametrize(
    ("path", "passes"),
    [("/api", True), ("/api/v1/conditions/", True), ("/api/v2/x", True),
     ("/apiary/", False), ("/conditions/api/", False), ("/", False)],
)  # fmt: skip
def test_only_the_api_addresses_pass_by(rf, path, passes):
    from config.browser_middleware import is_partner_api

    assert is_partner_api(rf.get(path)) is passes
