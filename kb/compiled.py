"""Querysets compiled to SQL once per process, then run with new values.

Why: the hottest reads (a page's validators on every cache miss) are ORM querysets with
several subqueries, and Django compiles a queryset to SQL afresh on every evaluation —
about 5 ms of CPU for the page key, more than the database spends answering it. The
queryset stays the one declaration of the rule (``published_revisions`` keeps deciding
what is live); only its compilation is reused.

How: the queryset is built once with placeholder values (a slug no URL can carry, an
instant no clock shows), compiled for its database, and the placeholders are found among
the compiled parameters. Each run swaps in the real values, adapted for the database as
the ORM adapts them, and executes the same SQL. If a placeholder cannot be found among
the parameters (the database folded it into the SQL text, or two placeholders
collided with another parameter), compilation refuses, so the shortcut can never run a
query other than the one the ORM would have.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

#: An instant no clock reads (microseconds make an accidental match impossible).
PLACEHOLDER_INSTANT = dt.datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)


def _adapt(connection, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    #: Parameter position → placeholder name.
    slots: dict[int, str]
    #: Column position → (converters, expression), as Django's compiler applies them.
    converters: dict[int, tuple[list, Any]]
    #: Columns the ``values_list`` asked for (the select list holds them first, in order).
    width: int


class CompiledQuery:
    """``build(**placeholders)`` compiled once per database connection; ``rows(**values)``
    runs it.

    ``build`` must return a ``values_list`` queryset; rows come back as that queryset
    would give them (same order, values converted by the same converters).
    """

    def __init__(self, build: Callable[..., QuerySet], **placeholders: Any) -> None:
        self.build = build
        self.placeholders = placeholders
        self._model = None
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self) -> tuple[_Compiled, Any]:
        if self._model is not None:
            connection = connections[router.db_for_read(self._model)]
            if (compiled := self._compiled.get(connection)) is not None:
                return compiled, connection
        queryset = self.build(**self.placeholders)
        self._model, connection = queryset.model, connections[queryset.db]
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots: dict[int, str] = {}
        for name, value in self.placeholders.items():
            adapted = _adapt(connection, value)
            found = [i for i, param in enumerate(params) if param == adapted]
            if not found:
                raise ValueError(f"Placeholder {name!r} is not a parameter of the query.")
            if any(i in slots for i in found):
                raise ValueError(f"Placeholder {name!r} collides with another one.")
            slots.update(dict.fromkeys(found, name))
        selected = [s[0] for s in compiler.select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=compiler.get_converters(selected),
            width=compiler.col_count,
        )
        self._compiled[connection] = compiled
        return compiled, connection

    def rows(self, **values: Any) -> list[tuple]:
        """The queryset's rows for ``values`` (the same names as the placeholders)."""
        if values.keys() != self.placeholders.keys():
            raise TypeError(f"Expected values for {sorted(self.placeholders)}.")
        compiled, connection = self._compile()
        adapted = {name: _adapt(connection, value) for name, value in values.items()}
        params = [
            adapted[compiled.slots[i]] if i in compiled.slots else param
            for i, param in enumerate(compiled.params)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        result = []
        for row in fetched:
            row = list(row)
            for position, (converters, expression) in compiled.converters.items():
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
            result.append(tuple(row[: compiled.width]))
        return result


def instance(model: type[Model], *, using: str, values: Sequence, names: Sequence = ()) -> Model:
    """A model instance as if the ORM had loaded it (``Model.from_db``), from ``values`` of
    its concrete fields in ``columns(model)`` order, or of the fields ``names`` (attnames;
    the others are deferred)."""
    if not names:
        return model.from_db(using, [f.attname for f in model._meta.concrete_fields], values)
    given = dict(zip(names, values, strict=True))
    # ``from_db`` takes the values of a subset in the model's field order.
    present = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(using, present, [given[name] for name in present])


def columns(model: type[Model], *, through: str = "") -> list[str]:
    """``values_list`` names of ``model``'s concrete fields, reached ``through`` a relation."""
    prefix = f"{through}__" if through else ""
    return [prefix + (f.attname if not through else f.name) for f in model._meta.concrete_fields]


def as_datetime(value: Any) -> dt.datetime | None:
    """A date-time column as Django would return it: aware, whatever the database."""
    if value is None or isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value
