"""Citation markers in section text: parsing, numbering, resolving and keeping rows in step.

Authors cite with ``[@key]`` or ``[@key1; @key2]``. References are numbered in order of
first citation across the whole article (Vancouver), and the ``Citation`` rows of a
revision are derived from its text by ``sync_citations`` so they never drift from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

MARKER_RE = re.compile(r"\[(@[^\[\]]+?)\]")
KEY_IN_MARKER_RE = re.compile(r"^@([A-Za-z0-9][A-Za-z0-9_:.\-]*)$")


@dataclass(frozen=True)
class UnresolvedCitation:
    key: str
    section_heading: str


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


def resolve_keys(keys: Iterable[str]) -> dict:
    """Map each key that exists in the library to its ``Reference`` (one query)."""
    from kb.models import Reference

    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    return {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}


def unresolved_citations(*, revision, sections=None) -> list[UnresolvedCitation]:
    """Markers that name no reference in the library, by key and section (I7)."""
    sections = list(sections if sections is not None else revision.sections.all())
    per_section = [(section.heading, cited_keys(section.body)) for section in sections]
    known = resolve_keys(key for _, keys in per_section for key in keys)
    problems: list[UnresolvedCitation] = []
    seen: set[tuple[str, str]] = set()
    for heading, keys in per_section:
        for key in keys:
            if key not in known and (key, heading) not in seen:
                seen.add((key, heading))
                problems.append(UnresolvedCitation(key=key, section_heading=heading))
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
