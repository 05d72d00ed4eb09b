"""Every status change of a revision or condition, and nothing else, happens here.

Each transition is a keyword-only function that

1. checks the actor's permission (and, for approval, the four-eyes rule, I3),
2. locks the rows it changes (``select_for_update``) inside one transaction,
3. checks that the move is allowed from the current state,
4. applies the change and writes a ``WorkflowEvent`` (I4),

and raises a ``kb.exceptions`` error with a message fit for an editor when the move is not
allowed. Admin actions, views and management commands call these functions; no other code
assigns a status.

Publishing is one update of ``Condition.published_revision`` inside the approval
transaction, so a reader gets the old revision or the new one, never a mix (I5).

Scheduled publishing: an approval may carry a future go-live time. The revision is then
approved with ``published_at`` = that time and held in ``Condition.scheduled_revision``;
``kb.selectors.published_revisions`` shows it from that instant (query-time resolution, so
nothing has to run on time), and ``go_live_due`` — called by every transition on the
condition and by the ``publish_scheduled`` command from cron — moves the pointers, writes
the ``go_live`` event and so sends the authors their e-mail.

Every publication, withdrawal, merge and rename also writes a ``PublicChange`` (the partner API's
changes feed), in the same transaction. Every transition that changes what readers see
first advances the database's publication state (``kb.models.publication.advance``): that
row is the first each of them locks, so they never wait on each other in opposite orders.

Approval also freezes what the revision shows of its references (``Citation.snapshot``,
I9). The one change to the reference library that reaches readers without a new approval
is a retraction flag: ``set_retraction`` (medical reviewers, with a note, logged as a
``ReferenceEvent``), with ``retraction_refusal`` the single rule on who may. Merging
duplicate records (``kb.reference_merge``) has its single rule here too:
``reference_merge_refusal``.

The package: ``rules`` (who may make each move, and why not), ``revisions`` (review),
``publication`` (what readers see of a condition), ``references`` (retraction flags), and
``_base`` (what they share). Import from ``kb.workflow``.
"""

from kb.workflow._base import (
    ALLOWED,
    PERM_APPROVE,
    PERM_CHANGE_REFERENCE,
    PERM_FLAG_RETRACTION,
    PERM_RECONFIRM,
    PERM_REQUEST_CHANGES,
    PERM_RESTORE,
    PERM_START_DRAFT,
    PERM_SUBMIT,
    PERM_WITHDRAW,
    TRANSITIONS,
    Refusal,
    S,
    Transition,
    default_next_review_due,
    live_revision_of,
)
from kb.workflow.publication import (
    cancel_schedule,
    merge,
    publish_scheduled,
    reconfirm,
    restore,
    withdraw,
)
from kb.workflow.references import (
    record_imported_retraction,
    set_retraction,
)
from kb.workflow.revisions import (
    approve,
    request_changes,
    start_new_draft,
    submit,
    take_back,
)
from kb.workflow.rules import (
    REVISION_REFUSALS,
    approval_problems,
    approve_refusal,
    can,
    cancel_schedule_refusal,
    citation_problems,
    may_merge_references,
    may_set_retraction,
    merge_refusal,
    reconfirm_refusal,
    reference_merge_refusal,
    request_changes_refusal,
    restore_refusal,
    retracted_references,
    retraction_refusal,
    review_started,
    start_draft_refusal,
    submit_refusal,
    take_back_refusal,
    why_not,
    withdraw_refusal,
)

__all__ = [
    "ALLOWED",
    "PERM_APPROVE",
    "PERM_CHANGE_REFERENCE",
    "PERM_FLAG_RETRACTION",
    "PERM_RECONFIRM",
    "PERM_REQUEST_CHANGES",
    "PERM_RESTORE",
    "PERM_START_DRAFT",
    "PERM_SUBMIT",
    "PERM_WITHDRAW",
    "REVISION_REFUSALS",
    "Refusal",
    "S",
    "TRANSITIONS",
    "Transition",
    "approval_problems",
    "approve",
    "approve_refusal",
    "can",
    "cancel_schedule",
    "cancel_schedule_refusal",
    "citation_problems",
    "default_next_review_due",
    "live_revision_of",
    "may_merge_references",
    "may_set_retraction",
    "merge",
    "merge_refusal",
    "publish_scheduled",
    "reconfirm",
    "reconfirm_refusal",
    "record_imported_retraction",
    "reference_merge_refusal",
    "request_changes",
    "request_changes_refusal",
    "restore",
    "restore_refusal",
    "retracted_references",
    "retraction_refusal",
    "review_started",
    "set_retraction",
    "start_draft_refusal",
    "start_new_draft",
    "submit",
    "submit_refusal",
    "take_back",
    "take_back_refusal",
    "why_not",
    "withdraw",
    "withdraw_refusal",
]
