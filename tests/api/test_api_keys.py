"""Partners and keys: the key lifecycle through the management command and the editorial
desk, 401 versus 403, last-used stamps, and per-key throttling."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Partner, PartnerAPIKey
from tests.api.conftest import KeyedClient
from tests.factories import make_live

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/conditions/", "/api/v1/conditions/live/", "/api/v1/changes/"]


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="live", name="Live")


def create_key(*args: str) -> tuple[str, str]:
    out = io.StringIO()
    call_command("create_partner_key", *args, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    return text, text.strip().splitlines()[-1]


def test_key_lifecycle_create_use_revoke_refused(client, live):
    text, key = create_key("Hill Charity", "--email", "web@hill.example")
    partner = Partner.objects.get(name="Hill Charity")
    assert partner.contact_email == "web@hill.example"
    assert partner.throttle_rate == "120/minute"
    assert "Created partner" in text
    stored = PartnerAPIKey.objects.get(partner=partner)
    assert key not in stored.hashed_key and stored.is_valid(key)  # hashed at rest

    keyed = KeyedClient(key)
    for url in ENDPOINTS:
        assert keyed.get(url).status_code == 200

    stored.revoked = True
    stored.save()
    for url in ENDPOINTS:
        response = keyed.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_api_key"
        assert response["WWW-Authenticate"] == "Api-Key"


def test_command_reuses_an_existing_partner_and_adds_a_key(partner):
    text, key = create_key(partner.name, "--key-name", "staging")
    assert "Created partner" not in text
    assert Partner.objects.count() == 1
    assert partner.api_keys.get(name="staging").prefix == key.split(".")[0]


def test_command_refuses_a_bad_rate():
    with pytest.raises(CommandError):
        create_key("Fast Partner", "--rate", "lots")
    assert not Partner.objects.filter(name="Fast Partner").exists()


def test_no_key_is_401_with_www_authenticate(client, live):
    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Api-Key"
        assert response.json() == {
            "detail": "Authentication credentials were not provided.",
            "code": "not_authenticated",
        }


@pytest.mark.parametrize(
    "header",
    ["Api-Key nonsense", "Api-Key abc.def", "Api-Key ", "Bearer something", "Api-Key a.b\x00"],
)
def test_unknown_or_malformed_key_is_401(client, live, api_key, header):
    response = client.get("/api/v1/conditions/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert set(response.json()) == {"detail", "code"}


def test_tampered_key_is_401(client, api_key, live):
    prefix, secret = api_key.split(".")
    response = KeyedClient(f"{prefix}.{secret[::-1]}").get("/api/v1/conditions/")
    assert response.status_code == 401


def test_expired_key_is_401(partner, live):
    _, key = PartnerAPIKey.objects.create_key(
        partner=partner, name="old", expiry_date=timezone.now() - dt.timedelta(days=1)
    )
    assert KeyedClient(key).get("/api/v1/conditions/").status_code == 401


def test_inactive_partner_is_403_for_every_key(partner, api_key, live):
    partner.active = False
    partner.save()
    for url in ENDPOINTS:
        response = KeyedClient(api_key).get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "partner_inactive"
    partner.active = True
    partner.save()
    assert KeyedClient(api_key).get(ENDPOINTS[0]).status_code == 200


def test_last_used_is_recorded_at_most_once_a_minute(api, api_key, live):
    stored = PartnerAPIKey.objects.get()
    assert stored.last_used_at is None
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        api.get("/api/v1/conditions/")
    stored.refresh_from_db()
    assert stored.last_used_at == dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel("2025-03-01T12:00:30Z", tick=False):
        api.get("/api/v1/conditions/")
    stored.refresh_from_db()
    assert stored.last_used_at == dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


@pytest.mark.usefixtures("counts_in_cache")
def test_recording_use_writes_once_per_minute(api, live, django_assert_num_queries):
    api.get("/api/v1/changes/")
    with django_assert_num_queries(3):  # state, count, page (the key is known): no UPDATE
        api.get("/api/v1/changes/")


def test_throttle_uses_the_partners_rate_and_says_when_to_retry(partner, api_key, live):
    partner.throttle_rate = "3/minute"
    partner.save()
    keyed = KeyedClient(api_key)
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        assert [keyed.get("/api/v1/conditions/").status_code for _ in range(3)] == [200] * 3
        response = keyed.get("/api/v1/conditions/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response["Retry-After"] == "60"
    with time_machine.travel("2025-03-01T12:00:40Z", tick=False):
        response = keyed.get("/api/v1/conditions/")
    assert response.status_code == 429
    assert response["Retry-After"] == "20"
    with time_machine.travel("2025-03-01T12:01:01Z", tick=False):
        assert keyed.get("/api/v1/conditions/").status_code == 200


def test_throttle_is_per_key(partner, api_key, live):
    partner.throttle_rate = "1/minute"
    partner.save()
    _, other = PartnerAPIKey.objects.create_key(partner=partner, name="second")
    assert KeyedClient(api_key).get("/api/v1/changes/").status_code == 200
    assert KeyedClient(api_key).get("/api/v1/changes/").status_code == 429
    assert KeyedClient(other).get("/api/v1/changes/").status_code == 200


def test_default_rate_is_120_a_minute(api, live):
    with time_machine.travel("2025-03-01T12:00:00Z", tick=False):
        statuses = [api.get("/api/v1/changes/").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429


# --- the editorial desk -------------------------------------------------------------------


def test_publisher_issues_a_key_in_admin_and_sees_it_once(client, publisher, partner):
    client.force_login(publisher)
    url = f"/admin/accounts/partner/{partner.pk}/change/"
    form = {
        "name": partner.name,
        "contact_email": partner.contact_email,
        "active": "on",
        "throttle_rate": "120/minute",
        "api_keys-TOTAL_FORMS": "1",
        "api_keys-INITIAL_FORMS": "0",
        "api_keys-MIN_NUM_FORMS": "0",
        "api_keys-MAX_NUM_FORMS": "1000",
        "api_keys-0-name": "portal",
        "api_keys-0-expiry_date_0": "",
        "api_keys-0-expiry_date_1": "",
        "api_keys-0-partner": str(partner.pk),
    }
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    stored = partner.api_keys.get(name="portal")
    (notice,) = [m for m in shown if "New API key" in m]
    key = notice.split(": ", 1)[1].split(" — ")[0]
    assert stored.is_valid(key)
    page = client.get(url).content.decode()
    assert key not in page  # never shown again
    assert stored.prefix in page


def test_keys_are_revoked_in_admin_and_last_use_is_shown(client, publisher, partner, api_key):
    stored = PartnerAPIKey.objects.get()
    PartnerAPIKey.objects.filter(pk=stored.pk).update(
        last_used_at=dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    )
    client.force_login(publisher)
    listing = client.get("/admin/accounts/partnerapikey/").content.decode()
    assert "Last used" in listing or "last used" in listing.lower()
    assert "2025" in listing
    response = client.post(
        "/admin/accounts/partnerapikey/",
        {"action": "revoke_keys", "_selected_action": [stored.pk]},
        follow=True,
    )
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.revoked
    assert KeyedClient(api_key).get("/api/v1/changes/").status_code == 401


def test_people_without_partner_permissions_cannot_manage_keys(client, author, partner):
    client.force_login(author)
    assert client.get("/admin/accounts/partner/").status_code == 403
    assert client.get("/admin/accounts/partnerapikey/").status_code == 403
