"""The one rule per move: who may make it and why not ('' when they may).

The desk shows a button exactly when its rule is empty, and each transition asks the same
rule again under its lock before writing anything."""

from __future__ import annotations

from django.utils import timezone

from kb.citations import (
    cited_keys,
)
from kb.exceptions import (
    ContentProblems,
    FourEyesViolation,
    NotPermitted,
    StaleEdit,
    TransitionNotAllowed,
)
from kb.models import (
    Condition,
    Reference,
    Revision,
)
from kb.models.revision import OPEN_STATUSES
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
    Refusal,
    S,
    _is_author_of,
    _permitted,
    live_revision_of,
)


def approval_problems(*, revision: Revision) -> list[str]:
    """What stops this revision from being approved; empty when it may be approved.

    Content checks live here so that the same list is shown before approval (in the
    editorial desk) and enforced at approval.
    """
    problems: list[str] = []
    sections = list(revision.sections.all())
    if not sections:
        problems.append("The revision has no sections.")
    for section in sections:
        if not section.body.strip():
            problems.append(f"Section “{section.heading}” has no text.")
    problems.extend(citation_problems(revision=revision, sections=sections))
    return problems


def citation_problems(*, revision: Revision, sections=None) -> list[str]:
    """Each citation marker that names no reference in the library (I7), as a sentence.

    Checked at submission as well as at approval: the author who wrote the marker is the
    one who can fix it cheaply, before a reviewer spends time on the text.
    """
    from kb.citations import unresolved_citations

    problems: list[str] = []
    for item in unresolved_citations(revision=revision, sections=sections):
        if item.merged_into:
            problems.append(
                f"Section “{item.section_heading}” cites [@{item.key}], which was merged "
                f"into [@{item.merged_into}]: cite that instead."
            )
            continue
        problems.append(
            f"Section “{item.section_heading}” cites [@{item.key}], which is not in the "
            "reference library."
        )
    return problems


def submit_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not submit ``revision`` now ('' when they may): the one rule."""
    if not _permitted(user, PERM_SUBMIT):
        return Refusal("Only authors can submit revisions.", NotPermitted)
    if revision.status not in (S.DRAFT, S.CHANGES_REQUESTED):
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only drafts and "
            "sent-back revisions can be submitted."
        )
    problems = citation_problems(revision=revision)
    if problems:
        message = "Fix the citations before submitting: " + " ".join(problems)
        return Refusal(message, ContentProblems)
    return ALLOWED


def approve_refusal(*, user, revision: Revision, opened_version: int | None = None) -> Refusal:
    """Why ``user`` may not approve ``revision`` now ('' when they may): the one rule.

    The desk shows the Approve button exactly when this is empty; ``approve`` asks it again
    under the row lock (with the version the reviewer read) before anything is written.
    What the text itself still needs (``approval_problems``, retraction acknowledgements)
    is shown on the approve page and checked by ``approve``.
    """
    if not _permitted(user, PERM_APPROVE):
        return Refusal("Only medical reviewers can approve revisions.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only revisions in "
            "review can be reviewed."
        )
    if opened_version is not None and opened_version != revision.lock_version:
        return Refusal(
            "This revision changed after you opened it. Nothing was approved: read the "
            "current text, then approve again.",
            StaleEdit,
        )
    if _is_author_of(user, revision):
        return Refusal(
            "You wrote or edited this revision, so another medical reviewer must approve it.",
            FourEyesViolation,
        )
    return ALLOWED


def request_changes_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not send ``revision`` back now ('' when they may): the one rule."""
    if not _permitted(user, PERM_REQUEST_CHANGES):
        return Refusal("Only medical reviewers can send back.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        return Refusal(
            f"This revision is {revision.get_status_display().lower()}; only revisions in "
            "review can be reviewed."
        )
    return ALLOWED


#: The rule of each move offered on a revision, by transition name.
REVISION_REFUSALS = {
    "submit": submit_refusal,
    "approve": approve_refusal,
    "request_changes": request_changes_refusal,
}


def retracted_references(*, revision: Revision) -> list[Reference]:
    """The library records this revision cites that are flagged as retracted (key order).

    Read from the text as it is now (``cited_keys``), so the approve page and ``approve``
    (which syncs the citations first) name the same records.
    """
    keys = list(dict.fromkeys(key for s in revision.sections.all() for key in cited_keys(s.body)))
    return list(Reference.objects.filter(key__in=keys, retracted=True).order_by("key"))


