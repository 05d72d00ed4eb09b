"""Send public reads to a read replica; everything else to the primary.

Used only when ``DATABASE_REPLICA_URL`` is set (settings add the ``replica`` alias and this
router). ``PublicReadsMiddleware`` marks a request as a public read — GET or HEAD, outside
the editorial desk, by nobody signed in — and only then do reads go to the replica. Writes,
the desk, sign-in and anything a signed-in editor does use the primary, so editors always
see their own changes; readers may see a publication a replication lag later.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_public_read = contextvars.ContextVar("public_read", default=False)

#: Paths whose reads must see the primary (the editorial desk and its sign-in).
PRIMARY_PREFIXES = ("/admin/",)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _public_read.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"  # the replica is migrated by replication, not by us


def reads_from_replica() -> bool:
    """Whether this request's reads go to the replica (so may lag behind the primary)."""
    return _public_read.get() and REPLICA in settings.DATABASES


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
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)
