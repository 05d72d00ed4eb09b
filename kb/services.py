"""Writes that are not status transitions: creating conditions, editing drafts.

Status changes live in ``kb.workflow``; everything here leaves status alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from kb.citations import sync_citations
from kb.exceptions import ContentProblems, NotPermitted, TransitionNotAllowed
from kb.models import ChangeAction, Condition, ConditionSlug, Revision, Section
from kb.models.events import WorkflowAction
from kb.models.publication import advance
from kb.models.revision import EDITABLE_STATUSES


def validate_new_slug(*, slug: str, condition: Condition | None = None) -> str:
    """Refuse a slug already used by another condition, now or formerly."""
    slug = (slug or "").strip()
    if not slug or slug != slugify(slug):
        raise ContentProblems(
            "A slug is lower-case letters, digits and hyphens only, e.g. “cramp-fasciculation-"
            "syndrome”."
        )
    others = Condition.objects.filter(slug=slug)
    old = ConditionSlug.objects.filter(slug=slug)
    if condition is not None:
        others = others.exclude(pk=condition.pk)
        old = old.exclude(condition=condition)
    if others.exists() or old.exists():
        raise ContentProblems(f"The slug “{slug}” is already used by another condition.")
    return slug


@transaction.atomic
def create_condition(
    *,
    slug: str,
    name: str,
    summary: str,
    by,
    also_known_as: list[str] | None = None,
    sections: list[dict] | None = None,
    change_note: str = "",
) -> Revision:
    """Create a condition and its first draft revision; returns the draft."""
    from kb.workflow._base import _record

    if not (by and by.has_perm("kb.add_condition") and by.has_perm("kb.add_revision")):
        raise NotPermitted("You do not have permission to create conditions.")
    slug = validate_new_slug(slug=slug)
    if not (name or "").strip() or not (summary or "").strip():
        raise ContentProblems("A new condition needs a name and a one-line summary.")
    condition = Condition.objects.create(slug=slug)
    revision = Revision.objects.create(
        condition=condition,
        number=1,
        name=name.strip(),
        summary=summary.strip(),
        also_known_as=[n.strip() for n in (also_known_as or []) if n.strip()],
        change_note=change_note or "First version.",
        created_by=by,
    )
    for position, data in enumerate(sections or [], start=1):
        Section.objects.create(revision=revision, position=position * 10, **data)
    sync_citations(revision=revision)
    record_readability(revision=revision)
    _record(
        condition=condition,
        revision=revision,
        actor=by,
        action=WorkflowAction.CREATE,
        to_status=revision.status,
    )
    return revision


def ensure_editable(*, revision: Revision) -> None:
    if revision.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            f"This revision is {revision.get_status_display().lower()} and its text cannot be "
            "edited. "
            + (
                "Start a new draft from it instead."
                if revision.is_approved
                else "Ask the reviewer to send it back first."
            )
        )


@transaction.atomic
def record_edit(*, revision: Revision, by) -> None:
    """After a draft's text or sections changed: note the editor (I3) and re-derive citations."""
    if not by.has_perm("kb.change_revision"):
        raise NotPermitted("You do not have permission to edit revisions.")
    ensure_editable(revision=revision)
    revision.edited_by.add(by)
    sync_citations(revision=revision)
    record_readability(revision=revision)


@transaction.atomic
def update_revision(
    *,
    revision: Revision,
    by,
    expected_version: int,
    sections: list[dict] | None = None,
    **fields,
) -> Revision:
    """Change a draft's fields (and optionally replace its sections) with optimistic locking.

    ``expected_version`` is the ``lock_version`` the editor started from; if someone saved
    in between, ``StaleEdit`` is raised and nothing is written (I6).
    """
    allowed = {"name", "summary", "also_known_as", "change_note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ContentProblems(f"Unknown revision fields: {', '.join(sorted(unknown))}.")
    ensure_editable(revision=revision)
    for name, value in fields.items():
        setattr(revision, name, value)
    revision.lock_version = expected_version
    revision.updated_by = by
    revision.save()
    if sections is not None:
        revision.sections.all().delete()
        for position, data in enumerate(sections, start=1):
            Section.objects.create(revision=revision, position=position * 10, **data)
    record_edit(revision=revision, by=by)
    return revision


@transaction.atomic
def rename_condition(*, condition: Condition, new_slug: str, by) -> Condition:
    """Change a condition's slug, keeping the old one as a permanent redirect."""
    if not by.has_perm("kb.change_condition"):
        raise NotPermitted("You do not have permission to rename conditions.")
    new_slug = validate_new_slug(slug=new_slug, condition=condition)
    advance()  # first lock of every public change: one lock order everywhere
    old_slug = Condition.objects.select_for_update().get(pk=condition.pk).slug
    if new_slug == old_slug:
        return condition
    ConditionSlug.objects.filter(slug=new_slug, condition=condition).delete()
    ConditionSlug.objects.create(slug=old_slug, condition=condition)
    condition.slug = new_slug
    condition.save(update_fields=["slug"])
    if condition.published_revision_id is not None:  # partners may hold it: tell them
        from kb.workflow._base import _public_change

        _public_change(
            condition, condition.published_revision, ChangeAction.MOVED, previous_slug=old_slug
        )
        # Pages listing it as related link to the new address: keep them anew as well.
        from kb import tasks

        for pk in Condition.objects.filter(related=condition).values_list("pk", flat=True):
            tasks.enqueue_on_commit(tasks.keep_rendered_answers, pk)
    return condition


def record_readability(*, revision: Revision) -> None:
    """Store each section's plain-language scores (``kb.readability``) with the draft.

    Called wherever a draft's text is written, so the scores reviewers see later are those
    of the text they approve. Only sections whose scores changed are written.
    """
    from kb.readability import score

    ensure_editable(revision=revision)
    changed = []
    for section in Section.objects.filter(revision=revision):
        scores = score(body=section.body).as_json()
        if scores != section.readability:
            section.readability = scores
            changed.append(section)
    if changed:
        Section.objects.bulk_update(changed, ["readability"])
