"""Who is told about changes outside the workflow's moves, and what about.

- A cited reference flagged as retracted (``kb.workflow.set_retraction``): the medical
  reviewers of every live article that cites it — whoever approved or last confirmed the
  revision readers see — so they can judge whether the text still stands. One message per
  reviewer, listing all their articles concerned.
- A reader report (``kb.feedback.record_feedback``): the reviewer it is assigned to (the
  one who approved the revision the reader saw).

Nobody is told about their own action, and inactive people are not told. The wording is in
``templates/kb/email/``; how messages are queued and sent is ``kb.notifications``.
"""

from __future__ import annotations

from django.urls import reverse

from kb.models import Feedback, NotificationKind, Reference, ReferenceEvent, Review, Revision
from kb.notifications import absolute_url, enqueue, render_message, revision_admin_url


def retraction_recipients(*, reference: Reference, actor=None) -> dict[object, list[Revision]]:
    """The reviewers of the live articles citing ``reference``, each with their articles."""
    from kb.selectors import published_revisions

    live = list(
        published_revisions()
        .filter(citations__reference=reference)
        .select_related("condition", "approved_by")
        .distinct()
        .order_by("name")
    )
    told: dict[object, list[Revision]] = {}
    reviews = Review.objects.filter(revision__in=live).select_related("reviewer")
    reviewers_of: dict[int, set] = {}
    for review in reviews:
        reviewers_of.setdefault(review.revision_id, set()).add(review.reviewer)
    for revision in live:
        for person in {revision.approved_by, *reviewers_of.get(revision.pk, set())}:
            if person is None or not person.is_active:
                continue
            if actor is not None and person.pk == actor.pk:
                continue
            told.setdefault(person, []).append(revision)
    return told


def retraction_flagged(*, event: ReferenceEvent) -> list:
    """Queue the messages about a retraction flag (call inside its transaction)."""
    reference = event.reference
    told = retraction_recipients(reference=reference, actor=event.actor)
    messages = [
        (
            person,
            render_message(
                kind=NotificationKind.RETRACTION,
                template="retraction",
                context={
                    "recipient": person,
                    "actor": event.actor,
                    "reference": reference,
                    "note": event.note,
                    "articles": [
                        {"revision": r, "link": revision_admin_url(r)}
                        for r in sorted(articles, key=lambda r: r.name)
                    ],
                    "reference_link": absolute_url(
                        reverse("admin:kb_reference_change", args=[reference.pk])
                    ),
                },
            ),
        )
        for person, articles in sorted(told.items(), key=lambda item: item[0].pk)
    ]
    return enqueue(key=f"retraction:{event.pk}", messages=messages)


def reader_report_recipients(*, feedback: Feedback) -> list:
    person = feedback.assigned_to
    return [person] if person is not None and person.is_active else []


def reader_report_arrived(*, feedback: Feedback) -> list:
    """Queue the message about a new reader report (call inside its transaction)."""
    messages = [
        (
            person,
            render_message(
                kind=NotificationKind.READER_REPORT,
                template="reader_report",
                context={
                    "recipient": person,
                    "feedback": feedback,
                    "revision": feedback.revision,
                    "link": absolute_url(reverse("admin:kb_feedback_change", args=[feedback.pk])),
                },
            ),
        )
        for person in reader_report_recipients(feedback=feedback)
    ]
    return enqueue(key=f"feedback:{feedback.pk}", messages=messages)
