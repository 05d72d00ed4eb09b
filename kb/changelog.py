"""The public change log of an article: "What changed" and when each section last changed.

Reviewed is not modified: these dates come from publications only (``PublicChange``), never
from reviews. A revision is in the log if it was actually published — a scheduled revision
that was cancelled before its time never was. Sections are followed across revisions by
kind and heading (a new draft copies its sections), so a section's "last updated" date is
the publication of the oldest revision in the unbroken run of published revisions that carry
the same text. Texts are compared as ``kb.text`` normalises them: a revision saved from a
browser before bodies were normalised on writing holds CRLF line endings, and must not date
every section it did not change.

Approved revisions never change and the publications before one never change either, so the
result for an approved revision is cached by its id. ``kb.renditions.RENDERER`` covers this
module: when the rule changes, stored renditions and cached answers are worked out again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kb.models import ChangeAction, PublicChange, Revision, Section
from kb.text import normalise_markdown

#: The change class that leaves the public "last updated" date where it was.
CORRECTION = "correction"


@dataclass(frozen=True)
class ChangeLogEntry:
    number: int
    published_at: dt.datetime
    note: str
    first: bool = False
    #: clinical, editorial or correction (``kb.models.ChangeClass``), as approved.
    change_class: str = "clinical"

    @property
    def change_class_label(self) -> str:
        return {"clinical": "Clinical change", "editorial": "Editorial change"}.get(
            self.change_class, "Correction"
        )


@dataclass(frozen=True)
class PublicHistory:
    entries: list[ChangeLogEntry]
    #: One date per section of the revision, in section order; None if never published.
    section_updated: list[dt.datetime | None]

    @property
    def last_updated(self) -> dt.datetime | None:
        """The article's public "last updated" date: its latest publication that was not a
        correction (a correction is listed, but does not make the article look newer).
        The first publication always counts."""
        for entry in self.entries:  # newest first
            if entry.change_class != CORRECTION or entry.first:
                return entry.published_at
        return None


def public_history(*, revision: Revision, sections: list[Section]) -> PublicHistory:
    """The change log up to ``revision`` and each of its sections' last-updated date."""
    if revision.is_approved and revision.published_at <= timezone.now():
        # Later publications never change the log up to a published revision.
        from kb.caching import store

        approved = int(revision.approved_at.timestamp() * 1_000_000)  # restore-proof name
        return store.named(
            f"history:{revision.pk}:{approved}", lambda: compute_history(revision, sections)
        )
    return compute_history(revision, sections)


def compute_history(revision: Revision, sections: list[Section]) -> PublicHistory:
    """The log and section dates from the database (``public_history`` caches this)."""
    first_published: dict[int, dt.datetime] = {}
    about: dict[int, tuple[int, str]] = {}
    classes: dict[int, str] = {}
    for revision_id, at, number, note, change_class in (
        PublicChange.objects.filter(
            condition_id=revision.condition_id,
            action=ChangeAction.PUBLISHED,
            revision__number__lte=revision.number,
        )
        .order_by("sequence", "id")
        # A revision went live at its published_at (a scheduled one is entered in the
        # feed a little later, when its go-live is caught up).
        .values_list("revision_id", "revision__published_at", "revision__number",
                     "revision__change_note", "revision__change_class")
    ):  # fmt: skip
        first_published.setdefault(revision_id, at)
        about[revision_id] = (number, note)
        classes[revision_id] = change_class
    if (
        revision.is_approved
        and revision.pk not in about
        and revision.published_at <= timezone.now()
    ):  # live from its go-live time, before the catch-up enters it
        first_published[revision.pk] = revision.published_at
        about[revision.pk] = (revision.number, revision.change_note)
        classes[revision.pk] = revision.change_class
    published = sorted(
        ((pk, number, note) for pk, (number, note) in about.items()),
        key=lambda row: -row[1],
    )
    texts: dict[int, dict[tuple[str, str], str]] = {pk: {} for pk, _, _ in published}
    for revision_id, kind, heading, body in Section.objects.filter(
        revision_id__in=[pk for pk, _, _ in published if pk != revision.pk]
    ).values_list("revision_id", "kind", "heading", "body"):
        texts[revision_id].setdefault(
            (kind, heading.strip().casefold()), normalise_markdown(text=body)
        )

    oldest = published[-1][0] if published else None
    entries = [
        ChangeLogEntry(
            number=number,
            published_at=first_published[pk],
            note=note.strip(),
            first=pk == oldest,
            change_class=classes[pk],
        )
        for pk, number, note in published
    ]
    older = [pk for pk, _, _ in published if pk != revision.pk]
    updated: list[dt.datetime | None] = []
    for section in sections:
        identity = (section.kind, section.heading.strip().casefold())
        date = first_published.get(revision.pk)
        body = normalise_markdown(text=section.body)
        for pk in older:
            if texts[pk].get(identity) != body:
                break
            date = first_published[pk]
        updated.append(date)
    return PublicHistory(entries=entries, section_updated=updated)
