"""The one library change that reaches readers at once (I9): the retraction flag."""

from __future__ import annotations

from django.db import transaction

from kb.exceptions import (
    ContentProblems,
    NotPermitted,
    TransitionNotAllowed,
)
from kb.models import (
    ChangeAction,
    Reference,
    ReferenceAction,
    ReferenceEvent,
)
from kb.models.publication import advance
from kb.workflow._base import _public_change, _refresh
from kb.workflow.rules import retraction_refusal


@transaction.atomic
def set_retraction(*, reference: Reference, by, retracted: bool, note: str) -> ReferenceEvent:
    """Flag a library record as retracted, or remove the flag; a note is required both ways.

    Live pages read the flag and note live (the rest of what they show of a record is the
    snapshot approved with them), so this shows at once on every page and in the API that
    cites the record, and ``retraction_changed_at`` moves their ETag. Unflagging clears
    the public note; both notes stay in the record's ``ReferenceEvent`` log.

    The decision is logged once, on the record (``ReferenceEvent``), not as a
    ``WorkflowEvent`` per citing condition: it is not a move of any article, and the
    articles it reaches are derived from the citations when needed (see the model).
    """
    refusal = retraction_refusal(by)
    if refusal:
        raise NotPermitted(refusal)
    note = (note or "").strip()
    if not note:
        raise ContentProblems(
            "Give a note: say why the publication is flagged as retracted (e.g. the "
            "journal's notice) or why the flag is removed."
            if retracted
            else "Give a note: say why the retraction flag is removed."
        )
    publication = advance()  # first lock of every public change: one lock order everywhere
    locked = Reference.objects.select_for_update().get(pk=reference.pk)
    if locked.retracted == bool(retracted):
        raise TransitionNotAllowed(
            "This reference is already flagged as retracted."
            if retracted
            else "This reference is not flagged as retracted."
        )
    now = publication.at
    locked.retracted = bool(retracted)
    locked.retraction_note = note if retracted else ""
    locked.retraction_changed_at = now
    from kb.models.reference import setting_retraction

    with setting_retraction():
        locked.save()
    event = ReferenceEvent.objects.create(
        reference=locked,
        actor=by,
        action=ReferenceAction.FLAG if retracted else ReferenceAction.UNFLAG,
        note=note,
        created_at=now,
    )
    # Partners refetch every live article that shows the notice (same revision).
    from kb.selectors import published_revisions

    for live in published_revisions().filter(citations__reference=locked).distinct():
        _public_change(live.condition, live, ChangeAction.UPDATED)
    if retracted:
        from kb.alerts import retraction_flagged  # the reviewers of the articles citing it

        retraction_flagged(event=event)  # queued in this transaction, sent after commit
    _refresh(reference)
    return event


def record_imported_retraction(*, reference: Reference, by=None, note: str) -> ReferenceEvent:
    """Log that a new record came in already flagged by its source (e.g. PubMed).

    Not a flag decision: the record is new, so no article cites it and no page changes,
    and dropping a retraction the source reports would be unsafe. Any later change of the
    flag goes through ``set_retraction``.
    """
    return ReferenceEvent.objects.create(
        reference=reference, actor=by, action=ReferenceAction.IMPORTED_RETRACTED, note=note
    )
