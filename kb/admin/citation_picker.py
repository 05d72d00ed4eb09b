"""The desk's citation picker: JSON endpoints under the revision admin's URLs.

``search``: library records matching what the author types (staff with
``kb.view_reference``), a page at a time. ``check``: which cited keys of unsaved text name
no record, or a retracted one. ``lookup``: add a record from a DOI or PMID without leaving
the draft (``kb.add_reference``). The script that uses them is static/kb/desk-citations.js;
without it, the section form's "Cite references" box still works.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kb.citation_picker import PAGE_SIZE, check_keys, search_references
from kb.exceptions import NotPermitted
from kb.lookup import LookupFailed, LookupUnavailable
from kb.reference_import import import_by_identifier

PERM_VIEW_REFERENCE = "kb.view_reference"


def _refused(message: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _record(reference) -> dict:
    authors = [a.get("family") or a.get("literal") or "" for a in reference.authors or []]
    shown = ", ".join(a for a in authors[:3] if a) + (" et al." if len(authors) > 3 else "")
    return {
        "key": reference.key,
        "title": reference.title,
        "authors": shown,
        "year": reference.year,
        "doi": reference.doi or "",
        "pmid": reference.pmid or "",
        "retracted": reference.retracted,
    }


@require_GET
def search_view(request) -> JsonResponse:
    """``?q=words&page=N`` → ``{"results": [...], "page": N, "has_more": bool}``."""
    if not request.user.has_perm(PERM_VIEW_REFERENCE):
        return _refused("You do not have permission to see the reference library.")
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return _refused("The page must be a number.", 400)
    start = (page - 1) * PAGE_SIZE
    found = list(search_references(query=request.GET.get("q", ""))[start : start + PAGE_SIZE + 1])
    return JsonResponse(
        {
            "results": [_record(r) for r in found[:PAGE_SIZE]],
            "page": page,
            "has_more": len(found) > PAGE_SIZE,
        }
    )


@require_GET
def check_view(request) -> JsonResponse:
    """``?key=a&key=b`` → the keys that name no record, were merged away, or are retracted."""
    if not request.user.has_perm(PERM_VIEW_REFERENCE):
        return _refused("You do not have permission to see the reference library.")
    result = check_keys(keys=request.GET.getlist("key"))
    return JsonResponse(
        {"unknown": result.unknown, "merged": result.merged, "retracted": result.retracted}
    )


@require_POST
def lookup_view(request) -> JsonResponse:
    """``identifier=<DOI or PMID>`` → the record added (201) or found (200), to cite.

    A failed lookup answers with a message the author can act on: 404 when the service
    knows no such identifier, 502 when it could not be reached (then: add it by hand).
    """
    identifier = (request.POST.get("identifier") or "").strip()
    if not identifier:
        return _refused("Give a DOI (10.…/…) or a PubMed ID.", 400)
    try:
        found = import_by_identifier(identifier=identifier, by=request.user)
    except NotPermitted as exc:
        return _refused(str(exc))
    except LookupUnavailable as exc:
        return _refused(
            f"Lookup failed: {exc} The reference library's “Add reference” form takes the "
            "details by hand.",
            502,
        )
    except LookupFailed as exc:
        return _refused(f"Nothing found: {exc}", 404)
    except ValidationError as exc:
        return _refused("The record found cannot be saved: " + " ".join(exc.messages), 400)
    reference = found.reference
    return JsonResponse(
        {
            **_record(reference),
            "created": found.created,
            "notes": found.notes,
            "url": reverse("admin:kb_reference_change", args=[reference.pk]),
            "message": (
                f"Added [@{reference.key}] to the library."
                if found.created
                else f"Already in the library as [@{reference.key}]."
            ),
        },
        status=201 if found.created else 200,
    )
