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
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kb.models import Condition, PublicationState, Revision
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


def _state_sql() -> str:
    state = PublicationState._meta
    condition = Condition._meta
    revision = Revision._meta
    return (
        # Table names come from the models; every value is a parameter.
        f"SELECT s.database_id, s.sequence, s.access_sequence, ("  # noqa: S608
        f"SELECT r.published_at FROM {condition.db_table} c"
        f" JOIN {revision.db_table} r ON c.scheduled_revision_id = r.id"
        f" WHERE c.scheduled_revision_id IS NOT NULL AND r.published_at <= %s"
        f" ORDER BY r.published_at DESC LIMIT 1)"
        f" FROM {state.db_table} s WHERE s.id = %s"
    )


def read() -> Freshness:
    """The state now, from the primary (one query).

    Every public request runs this, so it is plain SQL (building it with the ORM cost
    more than running it) and index-only on the scheduled side (``kb_condition_scheduled``).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [now, STATE_ID])
        row = cursor.fetchone()
    if row is None:  # a database emptied around the migrations (e.g. by a test flush)
        PublicationState.objects.using(DEFAULT_DB_ALIAS).get_or_create(pk=STATE_ID)
        return read()
    database_id, sequence, access_sequence, due = row
    if isinstance(due, str):  # SQLite returns text
        due = parse_datetime(due)
        if due is not None and timezone.is_naive(due):
            due = timezone.make_aware(due, dt.UTC)
    return Freshness(
        database_id=uuid.UUID(str(database_id)).hex,
        sequence=int(sequence),
        access_sequence=int(access_sequence),
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
