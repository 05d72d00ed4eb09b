"""Signing and sending one webhook delivery, and what a failed attempt leads to.

Deliveries follow the Standard Webhooks specification: a JSON body ``{"type", "timestamp",
"data"}`` POSTed with ``webhook-id`` (the same on every attempt), ``webhook-timestamp`` and
``webhook-signature`` (``v1,`` + HMAC-SHA256, by the ``standardwebhooks`` package). A 2xx
answer is a delivery; anything else (a redirect too: none is followed), a timeout or a
refused connection is a failure, retried on the specification's schedule (5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 10 h: about 28 hours in all). An endpoint that has failed without
a single success for ``KB_WEBHOOKS_DISABLE_AFTER_DAYS`` days is switched off and its
partner's contact is told by e-mail.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import socket
import ssl

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook

from kb.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from kb.webhooks.ssrf import Target, UnsafeURL, check_url

logger = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, … attempt (Standard Webhooks' suggested schedule).
RETRY_SCHEDULE = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
EXCERPT_CHARS = 200
READ_LIMIT = 1024


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address the SSRF check passed, whatever DNS says now."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS verified against the URL's host name."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` to ``target`` (first address that connects); the status code and a
    short excerpt of the answer. Never follows a redirect; raises ``OSError`` when no
    address answers in time."""
    timeout = settings.KB_WEBHOOKS_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    error: OSError | None = None
    for address in target.addresses:
        connection = connection_class(target, address, timeout)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(READ_LIMIT).decode("utf-8", "replace")
            return response.status, " ".join(excerpt.split())[:EXCERPT_CHARS]
        except (OSError, http.client.HTTPException) as exc:
            error = exc if isinstance(exc, OSError) else OSError(str(exc))
        finally:
            connection.close()
    raise error or OSError("No address to connect to.")


def signed_request(delivery: WebhookDelivery, *, now: dt.datetime) -> tuple[bytes, dict]:
    """The body and headers of one attempt, signed with the endpoint's secret."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    moment = now.astimezone(dt.UTC)
    signature = Webhook(delivery.endpoint.secret).sign(delivery.message_id, moment, body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.KB_PUBLISHER_NAME} webhooks ({settings.SITE_URL})",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


def _claim_for() -> dt.timedelta:
    """How long a claimed attempt keeps other workers off its delivery: every address's
    connect and answer timeout (``post`` tries each in turn), and a margin. A worker that
    dies mid-attempt leaves the claim to lapse; the sweep then takes the delivery again."""
    return dt.timedelta(seconds=settings.KB_WEBHOOKS_TIMEOUT_SECONDS * 4 + 30)


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at delivery ``delivery_id``; None when it is not due to be sent
    (delivered, given up, or being sent by another worker).

    Three steps, so no transaction (nor row lock) is held while the partner takes up to
    its timeout to answer: the delivery is claimed in a short transaction (its attempt
    counted, ``next_attempt_at`` moved past the claim, so other workers and the sweep find
    it not due), the request is sent outside any transaction, and the answer is recorded
    in a second short one.
    """
    with transaction.atomic():
        # The delivery's row alone is locked (``of``): locking its endpoint and partner
        # too, as a join otherwise does, would make other deliveries to the same endpoint
        # look "not due" to other workers while this one is claimed.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint__partner")
            .filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()),
                pk=delivery_id,
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            )
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        if not delivery.endpoint.active:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = "The endpoint is switched off."
            delivery.next_attempt_at = None
            delivery.save()
            return delivery
        delivery.next_attempt_at = now + _claim_for()
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    claimed = delivery.attempts

    outcome: tuple[str, object]
    try:
        target = check_url(delivery.endpoint.url)
        body, headers = signed_request(delivery, now=now)
        outcome = ("answered", post(target, body=body, headers=headers))
    except UnsafeURL as exc:
        outcome = ("unsafe", str(exc))
    except OSError as exc:
        outcome = ("error", f"{type(exc).__name__}: {exc}")

    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint__partner")
            .get(pk=delivery_id)
        )
        if delivery.attempts != claimed:  # the claim lapsed and another worker took it
            logger.warning("Webhook delivery %s: attempt %s answered late.", delivery_id, claimed)
            return delivery
        _record(delivery, outcome, now=now)
        delivery.save()
    return delivery


def _record(delivery: WebhookDelivery, outcome: tuple[str, object], *, now: dt.datetime) -> None:
    kind, value = outcome
    if kind == "unsafe":
        _failed(delivery, error=str(value), now=now, final=True)
    elif kind == "error":
        _failed(delivery, error=str(value), now=now)
    else:
        code, excerpt = value  # type: ignore[misc]
        delivery.response_code = code
        delivery.response_excerpt = excerpt
        if 200 <= code < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
        else:
            _failed(delivery, error=f"The endpoint answered {code}.", now=now)


def _failed(delivery: WebhookDelivery, *, error: str, now: dt.datetime, final=False) -> None:
    delivery.last_error = error[:500]
    if final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = now + RETRY_SCHEDULE[delivery.attempts - 1]
    endpoint = delivery.endpoint
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
    elif now - endpoint.failing_since >= dt.timedelta(days=settings.KB_WEBHOOKS_DISABLE_AFTER_DAYS):
        disable(endpoint, now=now)


def disable(endpoint: WebhookEndpoint, *, now: dt.datetime) -> None:
    """Switch off an endpoint that has failed for days, and tell the partner's contact."""
    days = (now - endpoint.failing_since).days
    reason = f"Every delivery failed for {days} days (since {endpoint.failing_since:%Y-%m-%d})."
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason
    )
    if not changed:
        return
    endpoint.active = False
    address = (endpoint.partner.contact_email or "").strip()
    if not address:
        logger.warning("Webhook endpoint %s switched off; its partner has no contact.", endpoint.pk)
        return
    transaction.on_commit(
        lambda: _tell_partner(address=address, endpoint_url=endpoint.url, reason=reason),
        robust=True,
    )


def _tell_partner(*, address: str, endpoint_url: str, reason: str) -> None:
    send_mail(
        subject=f"[{settings.KB_PUBLISHER_NAME}] Webhook endpoint switched off",
        message=(
            f"Hello,\n\nWe have switched off deliveries to your webhook endpoint\n\n"
            f"    {endpoint_url}\n\n{reason}\n\n"
            "Nothing is lost: the changes feed (/api/v1/changes/) lists every change. When "
            "the endpoint works again, register it again (or ask us to switch it back on).\n\n"
            f"-- \n{settings.KB_PUBLISHER_NAME}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
