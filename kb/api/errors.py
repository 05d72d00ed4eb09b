"""One error shape for every error status: ``{"detail": "...", "code": "..."}``.

Partners write one error branch, so validation errors (which DRF nests per field) are
flattened into one sentence naming the parameter, and the code is the first error's code.
An exception may add documented fields (``extra``), e.g. ``withdrawn_at`` on 410.

A permanent redirect answers in the same shape with the new address in ``location`` (and
in the ``Location`` header): a client that does not follow redirects still reads JSON.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Gone(exceptions.APIException):
    """The condition was withdrawn: partners must take their copy down (410)."""

    status_code = status.HTTP_410_GONE
    default_detail = "This condition has been withdrawn. Remove your copy of it."
    default_code = "gone"

    def __init__(self, *, withdrawn_at) -> None:
        super().__init__()
        self.extra = {"withdrawn_at": withdrawn_at}


def moved_permanently(*, location: str) -> Response:
    """301 to ``location`` (absolute), with a JSON body of the error shape naming it."""
    response = Response(
        {
            "detail": "This address has moved permanently; use the one in `location`.",
            "code": "moved_permanently",
            "location": location,
        },
        status=status.HTTP_301_MOVED_PERMANENTLY,
    )
    response["Location"] = location
    return response


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a bug, left to Django's 500 handling
    detail, code = flatten(exc.detail, exc.get_codes())
    response.data = {"detail": detail, "code": code, **getattr(exc, "extra", {})}
    return response


def flatten(detail, codes, field: str = "") -> tuple[str, str]:
    """Nested DRF error details → one message and the first code."""
    messages: list[str] = []
    first_code = ""
    for message, code in _walk(detail, codes, field):
        messages.append(message)
        first_code = first_code or code
    return " ".join(messages) or "Error.", first_code or "error"


def _walk(detail, codes, field: str):
    if isinstance(detail, dict):
        for name, value in detail.items():
            if isinstance(name, int):  # an item of a list field: events[0]
                label = f"{field}[{name}]" if field else ""
            else:
                label = "" if name in ("non_field_errors", "detail") else name
            yield from _walk(value, codes.get(name, "") if isinstance(codes, dict) else "", label)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            code = codes[index] if isinstance(codes, list) and index < len(codes) else codes
            yield from _walk(value, code, field)
    else:
        text = str(detail)
        yield (f"{field}: {text}" if field else text), (codes if isinstance(codes, str) else "")
