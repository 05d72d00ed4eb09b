"""The condition list's cursor: a place in its A–Z order, carried by ``next``/``previous``.

The list is ordered by published name, then slug (unique), so a pair ``(name, slug)`` is a
place in it whether or not a condition is listed there now. A page asked "after" the last
item of the page before starts exactly where that page ended: a publication or withdrawal
in between never makes a partner skip or repeat an item, which an offset (``page=N``)
cannot promise, and the database finds the place with an index range scan however deep it
is, where an offset walks every row before it.

The cursor is ``<direction><name>.<slug>``: ``a`` (after) or ``b`` (before), the name as
unpadded URL-safe base64 of its UTF-8, and the slug as it is. Partners treat it as opaque.
``CURSOR_PATTERN`` describes exactly what is accepted: every string matching it is a
place (a name that is not valid UTF-8 reads with replacement characters), so a request the
schema allows never answers 400, and anything else answers 400 with a message.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from enum import StrEnum

from rest_framework.exceptions import ValidationError

#: Names are at most 200 characters (``Revision.name``), i.e. at most 800 bytes of UTF-8:
#: 267 groups of four base64 characters and a shorter last group hold them.
_NAME_B64 = r"(?:[A-Za-z0-9_-]{4}){0,267}(?:[A-Za-z0-9_-]{2,3})?"
_SLUG = r"[-a-zA-Z0-9_]{1,120}"
CURSOR_PATTERN = rf"^[ab]{_NAME_B64}\.{_SLUG}$"
_CURSOR_RE = re.compile(CURSOR_PATTERN)
CURSOR_MAX_LENGTH = 1 + 267 * 4 + 3 + 1 + 120


class Direction(StrEnum):
    AFTER = "a"
    BEFORE = "b"


@dataclass(frozen=True)
class Place:
    """A place in the list's order: the published name and the condition's slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Cursor:
    """The items strictly after, or strictly before, ``place``."""

    direction: Direction
    place: Place


def format_cursor(cursor: Cursor) -> str:
    name = base64.urlsafe_b64encode(cursor.place.name.encode()).rstrip(b"=").decode("ascii")
    return f"{cursor.direction}{name}.{cursor.place.slug}"


def parse_cursor(raw: str, *, name: str = "cursor") -> Cursor:
    """A cursor as ``format_cursor`` writes it; anything the pattern refuses answers 400."""
    if len(raw) > CURSOR_MAX_LENGTH or not _CURSOR_RE.fullmatch(raw):
        raise ValidationError(
            {name: ["Not a cursor of this list: follow the `next` or `previous` link as "
                    f"given, or leave `{name}` out to start at the first page "
                    f"(got “{raw[:40]}”)."]},
            code="invalid_cursor",
        )  # fmt: skip
    encoded, _, slug = raw[1:].partition(".")
    # The pattern admits only whole base64 groups (never one character alone), which decode.
    data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    # A database text value cannot hold NUL; any other character is a place like another.
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return Cursor(Direction(raw[0]), Place(name=text, slug=slug))
