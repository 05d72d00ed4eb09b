"""The list's and the changes feed's query parameters: strict parsing, then filtering.

Every parameter the schema describes is parsed here exactly as the schema says, so a value
the schema allows is accepted and anything else answers 400 with a message (never a 500).

- ``q``: every word must appear, case-insensitively, in the published name, an
  also-known-as name or the summary (a plain match over published revisions; the full-text
  search of the public site ranks pages for readers, partners want a predictable filter).
- ``updated_since``: conditions whose published revision went live, or whose latest review
  was recorded, at or after that instant, i.e. whose list entry may have changed.
- ``code``: ``SYSTEM|CODE``, e.g. ``ICD-10|G12.21``; the code is compared ignoring case.
- ``since`` (changes feed): changes at or after that instant.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from rest_framework.exceptions import ValidationError

from kb.models import ChangeClass, CodeSystem, ConditionCode

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12

# RFC 3339 date-time (the profile of ISO 8601 that OpenAPI's "date-time" means).
DATETIME_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d+))?(?P<tz>[Zz]|[+-]\d{2}:\d{2})$",
    re.ASCII,
)
CODE_CHARS = r"[A-Za-z0-9.&/_-]"
CODE_MAX_LENGTH = 40
SYSTEMS = "|".join(re.escape(s) for s in CodeSystem.values)
CODE_PATTERN = rf"^({SYSTEMS})\|{CODE_CHARS}{{1,{CODE_MAX_LENGTH}}}$"
CODE_VALUE_PATTERN = rf"^{CODE_CHARS}{{1,{CODE_MAX_LENGTH}}}$"
_CODE_VALUE_RE = re.compile(CODE_VALUE_PATTERN)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _invalid(name: str, message: str, code: str):
    return ValidationError({name: [message]}, code=code)


def parse_datetime(raw: str, *, name: str) -> dt.datetime:
    """An RFC 3339 date-time with its offset, e.g. ``2024-05-01T09:30:00Z``, as UTC.

    The offset is required: without it the instant would depend on our time zone. Instants
    before year 1 or after year 9999 in UTC are clamped (nothing is older or newer), and a
    leap second counts as the second before it.
    """
    match = DATETIME_RE.fullmatch(raw)
    message = (
        f"Give an ISO 8601 date-time with a time-zone offset, e.g. 2024-05-01T09:30:00Z "
        f"(got “{raw[:40]}”)."
    )
    if match is None:
        raise _invalid(name, message, "invalid_datetime")
    second = min(int(match["s"]), 59)
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    tz = match["tz"].upper()
    try:
        date = dt.date.fromisoformat(match["date"])
        offset = dt.timedelta(0)
        if tz != "Z":
            sign = -1 if tz[0] == "-" else 1
            hours, minutes = int(tz[1:3]), int(tz[4:6])
            if hours > 23 or minutes > 59:
                raise ValueError(tz)
            offset = sign * dt.timedelta(hours=hours, minutes=minutes)
        naive = dt.datetime.combine(date, dt.time(int(match["h"]), int(match["m"]), second, micro))
    except ValueError:
        raise _invalid(name, message, "invalid_datetime")
    try:
        return (naive - offset).replace(tzinfo=dt.UTC)
    except OverflowError:
        return (
            dt.datetime.min.replace(tzinfo=dt.UTC)
            if offset > dt.timedelta(0)
            else (dt.datetime.max.replace(tzinfo=dt.UTC))
        )


def parse_code(raw: str) -> tuple[str, str]:
    """``SYSTEM|CODE`` → (system, code); an unknown system is named in the error."""
    system, bar, code = raw.partition("|")
    if not bar:
        raise _invalid("code", "Write the code as SYSTEM|CODE, e.g. ICD-10|G12.21.", "invalid_code")
    if system not in CodeSystem.values:
        raise _invalid(
            "code",
            f"Unknown code system “{system[:40]}”; use one of {', '.join(CodeSystem.values)}.",
            "unknown_code_system",
        )
    return system, parse_code_value(code, name="code")


def parse_code_value(raw: str, *, name: str) -> str:
    """A code as a code system writes it: 1 to 40 letters, digits or ``. & / _ -``."""
    if not _CODE_VALUE_RE.fullmatch(raw):
        raise _invalid(
            name,
            f"The code must be 1 to {CODE_MAX_LENGTH} letters, digits or . & / _ - characters.",
            "invalid_code",
        )
    return raw


def with_code(queryset: QuerySet, *, system: str, code: str) -> QuerySet:
    """Published revisions of conditions carrying ``code`` in ``system``.

    The one matching rule for clinical codes, used by the list's ``code`` filter and by the
    infobutton look-up: the system exactly, the code ignoring case (G12.21 = g12.21), no
    prefix or hierarchy matching.
    """
    return queryset.filter(
        Exists(
            ConditionCode.objects.filter(
                condition=OuterRef("condition"), system=system, code__iexact=code
            )
        )
    )


def parse_query(raw: str) -> list[str]:
    if len(raw) > MAX_QUERY_LENGTH:
        raise _invalid("q", f"Keep the query to {MAX_QUERY_LENGTH} characters.", "invalid_q")
    return _CONTROL_RE.sub(" ", raw).split()[:MAX_QUERY_WORDS]


#: The list's filters: a list page is one of the pages of the list these select.
LIST_FILTERS = ("q", "updated_since", "code")


def list_filters(params) -> str:
    """The list's filters as ``filter_conditions`` reads them (the last value of each), as a
    query string: it names the filtered list."""
    return urlencode([(name, params.get(name)) for name in LIST_FILTERS if name in params])


def filter_conditions(queryset: QuerySet, params) -> QuerySet:
    """Apply the list's filters from ``params`` (a QueryDict) to published revisions."""
    if (raw := params.get("q")) is not None:
        for word in parse_query(raw):
            queryset = queryset.filter(_word_matches(word))
    if (raw := params.get("updated_since")) is not None:
        since = parse_datetime(raw, name="updated_since")
        queryset = queryset.filter(Q(published_at__gte=since) | Q(latest_review_at__gte=since))
    if (raw := params.get("code")) is not None:
        system, code = parse_code(raw)
        queryset = with_code(queryset, system=system, code=code)
    return queryset


