"""A slow partner endpoint cannot slow an approval: the delivery is a task, enqueued once
the approval has committed and run by a worker, never inside ``workflow.approve``.

Not timed (``make bench`` times it, ``bench/approval.py``): the receiver here holds every
request until the test releases it, so a delivery attempted inside ``approve`` would have
reached it before ``approve`` returned.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from kb import workflow
from kb.webhooks import services
from kb.webhooks.delivery import attempt
from kb.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.factories import make_in_review

pytestmark = pytest.mark.django_db


def test_approve_returns_before_the_partner_is_contacted_and_the_task_delivers(
    database_tasks, run_tasks, receiver, partner, author, reviewer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    endpoint, secret = services.register_endpoint(
        partner=partner, url=receiver.url, events=["article.published"]
    )
    receiver.gate = threading.Event()  # the partner holds every request until released
    revision = make_in_review(author=author, slug="migraine", name="Migraine")

    with django_capture_on_commit_callbacks(execute=True) as committed:
        workflow.approve(revision=revision, by=reviewer)

    # approve() has returned: the partner has not even been contacted, the delivery waits
    # as a row with its task enqueued after the commit (not inside the transaction).
    assert receiver.arrivals == 0
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert len(committed) >= 1
    [task] = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_webhook")
    assert task.args_kwargs["args"] == [delivery.pk]

    # The worker runs the task; the partner answers once released.
    receiver.gate.set()
    assert run_tasks() >= 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    [request] = receiver.requests
    event = Webhook(secret).verify(request["body"], request["headers"])
    assert event["type"] == "article.published" and event["data"]["slug"] == "migraine"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_delivery_does_not_hold_back_the_next_one_to_the_same_endpoint(
    database_tasks, receiver, partner
):
    """Several workers deliver to one endpoint at once: a delivery under way (its row
    claimed while the partner is slow to answer) must not make the next one look "not
    due" to another worker, which would leave it to the periodic sweep minutes later."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks between workers are exercised on PostgreSQL (CI runs it there)")
    endpoint, _ = services.register_endpoint(
        partner=partner, url=receiver.url, events=["article.published"]
    )
    first = services.send_test_event(endpoint=endpoint)
    second = services.send_test_event(endpoint=endpoint)
    receiver.gate = threading.Event()

    def release_when_both_arrived() -> None:
        deadline = time.monotonic() + 10
        while receiver.arrivals < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        receiver.gate.set()

    def first_worker() -> None:
        try:
            attempt(first.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    while receiver.arrivals < 1 and worker.is_alive():
        time.sleep(0.01)  # the first delivery is under way, its partner not answering yet
    releaser = threading.Thread(target=release_when_both_arrived)
    releaser.start()
    second_attempt = attempt(second.pk)  # another worker, meanwhile
    releaser.join()
    worker.join()

    assert second_attempt is not None
    assert set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)
    ) == {DeliveryStatus.DELIVERED}
    assert len(receiver.requests) == 2
