"""Validators (ETag, Last-Modified) and 304 answers for the list and the detail.

Detail: the ETag is ``"<revision id>-<latest review id>-<digest>"``. An approved revision
never changes, so its id names the text; a re-review (same text, new reviewer and dates)
changes the review id; the digest covers what can change around an unchanged revision:
the slug, a retraction flag change of a cited reference (via its
``retraction_changed_at``; other edits of a record reach the article only with a new
approved revision, I9), the clinical codes and the published related conditions.
Last-Modified is the newest of publication, latest review and cited-reference retraction.

List: the ETag digests what each listed item shows that can change (condition slug,
revision id, latest review id) plus the total count, so a publication, withdrawal,
restoration, re-review or rename on the page changes it. Last-Modified is the newest of
the listed items' publication and review times and the latest public change (a
withdrawal removes an item without leaving a newer item behind).

If-None-Match wins over If-Modified-Since (RFC 9110), as Django's
``get_conditional_response`` implements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from kb.caching.answers import not_modified, set_validators


def _digest(parts: Iterable) -> str:
    return hashlib.sha256(repr(list(parts)).encode()).hexdigest()[:16]


def _timestamp(*moments) -> int | None:
    present = [m for m in moments if m is not None]
    return int(max(present).timestamp()) if present else None


def keyed_detail_validators(
    key, *, slug: str, codes, representation: str = "json"
) -> tuple[str, int]:
    """Validators of a detail answer from ``kb.selectors.PageKey`` (one query) and the codes.

    The key names everything the article shows (revision, latest review, cited references'
    last change, live related conditions); with the slug and the codes it names the whole
    payload, which is therefore cached under its ETag (see ``ConditionDetailView``).

    Each representation (``?format=``) has its own ETag (the schema.org one starts with
    ``s``), so a copy of one is never taken as current for the other.
    """
    parts = [key.etag, slug, [(c.system, c.code, c.display) for c in codes]]
    if representation == "json":
        return f'"{key.revision_id}-{key.review_id}-{_digest(parts)}"', key.last_modified
    digest = _digest([representation, *parts])
    return f'"{representation[0]}{key.revision_id}-{key.review_id}-{digest}"', key.last_modified


def list_validators(items, *, count: int, last_change, kind: str = "l") -> tuple[str, int | None]:
    """``kind`` tells lists of the same items apart (``l`` the list, ``m`` the manifest)."""
    digest = _digest([count, [(r.condition.slug, r.pk, r.latest_review_id) for r in items]])
    last_modified = _timestamp(
        last_change,
        *(r.published_at for r in items),
        *(r.latest_review_at for r in items),
    )
    return f'"{kind}-{digest}"', last_modified


__all__ = ["keyed_detail_validators", "list_validators", "not_modified", "set_validators"]
