"""Keyed answers: one pipeline for the article page and the partner API's detail.

1. The validators (ETag, Last-Modified, the revision they name) are read from the
   database in one query and cached in the current publication state (``store.fresh``),
   so a warm request costs the state read and nothing else.
2. A conditional request whose validators match is answered 304 from them alone.
3. The body is cached under the ETag (``store.named``), which names everything it
   shows, so an edit elsewhere never re-renders it. A body rendered from a revision other
   than the one the validators name (it changed in between) is served once, not kept.
4. On a miss, an answer kept rendered in the database (``kept``) is used when it was kept
   under these validators; otherwise the body is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from kb.caching import kept, store


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: int | None
    #: The approved revision whose text the body shows.
    revision_id: int
    #: ``(template, key)`` of the answers kept rendered for the revision, when read with
    #: the validators (``kb.caching.kept``); None: not read.
    kept: tuple | None = None


class NotLive(Exception):
    """Nothing is live under this name now: the caller answers 301, 404 or 410."""


def not_modified(
    request: HttpRequest, *, etag: str, last_modified: int | None
) -> HttpResponseBase | None:
    """A 304 answer (with the validators) when the client's copy is current, else None.

    Only If-None-Match and If-Modified-Since are honoured (If-None-Match wins, RFC 9110);
    public answers have no use for If-Match / If-Unmodified-Since, so those are ignored
    rather than answered with 412.
    """
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None or response.status_code != 304:
        return None
    return set_validators(response, etag=etag, last_modified=last_modified)


def set_validators(response, *, etag: str, last_modified: int | None):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    return response


def keyed_answer(
    request: HttpRequest,
    *,
    name: str,
    read_validators: Callable[[], Validators | None],
    render: Callable[[], tuple[int, Any]],
    respond: Callable[[Any], HttpResponseBase],
    kept_as: str | None = None,
    kept_body: Callable[[bytes], Any] = bytes,
) -> HttpResponseBase:
    """The answer for ``name``: 304, or ``respond(body)`` with validators; raises NotLive.

    ``render()`` returns (the revision id it read, the body); it runs only when the body
    is not cached (nor kept as ``kept_as``, its template, whose bytes ``kept_body`` makes
    a body of), and may itself raise NotLive.
    """
    read_here = []

    def read_now() -> Validators | None:
        read_here.append(True)
        return read_validators()

    validators = store.fresh(f"{name}:validators", read_now)
    if validators is None:
        raise NotLive(name)
    etag, last_modified = validators.etag, validators.last_modified
    if answer := not_modified(request, etag=etag, last_modified=last_modified):
        return answer

    def body() -> tuple[int, Any]:
        if kept_as is not None:
            content = kept.read(
                template=kept_as, name=name, validators=validators, listed=bool(read_here)
            )
            if content is not None:
                return validators.revision_id, kept_body(content)
        return render()

    rendered = store.named(
        f"{name}:{etag}", body, keep=lambda pair: pair[0] == validators.revision_id
    )
    return set_validators(respond(rendered[1]), etag=etag, last_modified=last_modified)
