"""Desk sign-in is locked after repeated wrong passwords, through the real /admin/login/ form.

Five wrong passwords for one username from one address lock that pair for fifteen minutes:
even the right password is refused, other users and other addresses are not, and
``manage.py axes_reset`` unlocks at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # what UserFactory sets


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", display_name="Eve Editor")


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", display_name="Carl Colleague")


def sign_in(client: Client, username: str, password: str):
    """Fill in and post the desk's sign-in form, as a browser does (CSRF token included)."""
    form = client.get("/admin/login/?next=/admin/")
    assert form.status_code == 200
    data = {
        "username": username,
        "password": password,
        "next": "/admin/",
        "csrfmiddlewaretoken": str(form.context["csrf_token"]),
    }
    return client.post("/admin/login/", data)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(client: Client, username: str, times: int):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password-guess")
    return response


def browser(address: str = "203.0.113.7") -> Client:
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)


def test_four_failures_still_let_the_right_password_in(editor):
    client = browser()
    assert fail(client, "editor", 4).status_code == 200
    assert signed_in(sign_in(client, "editor", PASSWORD))


def test_five_failures_lock_even_the_right_password_out(editor):
    client = browser()
    for _ in range(4):
        assert sign_in(client, "editor", "wrong-password-guess").status_code == 200
    locked = sign_in(client, "editor", "wrong-password-guess")
    assert locked.status_code == 429
    right = sign_in(browser(), "editor", PASSWORD)
    assert right.status_code == 429


def test_the_lockout_page_says_when_to_try_again_and_whom_to_ask(editor, settings):
    settings.KB_DESK_CONTACT_EMAIL = "desk-admin@example.org"
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        response = fail(browser(), "editor", 5)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Content-Security-Policy" in response
    html = response.content.decode()
    assert "paused after 5 wrong passwords" in html
    assert '<time datetime="2026-03-02T10:15:00+00:00">10:15</time>' in html
    assert "15 minutes from now" in html
    assert 'href="mailto:desk-admin@example.org"' in html
    assert "unlock the account" in html


def test_other_users_and_other_addresses_are_unaffected(editor, colleague):
    fail(browser("203.0.113.7"), "editor", 5)
    assert sign_in(browser("203.0.113.7"), "editor", PASSWORD).status_code == 429
    assert signed_in(sign_in(browser("203.0.113.7"), "colleague", PASSWORD))
    assert signed_in(sign_in(browser("198.51.100.4"), "editor", PASSWORD))


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(editor):
    for i in range(5):
        client = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}")
        response = sign_in(client, "editor", "wrong-password-guess")
    assert response.status_code == 429
    forged = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert sign_in(forged, "editor", PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cool_off(editor):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(browser(), "editor", 5)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert sign_in(browser(), "editor", PASSWORD).status_code == 429
    # The refused attempt at minute 14 restarted the wait.
    with time_machine.travel(start + dt.timedelta(minutes=28), tick=False):
        assert sign_in(browser(), "editor", PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=44), tick=False):
        assert signed_in(sign_in(browser(), "editor", PASSWORD))


def test_axes_reset_unlocks_at_once(editor):
    fail(browser(), "editor", 5)
    assert sign_in(browser(), "editor", PASSWORD).status_code == 429
    call_command("axes_reset")
    assert signed_in(sign_in(browser(), "editor", PASSWORD))


def test_a_successful_sign_in_clears_earlier_failures(editor):
    client = browser()
    fail(client, "editor", 4)
    assert signed_in(sign_in(client, "editor", PASSWORD))
    other = browser()
    assert fail(other, "editor", 4).status_code == 200
    assert signed_in(sign_in(other, "editor", PASSWORD))