def _retraction_acknowledgement(*, revision: Revision, acknowledgement: str) -> str:
    """The reviewer's reason for approving text that cites retracted publications.

    Required (and returned, naming the records) when the revision cites any; '' when it
    cites none. Refusing here, in the transition, means no other caller can skip it.
    """
    retracted = retracted_references(revision=revision)
    if not retracted:
        return ""
    reason = (acknowledgement or "").strip()
    keys = ", ".join(f"[@{ref.key}]" for ref in retracted)
    if not reason:
        raise ContentProblems(
            f"This revision cites publications flagged as retracted ({keys}). Remove the "
            "citations, or acknowledge them with your reason for approving anyway."
        )
    return f"{keys}: {reason}"


def can(user, transition: str, revision: Revision) -> bool:
    """Whether ``user`` may make ``transition`` on ``revision`` now (for showing buttons)."""
    return not why_not(user, transition, revision)


def why_not(user, transition: str, revision: Revision) -> str:
    """A plain reason why ``user`` may not make ``transition`` now ('' when they may)."""
    rule = REVISION_REFUSALS.get(transition)
    if rule is None:
        return "This move does not exist."
    return str(rule(user=user, revision=revision))


def merge_refusal(*, user, condition: Condition, into: Condition | None = None) -> str:
    """Why ``user`` may not merge ``condition`` into ``into`` now ('' when they may).

    The one rule, used by the desk (whether to offer a successor, and to check the one
    chosen) and by ``merge``: merging withdraws the article, so it is a publisher's move,
    and its address will lead readers and partners to the successor, so the successor
    must be another article that is live now. ``into`` None asks only about the user and
    the article being merged.
    """
    if not (user and user.is_active and user.has_perm(PERM_WITHDRAW)):
        return "Only publishers can merge an article into another."
    if condition.is_withdrawn:
        return "This condition is already withdrawn."
    if condition.published_revision_id is None:
        return "This condition was never published, so there is nothing to merge."
    if into is None:
        return ""
    if into.pk == condition.pk:
        return "An article cannot be merged into itself."
    if into.is_withdrawn:
        return f"“{into.slug}” is withdrawn: merge into a live article."
    if into.published_revision_id is None:
        return f"“{into.slug}” was never published: merge into a live article."
    return ""


def _refuse_merge(*, user, condition: Condition, into: Condition | None = None) -> None:
    if refusal := merge_refusal(user=user, condition=condition, into=into):
        permitted = user and user.is_active and user.has_perm(PERM_WITHDRAW)
        raise (TransitionNotAllowed if permitted else NotPermitted)(refusal)


def retraction_refusal(user) -> str:
    """Why ``user`` may not flag or unflag a retraction ('' when they may).

    The one rule, used by the desk (read-only fields, the flag form) and by
    ``set_retraction``: a retraction changes what every live page citing the record shows
    at once, without a new approval, so it is a medical reviewer's decision.
    """
    if not (user and user.is_active and user.has_perm(PERM_FLAG_RETRACTION)):
        return "Only a medical reviewer can flag or unflag a retraction."
    return ""


def may_set_retraction(user) -> bool:
    return not retraction_refusal(user)


def reference_merge_refusal(user) -> str:
    """Why ``user`` may not merge two library records ('' when they may).

    The one rule, used by the desk (the merge link and page) and by
    ``kb.reference_merge.merge_references``. Deciding that two records are one publication
    is a judgement about evidence, and a merge rewrites the citations of other people's
    drafts and revisions in review: so it takes a medical reviewer (who both maintains the
    library and approves) or a superuser. Authors see the possible duplicates and ask a
    reviewer; publishers do not edit the library.
    """
    if not (
        user
        and user.is_active
        and user.has_perm(PERM_CHANGE_REFERENCE)
        and user.has_perm(PERM_APPROVE)
    ):
        return "Only a medical reviewer can merge references."
    return ""


def may_merge_references(user) -> bool:
    return not reference_merge_refusal(user)


