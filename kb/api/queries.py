"""The partner API's reads. Every one starts from ``published_revisions()`` (I1) or from
the public change log, never from ``Revision`` directly, so no parameter, header or key
can reach a draft, in-review, sent-back or scheduled revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from kb.api.keyset import Cursor, Direction, Place
from kb.models import ChangeAction, ConditionCode, PublicChange, Review, Revision, Section
from kb.selectors import (
    Article,
    get_condition_codes,
    get_published_article,
    published_revisions,
    with_latest_review,
)

#: The list's order: published name, then the condition's slug (unique), so that every item
#: has one place in it (``kb.api.keyset``). ``kb_revision_listed_name`` serves the name.
LIST_ORDER = ("name", "condition__slug")


def _latest_review_at() -> Subquery:
    return Subquery(Review.objects.latest_for(OuterRef("pk")).values("created_at")[:1])


def listed_conditions() -> QuerySet[Revision]:
    """Published revisions with their latest review's dates, in a stable A–Z order.

    The review dates are correlated subqueries run for each row returned, so this loads one
    page's items by key (``listed_items``); ``listed_keys`` finds which they are.
    """
    return (
        with_latest_review(published_revisions())
        .annotate(latest_review_at=_latest_review_at())
        .only("pk", "number", "name", "summary", "published_at", "condition__slug")
        .order_by(*LIST_ORDER)
    )


def listed_keys() -> QuerySet[Revision]:
    """Published revisions in list order, to filter and then read only keys from.

    Nothing is computed per row unless a filter asks for it: ``latest_review_at`` is an
    alias that only ``updated_since`` evaluates. Unfiltered, a page's keys are an index
    range scan over approved revisions in name order.
    """
    return published_revisions().alias(latest_review_at=_latest_review_at()).order_by(*LIST_ORDER)


@dataclass(frozen=True)
class Outline:
    """A filtered list's size and the place of every ``every``-th item (its marks).

    A page number then costs a range scan from the mark before it, never an offset from the
    top: ``marks[i]`` is the item at position ``(i + 1) * every``, counting from 1.
    """

    count: int
    every: int
    marks: tuple[Place, ...]

    def start(self, *, offset: int) -> tuple[Place | None, int]:
        """Where the item at ``offset`` (from 0) is: after which mark, how many further."""
        block = min(offset // self.every, len(self.marks))
        if block == 0:
            return None, offset
        return self.marks[block - 1], offset - block * self.every


def list_outline(*, keys: QuerySet[Revision], every: int) -> Outline:
    """The outline of ``keys`` (``listed_keys()``, filtered) in one query.

    It reads every listed key once, like a count, and returns a row per mark and the last.
    """
    order = [F(field).asc() for field in LIST_ORDER]
    rows = list(
        keys.order_by()
        .annotate(
            position=Window(RowNumber(), order_by=order),
            total=Window(Count("*")),
            mark=Window(RowNumber(), order_by=order) % every,
        )
        .filter(Q(mark=0) | Q(position=F("total")))
        .order_by("position")
        .values_list("position", "total", "name", "condition__slug")
    )
    marks = tuple(Place(name=name, slug=slug) for position, _, name, slug in rows
                  if position % every == 0)  # fmt: skip
    return Outline(count=rows[-1][1] if rows else 0, every=every, marks=marks)


def page_keys(
    *, keys: QuerySet[Revision], cursor: Cursor | None, skip: int = 0, limit: int
) -> list[tuple[int, Place]]:
    """Up to ``limit`` listed items (pk and place) from the top or from ``cursor``, after
    skipping ``skip``; before a cursor they come nearest first.

    The comparison on the name alone comes first, so the database seeks to the place in
    the name index and reads on from there.
    """
    if cursor is not None:
        name, slug = cursor.place.name, cursor.place.slug
        if cursor.direction is Direction.AFTER:
            keys = keys.filter(Q(name__gte=name), Q(name__gt=name) | Q(condition__slug__gt=slug))
        else:
            keys = keys.filter(
                Q(name__lte=name), Q(name__lt=name) | Q(condition__slug__lt=slug)
            ).order_by(*(f"-{field}" for field in LIST_ORDER))
    rows = keys.values_list("pk", "name", "condition__slug")[skip : skip + limit]
    return [(pk, Place(name=name, slug=slug)) for pk, name, slug in rows]


def listed_items(*, pks: list[int]) -> list[Revision]:
    """The list's fields of the published revisions ``pks``, in that order (one query).

    A revision that stopped being live since its key was read is left out.
    """
    found = {revision.pk: revision for revision in listed_conditions().filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]


def _first_published_at() -> Subquery:
    """When the condition's first publication went live: the earliest revision the feed
    entered as published (a cancelled schedule never went live, so is never entered)."""
    return Subquery(
        PublicChange.objects.filter(condition=OuterRef("condition"), action=ChangeAction.PUBLISHED)
        .order_by("revision__published_at")
        .values("revision__published_at")[:1]
    )


def first_published_at(*, condition_id: int) -> dt.datetime | None:
    """When the condition first went live (one query); None if the feed has no entry yet
    (a scheduled first go-live not yet caught up: the live revision's time is then it)."""
    return (
        PublicChange.objects.filter(condition=condition_id, action=ChangeAction.PUBLISHED)
        .order_by("revision__published_at")
        .values_list("revision__published_at", flat=True)
        .first()
    )


def manifest_items(*, pks: list[int]) -> list[Revision]:
    """The manifest's fields of the published revisions ``pks``, in that order (two queries
    however many): the list's fields, when the condition first went live
    (``first_published_at``) and the kinds of its sections in order (``section_kinds``).
    """
    found = {
        revision.pk: revision
        for revision in listed_conditions()
        .annotate(first_published_at=_first_published_at())
        .filter(pk__in=pks)
    }
    kinds: dict[int, list[str]] = {pk: [] for pk in found}
    sections = (
        Section.objects.filter(revision__in=list(found))
        .order_by("revision", "position", "id")
        .values_list("revision_id", "kind")
    )
    for revision_id, kind in sections:
        kinds[revision_id].append(kind)
    items = []
    for pk in pks:
        if (revision := found.get(pk)) is not None:
            revision.section_kinds = kinds[pk]
            first = revision.first_published_at
            revision.first_published_at = min(filter(None, [first, revision.published_at]))
            items.append(revision)
    return items


def public_changes() -> QuerySet[PublicChange]:
    """Publications, withdrawals and moves in commit order (``PublicChange.sequence``)."""
    return (
        PublicChange.objects.select_related("revision")
        .only(
            "pk",
            "at",
            "sequence",
            "action",
            "slug",
            "previous_slug",
            "former_slugs",
            "revision__number",
            "revision__change_class",
        )
        .order_by("sequence", "id")
    )


def last_public_change_at() -> dt.datetime | None:
    """When the published set last changed (publication, withdrawal or restoration)."""
    return PublicChange.objects.aggregate(at=Max("at"))["at"]


@dataclass
class ConditionDocument:
    """One published article as the API serves it: the article and its clinical codes."""

    article: Article
    codes: list[ConditionCode]

    @property
    def condition(self):
        return self.article.condition

    @property
    def revision(self) -> Revision:
        return self.article.revision

    @property
    def review(self) -> Review | None:
        return self.article.review

    @property
    def last_reviewed(self) -> dt.date | None:
        return self.review.reviewed_on if self.review else None

    @property
    def next_review_due(self) -> dt.date | None:
        return self.review.next_review_due if self.review else None


def get_condition_document(
    *, slug: str, codes: list[ConditionCode] | None = None
) -> ConditionDocument:
    """The published article at ``slug`` with its codes, in a fixed number of queries.

    ``codes``, when given, are the ones already read with the answer's validators (so the
    payload shows what its ETag names). Raises ``ArticleNotFound``, ``ArticleGone`` or
    ``ArticleMoved`` like the public page.
    """
    article = get_published_article(slug=slug)
    if codes is None:
        codes = codes_of(slug=article.condition.slug)
    return ConditionDocument(article=article, codes=codes)


def codes_of(*, slug: str) -> list[ConditionCode]:
    """The clinical codes of the condition at ``slug`` (one query)."""
    return get_condition_codes(slug=slug)
