"""Crossref and PubMed E-utilities, read within their documented limits.

Crossref (REST API, ``/works/{doi}``): a work's ``updated-by`` lists the notices that update
it, each with a ``type`` (``retraction``, ``withdrawal``, ``expression_of_concern``,
``correction``, …) and the notice's ``DOI``; Retraction Watch's data is published there too
(``source: "retraction-watch"``). A notice's own record points back with ``update-to``.
Polite use: a ``mailto`` and a descriptive User-Agent, well under the public pool's rate.

PubMed (E-utilities ``esummary``, JSON): each record's ``pubtype`` list says "Retracted
Publication" for a retracted article. Without an API key, at most 3 requests a second;
up to 200 PMIDs per request.

Both are read through ``fetch_json`` (one seam: tests answer it with recorded responses).
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from kb.evidence.models import FindingKind

CROSSREF_WORKS = "https://api.crossref.org/works/"
PUBMED_ESUMMARY = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
PUBMED_BATCH = 200

#: Crossref update types the watch reports, and what a reviewer sees them as.
CROSSREF_KINDS = {
    "retraction": FindingKind.RETRACTION,
    "partial_retraction": FindingKind.RETRACTION,
    "removal": FindingKind.WITHDRAWAL,
    "withdrawal": FindingKind.WITHDRAWAL,
    "expression_of_concern": FindingKind.EXPRESSION_OF_CONCERN,
    "correction": FindingKind.CORRECTION,
    "erratum": FindingKind.CORRECTION,
}


@dataclass(frozen=True)
class Notice:
    """One thing a source reports about a publication."""

    kind: str
    notice: str
    summary: str


class RateLimiter:
    """At most one call per ``interval`` seconds (a single worker runs the watch)."""

    def __init__(self, interval: float, *, sleep=time.sleep, clock=time.monotonic) -> None:
        self.interval = interval
        self.sleep = sleep
        self.clock = clock
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            remaining = self.interval - (self.clock() - self.last)
            if remaining > 0:
                self.sleep(remaining)
        self.last = self.clock()


def user_agent() -> str:
    contact = settings.KB_EVIDENCE_CONTACT_EMAIL
    return (
        f"{settings.KB_PUBLISHER_NAME} evidence watch/1.0 ({settings.SITE_URL}; mailto:{contact})"
    )


def fetch_json(url: str) -> dict | None:
    """GET ``url`` as JSON; None for 404 (an unknown DOI is not a finding)."""
    if not url.startswith((CROSSREF_WORKS, PUBMED_ESUMMARY)):
        raise ValueError(f"Not a Crossref or PubMed address: {url}")
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def crossref_url(doi: str) -> str:
    query = urllib.parse.urlencode({"mailto": settings.KB_EVIDENCE_CONTACT_EMAIL})
    return f"{CROSSREF_WORKS}{urllib.parse.quote(doi, safe='')}?{query}"


def crossref_notices(doi: str, answer: dict | None) -> list[Notice]:
    """The notices in a Crossref ``/works/{doi}`` answer."""
    if not answer:
        return []
    message = answer.get("message") or {}
    notices = []
    wordings = (
        ("updated-by", "reports a {label} notice: {notice}"),
        ("update-to", "says this DOI is itself a {label} notice of {notice}"),
    )
    for relation, wording in wordings:
        for update in message.get(relation) or []:
            kind = CROSSREF_KINDS.get(str(update.get("type", "")).lower())
            if kind is None:
                continue
            notice = str(update.get("DOI") or "").lower()
            label = FindingKind(kind).label.lower()
            source = update.get("source")
            via = " (Retraction Watch)" if source == "retraction-watch" else ""
            notices.append(
                Notice(
                    kind=kind,
                    notice=notice,
                    summary=f"Crossref{via} {wording.format(label=label, notice=notice or doi)}"
                    f" (cited DOI {doi})",
                )
            )
    return notices


def pubmed_url(pmids: list[str]) -> str:
    query = urllib.parse.urlencode(
        {
            "db": "pubmed",
            "id": ",".join(pmids),
            "retmode": "json",
            "tool": settings.KB_PUBLISHER_NAME,
            "email": settings.KB_EVIDENCE_CONTACT_EMAIL,
        }
    )
    return f"{PUBMED_ESUMMARY}?{query}"


def pubmed_retracted(answer: dict | None) -> set[str]:
    """PMIDs whose publication types include "Retracted Publication"."""
    result = (answer or {}).get("result") or {}
    return {
        str(uid)
        for uid in result.get("uids") or []
        if "Retracted Publication" in ((result.get(str(uid)) or {}).get("pubtype") or [])
    }