def reconfirm_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not confirm the live text is still accurate ('' when they may).

    The one rule: the condition page shows the button exactly when this is empty, and
    ``reconfirm`` asks it again under the condition's lock, after the go-live catch-up.
    """
    if not _permitted(user, PERM_RECONFIRM):
        return Refusal(
            "Only medical reviewers can confirm that an article is still accurate.",
            NotPermitted,
        )
    live = live_revision_of(condition)
    if live is None:
        return Refusal("Only a live article can be confirmed as still accurate.")
    if _is_author_of(user, live):
        return Refusal(
            "You wrote or edited this text, so another medical reviewer must confirm it.",
            FourEyesViolation,
        )
    return ALLOWED


def cancel_schedule_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not cancel the condition's scheduled go-live ('' when they may)."""
    if not (_permitted(user, PERM_APPROVE) or _permitted(user, PERM_WITHDRAW)):
        return Refusal("Only medical reviewers and publishers can cancel a go-live.", NotPermitted)
    scheduled = condition.scheduled_revision if condition.scheduled_revision_id else None
    if scheduled is None or scheduled.published_at <= timezone.now():
        return Refusal("Nothing is scheduled to go live for this condition.")
    return ALLOWED


def review_started(*, revision: Revision) -> bool:
    """Whether a reviewer has started on the submission now in review.

    Revisions have no assigned reviewer and opening a page records nothing, so the one
    trace a reviewer's work leaves before a decision is the conversation: a comment (or
    reply) by anyone other than the revision's authors since it was last submitted.
    """
    from kb.models import SectionComment

    authors = [revision.created_by_id, *revision.edited_by.values_list("pk", flat=True)]
    comments = SectionComment.objects.filter(revision=revision).exclude(author_id__in=authors)
    if revision.submitted_at is not None:
        comments = comments.filter(created_at__gte=revision.submitted_at)
    return comments.exists()


def take_back_refusal(*, user, revision: Revision) -> Refusal:
    """Why ``user`` may not take ``revision`` back to draft ('' when they may).

    The one rule, used by the desk (the button) and by ``take_back`` under its lock. An
    author may withdraw their own submission (they created or edited the revision) to
    keep working on it, but only while no reviewer has started on it: once a reviewer has
    commented, the text they are reading must not change under them; ask them to send
    it back instead.
    """
    if not _permitted(user, PERM_SUBMIT):
        return Refusal("Only authors can take back a submission.", NotPermitted)
    if revision.status != S.IN_REVIEW:
        status = revision.get_status_display().lower()
        return Refusal(f"This revision is {status}; only a revision in review can be taken back.")
    if not _is_author_of(user, revision):
        return Refusal("Only an author of this revision can take back its submission.")
    if review_started(revision=revision):
        return Refusal(
            "A medical reviewer has started reviewing this revision (they commented on it); "
            "ask them to send it back instead."
        )
    return ALLOWED


REVISION_REFUSALS["take_back"] = take_back_refusal


def start_draft_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not start a new draft of ``condition`` now ('' when they may).

    The one rule: the condition page shows "Start new draft" exactly when this is empty,
    and ``start_new_draft`` asks it again under the condition's lock, after the go-live
    catch-up (a due scheduled revision is the newest approved text).
    """
    if not _permitted(user, PERM_START_DRAFT):
        return Refusal("Only authors can start new drafts.", NotPermitted)
    if condition.scheduled_revision_id is None and condition.published_revision_id is None:
        return Refusal("This condition has no published revision to start from.")
    current = condition.revisions.filter(status__in=OPEN_STATUSES).first()
    if current is not None:
        return Refusal(
            f"Revision {current.number} is already "
            f"{current.get_status_display().lower()}; continue with it instead."
        )
    return ALLOWED


def withdraw_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not withdraw ``condition`` now ('' when they may): the one rule,
    with the go-live catch-up (a first publication whose time has come is live)."""
    if not _permitted(user, PERM_WITHDRAW):
        return Refusal("Only publishers can withdraw conditions.", NotPermitted)
    if condition.is_withdrawn:
        return Refusal("This condition is already withdrawn.")
    if live_revision_of(condition) is None:
        return Refusal("This condition was never published, so there is nothing to withdraw.")
    return ALLOWED


def restore_refusal(*, user, condition: Condition) -> Refusal:
    """Why ``user`` may not put ``condition`` back on the public site ('' when they may)."""
    if not _permitted(user, PERM_RESTORE):
        return Refusal("Only publishers can restore conditions.", NotPermitted)
    if not condition.is_withdrawn:
        return Refusal("This condition is not withdrawn.")
    return ALLOWED
