"""Citation markers in section text: parsing, numbering, resolving and keeping rows in step.

Authors cite with ``[@key]`` or ``[@key1; @key2]``. References are numbered in order of
first citation across the whole article (Vancouver), and the ``Citation`` rows of a
revision are derived from its text by ``sync_citations`` so they never drift from it.

At approval ``freeze_citations`` stores on each row a snapshot of the cited record's
bibliographic data (I9): an approved revision shows its references as they were approved
(``approved_reference``), whatever happens to the library later, except the retraction
flag and note, which are read live (safety).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

MARKER_RE = re.compile(r"\[(@[^\[\]]+?)\]")
KEY_IN_MARKER_RE = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9_:.\-]*)$")


@dataclass(frozen=True)
class UnresolvedCitation:
    key: str
    section_heading: str
    #: When the key is that of a record merged into another: the other's key.
    merged_into: str = ""


def keys_in_marker(inner: str) -> list[str] | None:
    """``"@a; @b"`` → ``["a", "b"]``; ``None`` when the bracket is not a citation marker."""
    keys = []
    for part in inner.split(";"):
        match = KEY_IN_MARKER_RE.match(part.strip())
        if not match:
            return None
        keys.append(match.group(1))
    return keys


def cited_keys(text: str) -> list[str]:
    """Every key cited in ``text``, in order, repeats included."""
    keys: list[str] = []
    for match in MARKER_RE.finditer(text or ""):
        keys.extend(keys_in_marker(match.group(1)) or [])
    return keys


def number_keys(texts: Iterable[str]) -> dict[str, int]:
    """Number keys 1, 2, 3 … in order of first citation across ``texts``."""
    numbers: dict[str, int] = {}
    for text in texts:
        for key in cited_keys(text):
            if key not in numbers:
                numbers[key] = len(numbers) + 1
    return numbers


def replace_cited_key(*, text: str, old: str, new: str) -> str:
    """``text`` citing ``new`` wherever it cited ``old`` (markers only; a key cited twice in
    one marker as a result is cited once)."""

    def replace(match: re.Match) -> str:
        keys = keys_in_marker(match.group(1))
        if keys is None or old not in keys:
            return match.group(0)
        wanted = list(dict.fromkeys(new if key == old else key for key in keys))
        return "[" + "; ".join(f"@{key}" for key in wanted) + "]"

    return MARKER_RE.sub(replace, text or "")


def resolve_keys(keys: Iterable[str]) -> dict:
    """Map each key that exists in the library to its ``Reference`` (one query).

    A record merged into another (``Reference.merged_into``) does not resolve: only the
    approved text that cited it before the merge keeps it (through its citation rows), and
    text still being written cites the kept record (see ``merged_keys``).
    """
    from kb.models import Reference

    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    found = Reference.objects.filter(key__in=keys, merged_into__isnull=True)
    return {ref.key: ref for ref in found}


def merged_keys(*, keys: Iterable[str]) -> dict[str, str]:
    """For each of ``keys`` that names a merged-away record: the key of the record it now
    stands for, following merges to the end (a query per step; merges rarely chain)."""
    from kb.models import Reference

    keys = set(keys)
    step: dict[str, str] = {}
    frontier = keys
    while frontier:
        found = dict(
            Reference.objects.filter(key__in=frontier, merged_into__isnull=False).values_list(
                "key", "merged_into__key"
            )
        )
        found = {old: new for old, new in found.items() if old not in step}
        step.update(found)
        frontier = set(found.values())

    def last(key: str) -> str:
        seen = {key}
        while key in step and step[key] not in seen:
            key = step[key]
            seen.add(key)
        return key

    return {key: last(key) for key in keys if key in step}


def unresolved_citations(*, revision, sections=None) -> list[UnresolvedCitation]:
    """Markers that name no reference in the library, by key and section (I7)."""
    sections = list(sections if sections is not None else revision.sections.all())
    per_section = [(section.heading, cited_keys(section.body)) for section in sections]
    known = resolve_keys(key for _, keys in per_section for key in keys)
    unknown = {key for _, keys in per_section for key in keys if key not in known}
    merged = merged_keys(keys=unknown) if unknown else {}
    problems: list[UnresolvedCitation] = []
    seen: set[tuple[str, str]] = set()
    for heading, keys in per_section:
        for key in keys:
            if key not in known and (key, heading) not in seen:
                seen.add((key, heading))
                problems.append(
                    UnresolvedCitation(
                        key=key, section_heading=heading, merged_into=merged.get(key, "")
                    )
                )
    return problems


@transaction.atomic
def sync_citations(*, revision) -> None:
    """Rewrite the revision's ``Citation`` rows from its section text.

    Called whenever a draft's sections are saved; refused for approved revisions by the
    immutability guard, which is right: their citations are fixed.
    """
    from kb.models import Citation

    numbers = number_keys(section.body for section in revision.sections.all())
    known = resolve_keys(numbers)
    wanted = []
    for key, _ in sorted(numbers.items(), key=lambda item: item[1]):
        if key in known:
            wanted.append(Citation(revision=revision, reference=known[key], number=len(wanted) + 1))
    Citation.objects.filter(revision=revision).delete()
    Citation.objects.bulk_create(wanted)


#: What a snapshot keeps of a record: everything a reader sees but the retraction flag and
#: note (read live). The 0006 migration backfilled snapshots with exactly this shape; a
#: change here makes ``records_changed_since_approval`` report every older snapshot.
SNAPSHOT_FIELDS = (
    "key", "kind", "authors", "editors", "title", "container_title", "publisher", "place",
    "edition", "year", "month", "day", "volume", "issue", "pages", "doi", "pmid", "pmcid",
    "url", "accessed_on", "in_press", "degree", "season",
)  # fmt: skip

#: Fields added after snapshots were first taken, with the value an older snapshot stands
#: for: the record could not hold anything else then, so a missing key is no change.
SNAPSHOT_DEFAULTS: dict[str, Any] = {"degree": "", "season": ""}


def snapshot_value(snapshot: dict[str, Any], name: str) -> Any:
    """One field of a stored snapshot, reading an older snapshot's missing field as blank."""
    return snapshot.get(name, SNAPSHOT_DEFAULTS.get(name))


