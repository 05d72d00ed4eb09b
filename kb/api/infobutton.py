"""HL7 Infobutton look-up by clinical code, the way EHRs ask MedlinePlus Connect.

An EHR sends the code of a problem on a patient's list with the code system's OID, as the
HL7 Infobutton URL-based implementation guide names the parameters
(``mainSearchCriteria.v.cs``, ``mainSearchCriteria.v.c``, optionally
``mainSearchCriteria.v.dn``), and shows the knowledge response: here, the live articles
carrying that code in the feed/entry JSON shape of MedlinePlus Connect's JSON output
(Atom elements as objects, text in ``_value``). Each entry adds our review dates and
``api_url``.

Codes match by the list's rule (``filters.with_code``); ICD-10-CM and ICD-10 codes are both
stored as ``ICD-10`` (the codes of this library are the shared WHO/CM ones). Only JSON is
answered: another ``knowledgeResponseType`` (MedlinePlus also offers Atom XML) is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from kb.api import filters
from kb.api.links import absolute, api_url, page_url
from kb.models import CodeSystem, Revision

SYSTEM_PARAM = "mainSearchCriteria.v.cs"
CODE_PARAM = "mainSearchCriteria.v.c"
DISPLAY_PARAM = "mainSearchCriteria.v.dn"
TYPE_PARAM = "knowledgeResponseType"
RESPONSE_TYPE = "application/json"
DISPLAY_MAX_LENGTH = 200
#: MedlinePlus Connect answers up to three topics; an EHR panel has room for a few more.
MAX_ENTRIES = 10

#: Code system OIDs (HL7) → the systems codes are stored under.
SYSTEMS_BY_OID = {
    "2.16.840.1.113883.6.90": CodeSystem.ICD10,  # ICD-10-CM
    "2.16.840.1.113883.6.3": CodeSystem.ICD10,  # ICD-10 (WHO)
    "2.16.840.1.113883.6.96": CodeSystem.SNOMED,  # SNOMED CT
    "2.16.840.1.113883.6.177": CodeSystem.MESH,  # MeSH
}


@dataclass(frozen=True)
class KnowledgeRequest:
    oid: str
    system: str
    code: str
    display_name: str


def _invalid(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: [message]}, code=code)


def parse_request(*, params) -> KnowledgeRequest:
    """The request's parameters, strictly: anything unsupported answers 400 naming it."""
    response_type = params.get(TYPE_PARAM, RESPONSE_TYPE)
    if response_type != RESPONSE_TYPE:
        raise _invalid(
            TYPE_PARAM,
            f"Only {RESPONSE_TYPE} is answered (got “{response_type[:60]}”).",
            "unsupported_response_type",
        )
    for name in (SYSTEM_PARAM, CODE_PARAM):
        if not params.get(name):
            raise _invalid(name, "This parameter is required.", "required")
    oid = params[SYSTEM_PARAM]
    if oid not in SYSTEMS_BY_OID:
        raise _invalid(
            SYSTEM_PARAM,
            f"Unknown code system OID “{oid[:60]}”; use one of {', '.join(SYSTEMS_BY_OID)}.",
            "unknown_code_system",
        )
    code = filters.parse_code_value(params[CODE_PARAM], name=CODE_PARAM)
    display_name = params.get(DISPLAY_PARAM, "")
    if len(display_name) > DISPLAY_MAX_LENGTH:
        raise _invalid(
            DISPLAY_PARAM,
            f"Keep the display name to {DISPLAY_MAX_LENGTH} characters.",
            "invalid_display_name",
        )
    return KnowledgeRequest(oid, SYSTEMS_BY_OID[oid], code, display_name)


def matching(*, listed: QuerySet[Revision], request: KnowledgeRequest) -> list[Revision]:
    """The first ``MAX_ENTRIES`` live articles (A–Z) carrying the requested code."""
    found = filters.with_code(listed, system=request.system, code=request.code)
    return list(found[:MAX_ENTRIES])


def _text(value: str) -> dict:
    return {"_value": value, "type": "text"}


def knowledge_response(*, request: KnowledgeRequest, revisions: list[Revision], now) -> dict:
    """The feed: who answers, what was asked (``category``), one entry per article."""
    asked = f"{request.system} {request.code}"
    if request.display_name:
        asked = f"{asked} ({request.display_name})"
    return {
        "feed": {
            "title": _text(f"{settings.KB_PUBLISHER_NAME}: articles by clinical code"),
            "subtitle": _text(f"Reviewed articles for {asked}"),
            "updated": {"_value": now},
            "author": {
                "name": {"_value": settings.KB_PUBLISHER_NAME},
                "uri": {"_value": absolute("/")},
            },
            "category": [
                {"scheme": CODE_PARAM, "term": request.code},
                {"scheme": SYSTEM_PARAM, "term": request.oid},
            ],
            "entry": [_entry(revision) for revision in revisions],
        }
    }


def _entry(revision: Revision) -> dict:
    slug = revision.condition.slug
    page = page_url(slug)
    changed = [revision.published_at, getattr(revision, "latest_review_at", None)]
    return {
        "lang": settings.LANGUAGE_CODE.split("-")[0],
        "title": _text(revision.name),
        "link": [{"href": page, "rel": "alternate", "title": revision.name}],
        "id": {"_value": page},
        "updated": {"_value": max(moment for moment in changed if moment is not None)},
        "summary": _text(revision.summary),
        "api_url": api_url(slug),
        "published_at": revision.published_at,
        "last_reviewed": revision.last_reviewed,
        "next_review_due": revision.next_review_due,
    }
