"""Pages: ``count``, ``next``, ``previous``, ``results``.

DRF's ``PageNumberPagination`` silently clamps a too-large ``page_size`` and ignores a
malformed one; a partner who asks for something we do not serve should be told, so both
parameters are checked strictly and a bad value answers 400. A page past the last one
answers 404.

The condition list (``ConditionPagination``) is paged by key: its ``next`` and
``previous`` links carry a ``cursor`` (``kb.api.keyset``), and ``page=N`` keeps working
for existing partners, found from the list's outline rather than by an offset.
"""

from __future__ import annotations

import hashlib
import math
import re

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kb.api import filters, keyset, queries
from kb.api.keyset import Cursor, Direction, Place
from kb.caching import store

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: One mark of the list's outline every this many items: a page number is found by a range
#: scan of fewer than this many keys past the mark before it.
MARK_EVERY = 100
_POSITIVE_INT_RE = re.compile(r"^[1-9][0-9]{0,9}$")


def positive_int(raw: str, *, name: str, maximum: int | None = None) -> int:
    if not _POSITIVE_INT_RE.fullmatch(raw):
        raise ValidationError({name: [f"Must be a whole number from 1{_upto(maximum)}."]},
                              code=f"invalid_{name}")  # fmt: skip
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be a whole number from 1{_upto(maximum)}."]},
                              code=f"invalid_{name}")  # fmt: skip
    return value


def _upto(maximum: int | None) -> str:
    return f" to {maximum}" if maximum else " up"


class PartnerPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    last_page_strings = ()

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return positive_int(raw, name=self.page_size_query_param, maximum=self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return positive_int(raw, name=self.page_query_param)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the last answers 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 9999999999},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, 1 to {MAX_PAGE_SIZE} "
                f"(default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "example": 42},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


class ConditionPagination(PartnerPagination):
    """The condition list, paged by key.

    - ``cursor``: the items after (or before) a place in the A–Z order. ``next`` and
      ``previous`` links carry one, so a partner walking the list never skips or repeats
      an item when conditions are published or withdrawn meanwhile, and each page costs a
      range scan from its place however deep it is. With ``cursor``, ``page`` is ignored.
    - ``page=N``: the items at ``(N - 1) * page_size`` onwards, read from the mark of the
      list's outline before them (``queries.Outline``), as they always were.

    ``count`` comes from the outline too. The outline is one query over the filtered list,
    cached in the current publication state, so every page of a list in one state shares
    it (``kb.caching.store``).
    """

    cursor_query_param = "cursor"
    mark_every = MARK_EVERY

    def paginate_queryset(self, queryset, request, view=None) -> list:
        """The page's items (``queryset`` is ``queries.listed_keys()``, filtered)."""
        self.request = request
        size = self.get_page_size(request)
        number = self.get_page_number(request, None)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        cursor = None if raw_cursor is None else keyset.parse_cursor(raw_cursor)
        outline = self._outline(queryset, request)
        self.count = outline.count
        self.next_cursor = self.previous_cursor = None
        self.first_page_next = False
        if cursor is None:
            keys = self._numbered(queryset, outline, number=number, size=size)
        elif cursor.direction is Direction.AFTER:
            found = queries.page_keys(keys=queryset, cursor=cursor, limit=size + 1)
            keys = found[:size]
            if keys:
                self.previous_cursor = Cursor(Direction.BEFORE, keys[0][1])
            if len(found) > size:
                self.next_cursor = Cursor(Direction.AFTER, keys[-1][1])
        else:
            found = queries.page_keys(keys=queryset, cursor=cursor, limit=size + 1)
            keys = found[:size][::-1]
            if len(found) > size:
                self.previous_cursor = Cursor(Direction.BEFORE, keys[0][1])
            if keys:
                self.next_cursor = Cursor(Direction.AFTER, keys[-1][1])
            else:  # nothing before the place: the list starts at or after it
                self.first_page_next = True
        return self.load(pks=[pk for pk, _ in keys])

    def load(self, *, pks: list[int]) -> list:
        """The page's items from their keys (one query)."""
        return queries.listed_items(pks=pks)

    def _numbered(
        self, queryset, outline: queries.Outline, *, number: int, size: int
    ) -> list[tuple[int, Place]]:
        offset = (number - 1) * size
        if number > 1 and offset >= outline.count:
            pages = max(1, math.ceil(outline.count / size))
            raise NotFound(
                f"There is no page {number}: this list has {pages} "
                f"{'page' if pages == 1 else 'pages'} of {size}."
            )
        mark, skip = outline.start(offset=offset)
        after = None if mark is None else Cursor(Direction.AFTER, mark)
        found = queries.page_keys(keys=queryset, cursor=after, skip=skip, limit=size + 1)
        keys = found[:size]
        if number > 1 and keys:
            self.previous_cursor = Cursor(Direction.BEFORE, keys[0][1])
        if len(found) > size:
            self.next_cursor = Cursor(Direction.AFTER, keys[-1][1])
        return keys

    def _outline(self, queryset, request) -> queries.Outline:
        every = self.mark_every
        name = hashlib.sha256(filters.list_filters(request.query_params).encode()).hexdigest()
        return store.fresh(
            f"api-list-outline:{every}:{name}",
            lambda: queries.list_outline(keys=queryset, every=every),
        )

    def _link(self, cursor: Cursor | None) -> str:
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        if cursor is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, keyset.format_cursor(cursor))

    def get_next_link(self) -> str | None:
        if self.next_cursor is None and not self.first_page_next:
            return None
        return self._link(self.next_cursor)

    def get_previous_link(self) -> str | None:
        return None if self.previous_cursor is None else self._link(self.previous_cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["description"] = (
            "Page number, from 1. A page past the last answers 404. Ignored with `cursor`."
        )
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": (
                "Opaque: a place in the list, as the `next` and `previous` links carry it. "
                "Follow those links as given to walk the list: every page then costs the "
                "same however deep it is, and publications or withdrawals between two "
                "requests never make you skip or repeat an item (page numbers shift "
                "instead). Combines with the filters; `page` is ignored with it. A value "
                "that is not a cursor answers 400."
            ),
            "schema": {
                "type": "string",
                "pattern": keyset.CURSOR_PATTERN,
                "maxLength": keyset.CURSOR_MAX_LENGTH,
            },
        }
        return [page, page_size, cursor]


class ManifestPagination(ConditionPagination):
    """The manifest: the condition list's pages (same order, cursor and outline), each
    item with its manifest fields (``queries.manifest_items``)."""

    def load(self, *, pks: list[int]) -> list:
        return queries.manifest_items(pks=pks)
