"""Send public reads to a read replica; everything else to the primary.

Used only when ``DATABASE_REPLICA_URL`` is set (settings add the ``replica`` alias and this
router). ``PublicReadsMiddleware`` marks a request as a public read — GET or HEAD, outside
the editorial desk, by nobody signed in — and only then do reads go to the replica. Writes,
the desk, sign-in and anything a signed-in editor does use the primary, so editors always
see their own changes.

A replica that lags must never serve what the primary has withdrawn (I10). So a public
request reads from the replica only when the replica has replayed the primary's latest
public change: the request's publication state is read from the primary
(``kb.caching.state``, one small query), the replica's own publication sequence from the
replica, and the replica is used only if it is not behind. On PostgreSQL the replica is
also skipped while its replay lags more than ``DATABASE_REPLICA_MAX_LAG`` seconds behind
what it has received. Decided once per request; otherwise the primary answers.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_public_read = contextvars.ContextVar("public_read", default=False)
_replica_ok: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "replica_ok", default=None
)

#: Paths whose reads must see the primary (the editorial desk and its sign-in).
PRIMARY_PREFIXES = ("/admin/",)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if reads_from_replica():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"  # the replica is migrated by replication, not by us


def reads_from_replica() -> bool:
    """Whether this request's reads go to the replica (which is then not behind)."""
    if not (_public_read.get() and REPLICA in settings.DATABASES):
        return False
    decided = _replica_ok.get()
    if decided is None:
        return replica_is_current()
    if not decided:
        decided.append(replica_is_current())
    return decided[0]


@contextlib.contextmanager
def primary() -> Iterator[None]:
    """Every read in the block goes to the primary (a write inside a public read)."""
    token = _public_read.set(False)
    try:
        yield
    finally:
        _public_read.reset(token)


def replica_is_current() -> bool:
    """Whether the replica has replayed the primary's latest public change (two queries)."""
    from django.db import connections
    from django.db.utils import DatabaseError

    from kb.caching.state import current, sequence_of

    primary_state = current()
    connection = connections[REPLICA]
    try:
        reached = sequence_of(REPLICA)
        # A copy of this database (same identity) that has replayed its latest change.
        if reached is None or reached[0] != primary_state.database_id:
            return False
        if reached[1] < primary_state.sequence:
            return False
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                    "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) "
                    "END"
                )
                lag = cursor.fetchone()[0]
                if lag is not None and lag > settings.DATABASE_REPLICA_MAX_LAG:
                    return False
    except DatabaseError:
        return False  # a replica that cannot answer is not used
    return True


def is_public_read(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(PRIMARY_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class PublicReadsMiddleware:
    """Mark public reads so that ``ReplicaRouter`` sends their queries to the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _public_read.set(is_public_read(request))
        decided = _replica_ok.set([])
        try:
            return self.get_response(request)
        finally:
            _replica_ok.reset(decided)
            _public_read.reset(token)
