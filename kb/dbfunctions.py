"""Database functions the ORM lacks, written for both PostgreSQL and SQLite."""

from __future__ import annotations

from django.db.models import Aggregate, JSONField


class JSONList(Aggregate):
    """The values of a group as one JSON array (PostgreSQL ``JSONB_AGG``, SQLite
    ``JSON_GROUP_ARRAY``), in no particular order: callers sort what they read.

    Why: a page no cache holds reads a few small lists that belong to it (retracted
    references, clinical codes) as a column of its own query, rather than one round trip
    each.
    """

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)
