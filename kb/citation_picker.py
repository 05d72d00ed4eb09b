"""Reads behind the desk's citation picker: finding library records as an author types,
and saying which cited keys will not resolve.

Both answer the editor while the text is still unsaved, so they take plain strings, not a
revision. What they report is what ``kb.workflow.citation_problems`` refuses at
submission (I7), plus retractions, which are allowed but must be seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kb.citations import merged_keys, resolve_keys
from kb.models import Reference
from kb.refdata import normalise_doi, normalise_pmid

#: Records returned per page of results: enough to choose from, small enough to read.
PAGE_SIZE = 10
#: Longest query taken; more is not a search any author types.
MAX_QUERY = 200
#: Keys checked in one call (a long article cites well under this many).
MAX_KEYS = 300


def search_references(*, query: str) -> QuerySet[Reference]:
    """Library records matching every word of ``query`` in key, title, authors, year,
    DOI or PMID; records merged into another are left out (they no longer resolve).

    A whole DOI or PMID finds its record directly, however it is written
    (``https://doi.org/…``, ``PMID: 123``).
    """
    query = (query or "").strip()[:MAX_QUERY]
    records = Reference.objects.filter(merged_into__isnull=True)
    if not query:
        return records.none()
    doi = normalise_doi(query)
    if doi:
        return records.filter(doi=doi).order_by("key")
    if re.fullmatch(r"(?i)pmid:?\s*\d+", query):
        return records.filter(pmid=normalise_pmid(query)).order_by("key")
    for word in query.split():
        match = (
            Q(key__icontains=word)
            | Q(title__icontains=word)
            | Q(authors__icontains=word)
            | Q(doi__icontains=word)
            | Q(pmid=word)
        )
        if re.fullmatch(r"\d{4}", word):
            match |= Q(year=int(word))
        records = records.filter(match)
    return records.order_by("-year", "key")


@dataclass(frozen=True)
class KeyCheck:
    """What the editor must see about the keys of unsaved text."""

    unknown: list[str]
    merged: dict[str, str]
    retracted: list[str]


def check_keys(*, keys: list[str]) -> KeyCheck:
    """Split ``keys`` into those naming no record, those merged away (with the key to cite
    instead) and those of retracted records; keys are checked once each, in order."""
    keys = list(dict.fromkeys(k for k in keys if k))[:MAX_KEYS]
    known = resolve_keys(keys)
    missing = [k for k in keys if k not in known]
    merged = merged_keys(keys=missing) if missing else {}
    return KeyCheck(
        unknown=[k for k in missing if k not in merged],
        merged={k: merged[k] for k in missing if k in merged},
        retracted=[k for k in keys if k in known and known[k].retracted],
    )
