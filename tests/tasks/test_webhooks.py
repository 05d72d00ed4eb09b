"""Signed webhooks to partners, end to end: a transition → a delivery a real local receiver
verifies with ``standardwebhooks``; failures retried with back-off; SSRF targets refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from kb import workflow
from kb.webhooks import delivery as delivery_module
from kb.webhooks import services, ssrf
from kb.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.factories import ReferenceFactory, make_in_review, make_live

pytestmark = pytest.mark.django_db

ALL_EVENTS = [
    "article.published",
    "article.withdrawn",
    "article.moved",
    "article.reviewed",
    "reference.retracted",
]


def verified(secret: str, request: dict) -> dict:
    """What a partner's receiver does: verify the signature, then read the event."""
    return Webhook(secret).verify(request["body"], request["headers"])


def bring_forward() -> None:
    """Make every scheduled retry due now (instead of waiting out its back-off)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    WebhookDelivery.objects.filter(next_attempt_at__gt=now).update(next_attempt_at=now)
    DBTaskResult.objects.filter(status="READY").exclude(run_after=get_date_max()).update(
        run_after=now
    )


def test_approval_delivers_a_signed_webhook_to_the_partner(
    receiver, partner, author, reviewer, django_capture_on_commit_callbacks
):
    endpoint, secret = services.register_endpoint(
        partner=partner, url=receiver.url, events=["article.published"]
    )
    revision = make_in_review(author=author, slug="migraine", name="Migraine")

    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(revision=revision, by=reviewer)

    assert len(receiver.requests) == 1
    event = verified(secret, receiver.requests[0])
    assert event["type"] == "article.published"
    assert event["data"]["slug"] == "migraine"
    assert event["data"]["revision"] == revision.number
    assert event["data"]["api_url"].endswith("/api/v1/conditions/migraine/")
    assert "time" in event["data"] and "change_class" in event["data"]
    row = WebhookDelivery.objects.get()
    assert row.status == DeliveryStatus.DELIVERED
    assert row.response_code == 200 and row.attempts == 1
    assert len(row.response_excerpt) <= 200  # only a short excerpt is kept
    assert receiver.requests[0]["headers"]["webhook-id"] == row.message_id
    with pytest.raises(Exception, match="signature"):
        Webhook(services.new_secret()).verify(
            receiver.requests[0]["body"], receiver.requests[0]["headers"]
        )


def test_endpoints_get_only_the_events_they_asked_for(
    receiver, partner, author, reviewer, publisher, django_capture_on_commit_callbacks
):
    services.register_endpoint(partner=partner, url=receiver.url, events=["article.withdrawn"])
    revision = make_in_review(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(revision=revision, by=reviewer)
    assert receiver.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(condition=revision.condition, by=publisher, reason="Out of date.")
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["article.withdrawn"]


def test_a_rolled_back_transition_delivers_nothing(
    receiver, partner, author, reviewer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    revision = make_in_review(author=author)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.approve(revision=revision, by=reviewer)
        raise RuntimeError("a later step failed")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_receiver_down_is_retried_with_backoff_then_delivered(
    database_tasks,
    run_tasks,
    receiver,
    partner,
    author,
    reviewer,
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    endpoint, secret = services.register_endpoint(
        partner=partner, url=receiver.url, events=["article.published"]
    )
    revision = make_in_review(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(revision=revision, by=reviewer)
    assert receiver.requests == []  # the approval only enqueued the delivery

    receiver.status = 503
    before = timezone.now()
    run_tasks()
    row = WebhookDelivery.objects.get()
    assert row.status == DeliveryStatus.RETRYING
    assert row.response_code == 503 and row.attempts == 1
    assert row.next_attempt_at >= before + delivery_module.RETRY_SCHEDULE[0]
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "503" in failed.traceback  # visible in the desk's task results

    receiver.status = 200
    bring_forward()
    run_tasks()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 2
    assert len(receiver.requests) == 2
    ids = {request["headers"]["webhook-id"] for request in receiver.requests}
    assert ids == {row.message_id}  # the same id on every attempt: receivers deduplicate
    assert verified(secret, receiver.requests[-1])["type"] == "article.published"


def test_retries_go_on_for_more_than_a_day_then_stop(receiver, partner):
    endpoint, _ = services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    assert sum(delivery_module.RETRY_SCHEDULE, dt.timedelta()) >= dt.timedelta(hours=24)
    receiver.status = 500
    row = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="article.published", payload={}
    )
    for _ in range(delivery_module.MAX_ATTEMPTS):
        WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        delivery_module.attempt(row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.next_attempt_at is None
    assert delivery_module.attempt(row.pk) is None
    assert len(receiver.requests) == delivery_module.MAX_ATTEMPTS


def test_a_redirect_is_not_followed(receiver, partner):
    endpoint, _ = services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    receiver.status = 302
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    row = services.send_test_event(endpoint=endpoint)
    delivery_module.attempt(row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.RETRYING and row.response_code == 302
    assert len(receiver.requests) == 1


def test_an_endpoint_failing_for_days_is_switched_off_and_its_partner_told(
    receiver, partner, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.KB_WEBHOOKS_DISABLE_AFTER_DAYS = 3
    endpoint, _ = services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    endpoint.failing_since = timezone.now() - dt.timedelta(days=3, minutes=1)
    endpoint.save()
    receiver.status = 500
    row = services.send_test_event(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_module.attempt(row.pk)

    endpoint.refresh_from_db()
    assert not endpoint.active and "failed for 3 days" in endpoint.disabled_reason
    assert [message.to for message in mailoutbox] == [["web@north.example"]]
    assert endpoint.url in mailoutbox[0].body


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.5",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],  # fmt: skip
)
def test_private_loopback_and_link_local_addresses_are_refused(settings, monkeypatch, address):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ("93.184.216.34", address))
    with pytest.raises(ssrf.UnsafeURL, match="may not be sent"):
        ssrf.check_url("https://hooks.partner.example/kb")


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 (RFC 6052) of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # … of 169.254.169.254, the metadata service
        "64:ff9b::a01:203",  # … of 10.1.2.3
        "2002:7f00:1::1",  # 6to4 (RFC 3056) of 127.0.0.1
        "2002:a9fe:a9fe::1",  # … of 169.254.169.254
        "2002:c0a8:5::1",  # … of 192.168.0.5
    ],
)
def test_ipv6_addresses_that_carry_a_private_ipv4_one_are_refused(settings, monkeypatch, address):
    """A NAT64 or 6to4 address reaches the IPv4 address inside it through a gateway: it is
    judged by that address, as an IPv4-mapped one is."""
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: (address,))
    with pytest.raises(ssrf.UnsafeURL, match="may not be sent"):
        ssrf.check_url("https://hooks.partner.example/kb")


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d822", "2002:5db8:d822::1"])
def test_ipv6_addresses_that_carry_a_public_ipv4_one_are_accepted(settings, monkeypatch, address):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: (address,))
    assert ssrf.check_url("https://hooks.partner.example/kb").addresses == (address,)


def test_a_public_https_url_is_accepted(settings, monkeypatch):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ("93.184.216.34",))
    target = ssrf.check_url("https://hooks.partner.example:8443/kb?x=1")
    assert (target.host, target.port, target.path) == ("hooks.partner.example", 8443, "/kb?x=1")


def test_literal_loopback_is_refused_without_the_setting(settings):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    settings.KB_WEBHOOKS_ALLOW_HTTP = True
    for url in ("http://127.0.0.1:8000/", "http://localhost/", "http://[::1]/"):
        with pytest.raises(ssrf.UnsafeURL):
            ssrf.check_url(url)


def test_plain_http_is_refused_in_production(settings, monkeypatch):
    settings.KB_WEBHOOKS_ALLOW_HTTP = False
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ("93.184.216.34",))
    for url in ("http://hooks.partner.example/", "ftp://x.example/", "https://u:p@x.example/"):
        with pytest.raises(ssrf.UnsafeURL):
            ssrf.check_url(url)


def test_registering_an_unsafe_url_is_refused_with_a_clear_error(settings, partner):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match="private, loopback and link-local"):
        services.register_endpoint(
            partner=partner, url="https://127.0.0.1/hook", events=["article.published"]
        )
    with pytest.raises(ValidationError, match="Unknown event"):
        services.register_endpoint(
            partner=partner, url="https://127.0.0.1/hook", events=["article.eaten"]
        )


def test_a_host_that_resolves_privately_at_delivery_time_is_refused(
    receiver, partner, settings, monkeypatch
):
    endpoint, _ = services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False  # DNS now points the host at loopback
    row = services.send_test_event(endpoint=endpoint)
    delivery_module.attempt(row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "may not be sent" in row.last_error
    assert receiver.requests == []


# --- desk and API ------------------------------------------------------------------------------


def test_desk_registers_an_endpoint_and_shows_its_secret_once(client, superuser, partner, receiver):
    client.force_login(superuser)
    answer = client.post(
        reverse("admin:kb_webhookendpoint_add"),
        {"partner": partner.pk, "url": receiver.url, "events": ["article.published"],
         "active": "on", "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip
    endpoint = partner.webhook_endpoints.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in answer.content.decode()
    page = client.get(reverse("admin:kb_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


def test_desk_sends_a_test_event_and_sends_a_delivery_again(
    client, superuser, partner, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = services.register_endpoint(
        partner=partner, url=receiver.url, events=ALL_EVENTS
    )
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:kb_webhookendpoint_changelist"),
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    assert [verified(secret, r)["type"] for r in receiver.requests] == ["webhook.test"]

    row = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:kb_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [row.pk]},
        )
    assert len(receiver.requests) == 2
    row.refresh_from_db()
    assert row.attempts == 2 and row.status == DeliveryStatus.DELIVERED


def test_partner_registers_lists_and_deletes_endpoints_with_its_key(partner, receiver):
    from django.test import Client

    from accounts.models import Partner, PartnerAPIKey

    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    url = reverse("partner_api:webhook-list")

    created = api.post(
        url, {"url": receiver.url, "events": ["article.published"]}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = api.get(url).json()
    assert [item["url"] for item in listed] == [receiver.url]
    assert "secret" not in listed[0]

    refused = api.post(
        url, {"url": receiver.url, "events": ["nope"]}, content_type="application/json"
    )
    assert refused.status_code == 400 and "events" in refused.json()["detail"]

    other = Partner.objects.create(name="South Clinic")
    _, other_key = PartnerAPIKey.objects.create_key(partner=other, name="site")
    stranger = Client(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    pk = listed[0]["id"]
    assert stranger.delete(reverse("partner_api:webhook-detail", args=[pk])).status_code == 404
    assert api.delete(reverse("partner_api:webhook-detail", args=[pk])).status_code == 204
    assert api.get(url).json() == []


def test_reviewed_moved_and_retracted_events(
    receiver, partner, author, reviewer, django_capture_on_commit_callbacks
):
    services.register_endpoint(partner=partner, url=receiver.url, events=ALL_EVENTS)
    reference = ReferenceFactory(key="retracted2020", doi="10.1000/retracted.1")
    with django_capture_on_commit_callbacks(execute=True):
        live = make_live(
            author=author, reviewer=reviewer, slug="asthma", name="Asthma",
            sections=[{"kind": "overview", "heading": "Overview",
                       "body": "Text [@retracted2020]."}],
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reconfirm(condition=live.condition, by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.set_retraction(
            reference=reference, by=reviewer, retracted=True, note="Retracted by the journal."
        )
    types = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert types[-2:] == ["article.reviewed", "reference.retracted"]
    retracted = json.loads(receiver.requests[-1]["body"])["data"]
    assert retracted["slug"] == "asthma" and retracted["reference"]["doi"] == "10.1000/retracted.1"


@pytest.mark.parametrize(
    "url",
    ["https://exa\x00mple.org/hooks", "https://[::1/hooks", "https://[not-an-address]/"],
)
def test_malformed_urls_are_refused_with_a_reason_not_an_error(url):
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.check_url(url)
    with pytest.raises(ValidationError) as refused:
        services.clean_url(url)
    assert refused.value.code == "unsafe_url"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_attempt_holds_no_transaction_while_the_partner_answers(monkeypatch, partner):
    """The partner may take its whole timeout to answer: the attempt claims the delivery
    (another worker finds it not due) and commits first, so no transaction or row lock is
    held on the database meanwhile; the answer is recorded in a second, short one."""
    from django.db import connection

    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ("93.184.216.34",))
    endpoint, _ = services.register_endpoint(
        partner=partner, url="https://hooks.partner.example/kb", events=["article.published"]
    )
    monkeypatch.setattr("kb.tasks.enqueue_on_commit", lambda *args: None)  # workers: us
    delivery = services.send_test_event(endpoint=endpoint)
    seen = {}

    def slow_partner(target, *, body, headers):
        seen["in_transaction"] = connection.in_atomic_block
        seen["second_worker"] = delivery_module.attempt(delivery.pk)
        row = WebhookDelivery.objects.get(pk=delivery.pk)
        seen["claimed"] = (row.attempts, row.next_attempt_at > timezone.now())
        return 200, "ok"

    monkeypatch.setattr(delivery_module, "post", slow_partner)
    result = delivery_module.attempt(delivery.pk)

    assert seen == {"in_transaction": False, "second_worker": None, "claimed": (1, True)}
    assert (result.status, result.attempts, result.response_code) == (
        DeliveryStatus.DELIVERED, 1, 200,
    )  # fmt: skip
    row = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (row.status, row.next_attempt_at, row.delivered_at is not None) == (
        DeliveryStatus.DELIVERED, None, True,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_attempt_whose_worker_died_is_taken_again_once_its_claim_lapses(monkeypatch, partner):
    monkeypatch.setattr(ssrf, "resolve", lambda host, port: ("93.184.216.34",))
    endpoint, _ = services.register_endpoint(
        partner=partner, url="https://hooks.partner.example/kb", events=["article.published"]
    )
    monkeypatch.setattr("kb.tasks.enqueue_on_commit", lambda *args: None)  # workers: us
    delivery = services.send_test_event(endpoint=endpoint)

    def worker_dies(target, *, body, headers):
        raise SystemExit("the worker was killed mid-request")

    monkeypatch.setattr(delivery_module, "post", worker_dies)
    with pytest.raises(SystemExit):
        delivery_module.attempt(delivery.pk)
    assert delivery_module.attempt(delivery.pk) is None  # claimed, not due yet
    monkeypatch.setattr(delivery_module, "post", lambda target, *, body, headers: (204, ""))
    from kb.webhooks.tasks import retry_due_deliveries

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )  # the claim has lapsed, and the sweep's grace for a lost task too
    assert retry_due_deliveries.call() == 1  # the periodic sweep
    row = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)
