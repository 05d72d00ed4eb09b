"""Writing the review conversation: comments on a revision, replies, and resolving them.

A comment belongs to the revision's record (``kb.models.comments``): it is only ever added
to. ``comment_refusal`` is the one rule on who may add to a conversation, and
``resolve_refusal`` the one rule on who may resolve a thread; the desk uses both to show
or hide its forms, and the writers below check them again inside their transaction.
Reads (the thread as shown on the revision page) are ``kb.selectors.conversation``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kb import permissions
from kb.exceptions import ContentProblems, NotPermitted, TransitionNotAllowed
from kb.models import Revision, Section, SectionComment

#: Either role that takes part in a review: authors (submit) and medical reviewers.
CONVERSATION_PERMISSIONS = (permissions.SUBMIT_REVISION, permissions.REQUEST_CHANGES_REVISION)

#: The longest quoted passage kept; a quote is a pointer into the text, not a copy of it.
QUOTE_MAX_LENGTH = 1000


def _takes_part(user) -> bool:
    return bool(user and user.is_active and any(user.has_perm(p) for p in CONVERSATION_PERMISSIONS))


def comment_refusal(*, user, revision: Revision, parent: SectionComment | None = None) -> str:
    """Why ``user`` may not comment on ``revision`` (or reply to ``parent``); '' when they may.

    Authors and medical reviewers talk about a revision while it is on its way to approval;
    once approved its record is closed (I2), so the conversation is too. A reply answers an
    open thread of the same revision.
    """
    if not _takes_part(user):
        return "Only authors and medical reviewers can comment on revisions."
    if revision.is_approved:
        return "This revision is approved, so its conversation is closed."
    if parent is None:
        return ""
    if parent.revision_id != revision.pk or parent.parent_id is not None:
        return "That comment is not a thread of this revision."
    if _is_resolved(parent):
        return "This comment is resolved; start a new comment instead."
    return ""


def resolve_refusal(*, user, comment: SectionComment) -> str:
    """Why ``user`` may not resolve ``comment``'s thread ('' when they may).

    Whoever takes part in the review may mark a point as dealt with (the author after
    changing the text, the reviewer on reading it); the row says who did, so the record
    shows it.
    """
    if not _takes_part(user):
        return "Only authors and medical reviewers can resolve comments."
    if comment.revision.is_approved:
        return "This revision is approved, so its conversation is closed."
    if comment.parent_id is not None:
        return "Only a comment that starts a thread can be resolved."
    if _is_resolved(comment):
        return "This comment is already resolved."
    return ""


def _is_resolved(comment: SectionComment) -> bool:
    return SectionComment.objects.filter(parent=comment, is_resolution=True).exists()


def _refuse(refusal: str, user) -> None:
    if refusal:
        raise (TransitionNotAllowed if _takes_part(user) else NotPermitted)(refusal)


def _locked(revision: Revision) -> Revision:
    """Lock the revision row: a comment and a status change of it never interleave."""
    return Revision.objects.select_for_update().select_related("condition").get(pk=revision.pk)


@transaction.atomic
def add_comment(
    *,
    revision: Revision,
    by,
    body: str,
    section: Section | None = None,
    quote: str = "",
) -> SectionComment:
    """Start a thread on ``revision``, about ``section`` (None: the whole revision)."""
    locked = _locked(revision)
    _refuse(comment_refusal(user=by, revision=locked), by)
    body = (body or "").strip()
    if not body:
        raise ContentProblems("Write the comment.")
    if section is not None and section.revision_id != locked.pk:
        raise ContentProblems("That section is not part of this revision.")
    quote = " ".join((quote or "").split())
    if len(quote) > QUOTE_MAX_LENGTH:
        raise ContentProblems(
            f"Quote at most {QUOTE_MAX_LENGTH} characters: the passage, not the section."
        )
    return SectionComment.objects.create(
        revision=locked,
        section=section,
        section_heading=section.heading if section is not None else "",
        quote=quote,
        body=body,
        author=by,
    )


@transaction.atomic
def reply(*, comment: SectionComment, by, body: str) -> SectionComment:
    """Answer a thread; the reply is about the same section as the thread."""
    locked = _locked(comment.revision)
    _refuse(comment_refusal(user=by, revision=locked, parent=comment), by)
    body = (body or "").strip()
    if not body:
        raise ContentProblems("Write the reply.")
    return SectionComment.objects.create(
        revision=locked,
        section_id=comment.section_id,
        section_heading=comment.section_heading,
        body=body,
        author=by,
        parent=comment,
    )


@transaction.atomic
def resolve(*, comment: SectionComment, by, note: str = "") -> SectionComment:
    """Mark a thread as dealt with, recorded as a row of its own (who, when, optional note)."""
    locked = _locked(comment.revision)
    comment = SectionComment.objects.select_related("revision").get(pk=comment.pk)
    comment.revision = locked
    _refuse(resolve_refusal(user=by, comment=comment), by)
    return SectionComment.objects.create(
        revision=locked,
        section_id=comment.section_id,
        section_heading=comment.section_heading,
        body=(note or "").strip(),
        author=by,
        parent=comment,
        is_resolution=True,
        created_at=timezone.now(),
    )
