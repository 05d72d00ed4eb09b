"""Filling a reference from its DOI (Crossref) or PMID (NCBI E-utilities).

Real HTTP with the standard library: a timeout on every call, a descriptive User-Agent with
a contact address (both services ask for one), and a minimum gap between calls to each
service (NCBI allows three requests a second without an API key; Crossref asks polite
users to stay well under its limits). When a service cannot be reached the caller gets
``LookupUnavailable`` with a plain message, and manual entry still works.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from django.conf import settings

from kb.refdata import (
    ReferenceData,
    normalise_doi,
    normalise_pmid,
    normalise_season,
    parse_author_name,
)

CROSSREF_URL = "https://api.crossref.org/works/{doi}"
ESUMMARY_URL = (
    "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?db=pubmed&retmode=json&id={pmid}"
)
TIMEOUT_SECONDS = 8
MIN_INTERVAL = {"crossref": 0.2, "ncbi": 0.34}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
)}  # fmt: skip


class LookupFailed(Exception):
    """Base class: the lookup gave no usable record."""


class LookupNotFound(LookupFailed):
    """The service answered, but knows no such identifier."""


class LookupUnavailable(LookupFailed):
    """The service could not be reached or answered with an error."""


_last_call: dict[str, float] = {}
_lock = threading.Lock()


def _wait_turn(service: str) -> None:
    with _lock:
        gap = MIN_INTERVAL[service] - (time.monotonic() - _last_call.get(service, 0.0))
        if gap > 0:
            time.sleep(gap)
        _last_call[service] = time.monotonic()


def user_agent() -> str:
    contact = getattr(settings, "LOOKUP_CONTACT_EMAIL", "") or "editors@example.org"
    return f"ClearviewHealthLibrary/1.0 (reference lookup; mailto:{contact})"


def http_get_json(url: str, *, service: str) -> dict:
    """GET ``url`` and decode JSON; every failure becomes a ``LookupFailed`` subclass."""
    _wait_turn(service)
    request = urllib.request.Request(  # noqa: S310 - fixed https:// URLs only
        url, headers={"User-Agent": user_agent(), "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise LookupNotFound("The service does not know this identifier.") from exc
        raise LookupUnavailable(f"The service answered with an error (HTTP {exc.code}).") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LookupUnavailable(
            "The lookup service could not be reached. Enter the details by hand."
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise LookupUnavailable("The service sent an answer that could not be read.") from exc


Fetch = Callable[..., dict]


def lookup_doi(raw: str, *, fetch: Fetch | None = None) -> ReferenceData:
    fetch = fetch or http_get_json
    doi = normalise_doi(raw)
    if not doi:
        raise LookupNotFound(f"“{raw}” is not a DOI (they start with 10. and contain a /).")
    payload = fetch(CROSSREF_URL.format(doi=urllib.parse.quote(doi, safe="/")), service="crossref")
    item = payload.get("message") if isinstance(payload, dict) else None
    if not isinstance(item, dict):
        raise LookupUnavailable("Crossref sent an answer in an unexpected shape.")
    return _from_crossref(item, doi)


def _from_crossref(item: dict, doi: str) -> ReferenceData:
    kinds = {"journal-article": "journal", "book": "book", "book-chapter": "chapter",
             "report": "guideline", "monograph": "book", "posted-content": "webpage"}  # fmt: skip
    authors = []
    for person in item.get("author") or []:
        if person.get("family"):
            authors.append(parse_author_name(f"{person['family']}, {person.get('given', '')}"))
        elif person.get("name"):
            authors.append({"literal": person["name"]})
    parts = ((item.get("issued") or item.get("published") or {}).get("date-parts") or [[None]])[0]
    parts = list(parts) + [None] * (3 - len(parts))
    short = item.get("short-container-title") or []
    container = (short[0] if short else None) or (item.get("container-title") or [""])[0]
    return ReferenceData(
        kind=kinds.get(item.get("type", ""), "journal"),
        authors=authors,
        title=((item.get("title") or [""])[0] or "").strip(),
        container_title=(container or "").replace(".", ""),
        publisher=item.get("publisher") or "",
        year=parts[0],
        month=parts[1],
        day=parts[2],
        volume=item.get("volume") or "",
        issue=item.get("issue") or "",
        pages=item.get("page") or "",
        doi=doi,
        url="",
    )


def lookup_pmid(raw: str, *, fetch: Fetch | None = None) -> ReferenceData:
    fetch = fetch or http_get_json
    pmid = normalise_pmid(raw)
    if not pmid:
        raise LookupNotFound(f"“{raw}” is not a PubMed ID (PMIDs are digits).")
    payload = fetch(ESUMMARY_URL.format(pmid=pmid), service="ncbi")
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise LookupUnavailable("PubMed sent an answer in an unexpected shape.")
    doc = result.get(pmid)
    if not isinstance(doc, dict) or "error" in doc:
        raise LookupNotFound(f"PubMed has no record {pmid}.")
    authors = [
        {"literal": a["name"]} if a.get("authtype") == "CollectiveName" else
        parse_author_name(a["name"])
        for a in doc.get("authors") or [] if a.get("name")
    ]  # fmt: skip
    ids = {i.get("idtype"): i.get("value") for i in doc.get("articleids") or []}
    date = (doc.get("pubdate") or "").split()
    year = int(date[0]) if date and date[0].isdigit() else None
    month = MONTHS.get(date[1][:3].lower()) if len(date) > 1 else None
    day = int(date[2]) if len(date) > 2 and date[2].isdigit() else None
    title = (doc.get("title") or "").strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return ReferenceData(
        kind="journal",
        authors=authors,
        title=title,
        container_title=doc.get("source") or "",
        year=year,
        month=month,
        day=day,
        season=normalise_season(" ".join(date[1:])),  # "2004 Aug-Sep", "2004 Spring"
        volume=doc.get("volume") or "",
        issue=doc.get("issue") or "",
        pages=doc.get("pages") or "",
        doi=normalise_doi(ids.get("doi") or ""),
        pmid=pmid,
        pmcid=ids.get("pmc") or "",
        retracted="Retracted Publication" in (doc.get("pubtype") or []),
    )


def lookup(identifier: str, *, fetch: Fetch | None = None) -> ReferenceData:
    """A DOI or a PMID, whichever ``identifier`` looks like."""
    value = (identifier or "").strip()
    if normalise_doi(value):
        return lookup_doi(value, fetch=fetch)
    if value.lower().startswith("pmid") or value.isdigit():
        return lookup_pmid(value, fetch=fetch)
    raise LookupNotFound(f"“{identifier}” is neither a DOI nor a PubMed ID.")