def _word_matches(word: str) -> Q:
    # Other names are a JSON list: match the word as written and as JSON escapes it (SQLite
    # stores non-ASCII letters as \\u escapes), so "Sjögren" is found on either database.
    escaped = json.dumps(word)[1:-1]
    names = [Q(also_known_as__icontains=w) for w in {word, escaped}]
    return reduce(or_, [Q(name__icontains=word), Q(summary__icontains=word), *names])


CURSOR_PATTERN = r"^[0-9]{1,19}\.[0-9]{1,19}$"
_CURSOR_RE = re.compile(CURSOR_PATTERN)


def format_cursor(*, sequence: int, pk: int) -> str:
    """A change's place in commit order (``PublicChange.sequence``, then id)."""
    return f"{sequence}.{pk}"


def parse_cursor(raw: str) -> tuple[int, int]:
    if not _CURSOR_RE.fullmatch(raw):
        raise _invalid(
            "after", f"Give the `cursor` of a change from this feed (got “{raw[:40]}”).",
            "invalid_cursor",
        )  # fmt: skip
    sequence, _, pk = raw.partition(".")
    return int(sequence), int(pk)


#: ``change_class``: classes separated by commas, as the OpenAPI schema states it.
CHANGE_CLASS_PATTERN = r"^(clinical|editorial|correction)(,(clinical|editorial|correction))*$"


def parse_change_classes(raw: str) -> list[str]:
    """``change_class``: one class or several separated by commas (``clinical,editorial``)."""
    wanted = raw.split(",")
    if any(part not in ChangeClass.values for part in wanted):
        raise _invalid(
            "change_class",
            f"Use one or more of {', '.join(ChangeClass.values)}, separated by commas "
            f"(got “{raw[:40]}”).",
            "invalid_change_class",
        )
    return wanted


def filter_changes(queryset: QuerySet, params) -> QuerySet:
    """``after``: changes committed after the one with that cursor (never skips one);
    ``since``: changes at or after an instant (kept for existing partners);
    ``change_class``: only changes of revisions of those classes (a partner re-reviewing
    clinical changes only asks for ``clinical``)."""
    if (raw := params.get("change_class")) is not None:
        queryset = queryset.filter(revision__change_class__in=parse_change_classes(raw))
    if (raw := params.get("after")) is not None:
        sequence, pk = parse_cursor(raw)
        queryset = queryset.filter(Q(sequence__gt=sequence) | Q(sequence=sequence, pk__gt=pk))
    if (raw := params.get("since")) is not None:
        queryset = queryset.filter(at__gte=parse_datetime(raw, name="since"))
    return queryset


#: The detail's representations (``?format=``): our JSON, or the NHS website content API's
#: schema.org ``MedicalWebPage`` (``kb.api.schema_org``).
DETAIL_FORMATS = ("json", "schema")


def detail_format(params) -> str:
    """The representation a detail request asks for; anything else answers 400."""
    raw = params.get("format", "json")
    if raw not in DETAIL_FORMATS:
        raise _invalid(
            "format",
            f"Use one of {', '.join(DETAIL_FORMATS)} (got “{raw[:20]}”).",
            "invalid_format",
        )
    return raw