def reference_snapshot(reference) -> dict[str, Any]:
    """The record's bibliographic data as plain JSON (``accessed_on`` as an ISO date)."""
    data = {name: getattr(reference, name) for name in SNAPSHOT_FIELDS}
    if isinstance(data["accessed_on"], dt.date):
        data["accessed_on"] = data["accessed_on"].isoformat()
    return data


@transaction.atomic
def freeze_citations(*, revision) -> None:
    """Store on each citation the cited record as it is now (called by ``approve`` only).

    Runs while the revision is still in review, right before its status flips; the cited
    records are locked so the snapshot is what is committed. Afterwards the immutability
    guard keeps the rows (and so the snapshots) as they are.
    """
    from kb.models import Citation, Reference

    citations = list(Citation.objects.filter(revision=revision))
    references = Reference.objects.select_for_update().in_bulk([c.reference_id for c in citations])
    for citation in citations:
        citation.snapshot = reference_snapshot(references[citation.reference_id])
    Citation.objects.bulk_update(citations, ["snapshot"])


class FrozenReference:
    """A cited record as approved: the snapshot's data with the live retraction flag.

    Duck-types ``Reference`` for the formatter (``kb.vancouver``), the templates and the
    API serializer.
    """

    def __init__(self, snapshot: dict[str, Any], live) -> None:
        for name in SNAPSHOT_FIELDS:
            setattr(self, name, snapshot_value(snapshot, name))
        accessed = self.accessed_on
        self.accessed_on = dt.date.fromisoformat(accessed) if isinstance(accessed, str) else None
        self.authors = self.authors or []
        self.editors = self.editors or []
        self.pk = self.id = live.pk
        self.retracted = live.retracted
        self.retraction_note = live.retraction_note

    @property
    def first_author_family(self) -> str:
        for author in self.authors:
            return author.get("family") or author.get("literal") or ""
        return ""

    def __repr__(self) -> str:
        return f"<FrozenReference {self.key}>"


def approved_reference(citation):
    """What readers see of one citation of an approved revision (its ``reference`` loaded).

    A citation without a snapshot (none should remain after the 0006 backfill) shows the
    live record rather than nothing.
    """
    if citation.snapshot is None:
        return citation.reference
    return FrozenReference(citation.snapshot, citation.reference)


def _ascii_slug(text: str) -> str:
    from kb.refdata import fold_accents

    folded = unicodedata.normalize("NFKD", fold_accents(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def generate_key(*, reference) -> str:
    """A readable key such as ``jansen1991``; ``jansen1991a``, ``b`` … on collision."""
    from kb.models import Reference

    stem = _ascii_slug(reference.first_author_family)[:30]
    if not stem:
        stem = _ascii_slug(" ".join((reference.title or "ref").split()[:1]))[:30] or "ref"
    base = f"{stem}{reference.year or 'nd'}"
    taken = set(
        Reference.objects.filter(key__startswith=base)
        .exclude(pk=reference.pk)
        .values_list("key", flat=True)
    )
    if base not in taken:
        return base
    for suffix in "abcdefghijklmnopqrstuvwxyz":
        if f"{base}{suffix}" not in taken:
            return f"{base}{suffix}"
    counter = 2
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"
