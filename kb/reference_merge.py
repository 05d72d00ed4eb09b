"""Merging two library records that are one publication (a duplicate found by a person,
typically from an import's "possible duplicate of [key]").

What a merge does, in one transaction:

- Every revision still being written or reviewed (draft, in review, changes requested)
  that cites the merged-away record cites the kept one instead: its section text has the
  key replaced in the citation markers, its citation rows are derived again, and its lock
  version moves, so an editor or reviewer who opened the older text is told to reload
  rather than saving or approving it over the merge. Whoever merges is not recorded as an
  editor of those revisions: replacing a key is not writing the text (I3).
- Approved revisions are immutable (I2) and show the references frozen at their approval
  (I9): they keep citing the merged-away record, by key in their text and by row.
- So the merged-away record is never deleted. It stays as an alias
  (``Reference.merged_into``): read-only in the desk, never again a match for an import
  (an import of it matches the kept record), and not resolvable by new text, which is told
  to cite the kept key; a new draft started from approved text citing it cites the kept
  record (``kb.workflow.start_new_draft``). Keeping it always, not only when approved
  text cites it, means one rule, a log that stays attached to both records, and keys in
  exports and in editors' open forms that still mean something.
- The merge is logged on both records as a ``ReferenceEvent`` (append-only), with who,
  when and the note.

Who may merge is ``kb.workflow.reference_merge_refusal`` (the desk shows the same rule). A record
flagged as retracted is not merged into an unflagged one: the flag is a safety notice and
must not be lost for the drafts that cite it.
"""

from __future__ import annotations

from django.db import transaction

from kb.citations import replace_cited_key, sync_citations
from kb.exceptions import NotPermitted, TransitionNotAllowed
from kb.models import Citation, Reference, ReferenceAction, ReferenceEvent, Revision, Section
from kb.models.publication import advance
from kb.models.revision import OPEN_STATUSES


@transaction.atomic
def merge_references(*, keep: Reference, merge: Reference, by, note: str = "") -> ReferenceEvent:
    """Merge ``merge`` into ``keep``; returns the event logged on the merged-away record."""
    from kb.workflow import reference_merge_refusal

    refusal = reference_merge_refusal(by)
    if refusal:
        raise NotPermitted(refusal)
    if keep.pk == merge.pk:
        raise TransitionNotAllowed("A reference cannot be merged into itself.")
    advance()  # first lock of every public change: one lock order everywhere
    locked = Reference.objects.select_for_update().in_bulk([keep.pk, merge.pk])
    keep, merge = locked[keep.pk], locked[merge.pk]
    if merge.merged_into_id is not None:
        raise TransitionNotAllowed(
            f"[{merge.key}] was already merged into [{merge.merged_into.key}]."
        )
    if keep.merged_into_id is not None:
        raise TransitionNotAllowed(
            f"[{keep.key}] was itself merged into [{keep.merged_into.key}]: merge into that "
            "record instead."
        )
    if merge.retracted and not keep.retracted:
        raise TransitionNotAllowed(
            f"[{merge.key}] is flagged as retracted and [{keep.key}] is not. Flag "
            f"[{keep.key}] first (if it is the same publication, it is retracted too), then "
            "merge."
        )

    repointed = _repoint_open_revisions(old=merge, new=keep)
    merge.merged_into = keep
    merge.save(update_fields=["merged_into"])

    note = (note or "").strip()
    where = (
        f" Citations of {repointed} revision(s) still being written or reviewed now cite "
        f"[{keep.key}]."
        if repointed
        else ""
    )
    approved = (
        Citation.objects.filter(reference=merge, revision__status="approved")
        .values("revision")
        .distinct()
        .count()
    )
    kept_for = f" {approved} approved revision(s) keep citing it." if approved else ""
    event = ReferenceEvent.objects.create(
        reference=merge,
        actor=by,
        action=ReferenceAction.MERGED_INTO,
        note=f"Merged into [{keep.key}].{where}{kept_for} {note}".strip(),
    )
    ReferenceEvent.objects.create(
        reference=keep,
        actor=by,
        action=ReferenceAction.MERGED_FROM,
        note=f"[{merge.key}] merged into this record.{where} {note}".strip(),
    )
    return event


def _repoint_open_revisions(*, old: Reference, new: Reference) -> int:
    """Cite ``new`` instead of ``old`` in every revision not yet approved; how many."""
    ids = set(
        Citation.objects.filter(reference=old, revision__status__in=OPEN_STATUSES).values_list(
            "revision_id", flat=True
        )
    )
    revisions = Revision.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    count = 0
    for revision in revisions:
        for section in Section.objects.filter(revision=revision):
            body = replace_cited_key(text=section.body, old=old.key, new=new.key)
            if body != section.body:
                section.body = body
                section.save(update_fields=["body"])
        revision.save()  # a new lock version: forms opened on the older text must reload
        sync_citations(revision=revision)
        count += 1
    return count


def duplicate_candidates(*, reference: Reference, limit: int = 20) -> list[Reference]:
    """Records that may be the same publication as ``reference``, to offer in the desk:
    the same title key (one indexed query; any year, as a year is sometimes wrong), and
    not aliases."""
    return list(
        Reference.objects.filter(title_key=reference.title_key, merged_into__isnull=True)
        .exclude(pk=reference.pk)
        .order_by("year", "key")[:limit]
    )


def merge_consequences(*, reference: Reference) -> dict[str, int]:
    """What merging ``reference`` away would change: revisions repointed, approved kept."""
    cited = Citation.objects.filter(reference=reference)
    return {
        "open": cited.filter(revision__status__in=OPEN_STATUSES).count(),
        "approved": cited.filter(revision__status="approved").count(),
    }
