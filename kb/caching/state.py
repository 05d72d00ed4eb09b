"""The publication state of the database, read once per request.

A cached public answer is current exactly when it was computed under the database's
present identity and publication sequence (``kb.models.publication``). Both are read here
in one query on the primary, with the latest scheduled go-live that has come but not yet
been caught up (scheduled publishing is resolved at query time, so time moves answers on
with no write). The result names every cached public answer of the request.

Within a request the state is read once (``FreshnessMiddleware`` scopes it), so a page
and everything it includes agree on one state. Outside a request every call reads again.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kb.models import Condition, PublicationState
from kb.models.publication import STATE_ID


@dataclass(frozen=True)
class Freshness:
    database_id: str
    sequence: int
    access_sequence: int
    #: The latest go-live time that has come for a revision still held as scheduled (in
    #: microseconds; 0 if none): a go-live moves answers on without a write.
    due: int

    @property
    def tag(self) -> str:
        """What names an answer computed from public content in this state."""
        return f"{self.sequence}.{self.due}"


_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("kb_freshness", default=None)


def read() -> Freshness:
    """The state now, from the primary (one query)."""
    due = (
        Condition.objects.using(DEFAULT_DB_ALIAS)
        .filter(scheduled_revision__published_at__lte=timezone.now())
        .order_by("-scheduled_revision__published_at")
        .values("scheduled_revision__published_at")[:1]
    )
    row = (
        PublicationState.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk=STATE_ID)
        .annotate(due=Subquery(due))
        .values_list("database_id", "sequence", "access_sequence", "due")
        .first()
    )
    if row is None:  # a database emptied around the migrations (e.g. by a test flush)
        PublicationState.objects.using(DEFAULT_DB_ALIAS).get_or_create(pk=STATE_ID)
        return read()
    database_id, sequence, access_sequence, due = row
    return Freshness(
        database_id=database_id.hex,
        sequence=sequence,
        access_sequence=access_sequence,
        due=int(due.timestamp() * 1_000_000) if due else 0,
    )


def current() -> Freshness:
    """The state this request works in (read on first use)."""
    scope = _scope.get()
    if scope is None:
        return read()
    if "state" not in scope:
        scope["state"] = read()
    return scope["state"]


def forget() -> None:
    """Read the state again on next use (after this request itself changed content)."""
    scope = _scope.get()
    if scope is not None:
        scope.pop("state", None)


class FreshnessMiddleware:
    """One state per request: read lazily, forgotten when the request ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _scope.set({})
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)


def sequence_of(alias: str) -> tuple[str, int] | None:
    """The identity and publication sequence another database (a replica) has reached."""
    row = (
        PublicationState.objects.using(alias)
        .filter(pk=STATE_ID)
        .values_list("database_id", "sequence")
        .first()
    )
    return None if row is None else (row[0].hex, row[1])
