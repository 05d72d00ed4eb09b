"""What becomes a webhook event: receivers on the rows the workflow already writes.

The workflow is not edited for webhooks: each transition writes its own records in its
transaction, and these receivers turn the ones partners care about into deliveries in that
same transaction (so a rolled-back transition delivers nothing), each sent by a task once
it commits.

- a ``PublicChange`` entry (the partner feed): ``published``, ``withdrawn``, ``moved``
  (a rename or a merge) become ``article.published``, ``article.withdrawn``,
  ``article.moved``. Its ``updated`` entries are a re-review or a retraction notice,
  told more precisely by the two records below.
- a ``RECONFIRM`` workflow event: ``article.reviewed`` (same revision, new review date).
- a ``FLAG`` reference event (``workflow.set_retraction``): ``reference.retracted`` for each
  live article citing the reference.
"""

from __future__ import annotations

import uuid

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from kb.models import PublicChange, ReferenceEvent, WorkflowEvent
from kb.models.changes import ChangeAction
from kb.models.events import WorkflowAction
from kb.models.immutability import is_restoring
from kb.models.reference import ReferenceAction
from kb.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType

FEED_EVENTS = {
    ChangeAction.PUBLISHED: WebhookEventType.ARTICLE_PUBLISHED,
    ChangeAction.WITHDRAWN: WebhookEventType.ARTICLE_WITHDRAWN,
    ChangeAction.MOVED: WebhookEventType.ARTICLE_MOVED,
}


def article_data(*, slug: str, revision) -> dict:
    """What every article event carries (``change_class`` when the revision has one)."""
    from kb.api.links import api_url

    return {
        "slug": slug,
        "revision": revision.number if revision is not None else None,
        "change_class": getattr(revision, "change_class", None) or None,
        "api_url": api_url(slug),
    }


def emit(event_type: str, *, data: dict, at=None) -> list[WebhookDelivery]:
    """One delivery per active endpoint that wants ``event_type``, sent after commit."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(active=True, partner__active=True)
        if endpoint.wants(event_type)
    ]
    if not endpoints:
        return []
    at = at or timezone.now()
    message_id = f"msg_{uuid.uuid4().hex}"
    time = at.isoformat()
    payload = {"type": event_type, "timestamp": time, "data": {**data, "time": time}}
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            message_id=message_id,
            event_type=event_type,
            payload=payload,
            next_attempt_at=at,
        )
        for endpoint in endpoints
    )
    from kb.tasks import enqueue_on_commit
    from kb.webhooks.tasks import deliver_webhook

    for row in rows:
        enqueue_on_commit(deliver_webhook, row.pk)
    return rows


def _skip(kwargs) -> bool:
    return not kwargs.get("created") or kwargs.get("raw") or is_restoring()


@receiver(post_save, sender=PublicChange, dispatch_uid="kb.webhooks.public_change")
def on_public_change(sender, instance: PublicChange, **kwargs) -> None:
    event_type = FEED_EVENTS.get(instance.action)
    if event_type is None or _skip(kwargs):
        return
    data = article_data(slug=instance.slug, revision=instance.revision)
    if instance.action == ChangeAction.MOVED:
        data["previous_slug"] = instance.previous_slug
    emit(event_type, data=data, at=instance.at)


@receiver(post_save, sender=WorkflowEvent, dispatch_uid="kb.webhooks.workflow_event")
def on_workflow_event(sender, instance: WorkflowEvent, **kwargs) -> None:
    if instance.action != WorkflowAction.RECONFIRM or _skip(kwargs):
        return
    emit(
        WebhookEventType.ARTICLE_REVIEWED,
        data=article_data(slug=instance.condition.slug, revision=instance.revision),
        at=instance.created_at,
    )


@receiver(post_save, sender=ReferenceEvent, dispatch_uid="kb.webhooks.reference_event")
def on_reference_event(sender, instance: ReferenceEvent, **kwargs) -> None:
    if instance.action != ReferenceAction.FLAG or _skip(kwargs):
        return
    from kb.selectors import published_revisions

    reference = instance.reference
    live = published_revisions().filter(citations__reference=reference).distinct()
    for revision in live.select_related("condition"):
        data = article_data(slug=revision.condition.slug, revision=revision)
        data["reference"] = {
            "id": reference.pk,
            "doi": reference.doi or None,
            "pmid": reference.pmid or None,
            "note": instance.note,
        }
        emit(WebhookEventType.REFERENCE_RETRACTED, data=data, at=instance.created_at)
