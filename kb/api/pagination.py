"""Page-number pages: ``count``, ``next``, ``previous``, ``results``.

DRF's ``PageNumberPagination`` silently clamps a too-large ``page_size`` and ignores a
malformed one; a partner who asks for something we do not serve should be told, so both
parameters are checked strictly and a bad value answers 400. A page past the last one
answers 404.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
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
