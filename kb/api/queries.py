"""The partner API's reads. Every one starts from ``published_revisions()`` (I1) or from
the public change log, never from ``Revision`` directly, so no parameter, header or key
can reach a draft, in-review, sent-back or scheduled revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, OuterRef, QuerySet, Subquery

from kb.models import ConditionCode, PublicChange, Review, Revision
from kb.selectors import Article, get_published_article, published_revisions, with_latest_review


def listed_conditions() -> QuerySet[Revision]:
    """Published revisions with their latest review's dates, in a stable A–Z order.

    One query per page however many items: the review dates are correlated subqueries and
    only the columns the list shows are loaded.
    """
    latest_review_at = (
        Review.objects.filter(revision=OuterRef("pk"))
        .order_by("-reviewed_on", "-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        with_latest_review(published_revisions())
        .annotate(latest_review_at=Subquery(latest_review_at))
        .only("pk", "number", "name", "summary", "published_at", "condition__slug")
        .order_by("name", "condition__slug")
    )


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


def get_condition_document(*, slug: str) -> ConditionDocument:
    """The published article at ``slug`` with its codes, in a fixed number of queries.

    Raises ``ArticleNotFound``, ``ArticleGone`` or ``ArticleMoved`` like the public page.
    """
    article = get_published_article(slug=slug)
    codes = list(
        ConditionCode.objects.filter(condition=article.condition).order_by("system", "code")
    )
    return ConditionDocument(article=article, codes=codes)


def codes_of(*, slug: str) -> list[ConditionCode]:
    """The clinical codes of the condition at ``slug`` (one query)."""
    return list(ConditionCode.objects.filter(condition__slug=slug).order_by("system", "code"))
