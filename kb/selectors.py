"""Reads. ``published_revisions`` is THE query path for every public surface (I1).

Pages, print view, search, A–Z, related links, sitemap, feed, JSON-LD and the partner API
all start from ``published_revisions()``: approved revisions that their condition points
at, of conditions that are not withdrawn. Nothing public queries ``Revision`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from kb.citations import cited_keys, number_keys, resolve_keys
from kb.models import Condition, ConditionSlug, Review, Revision, RevisionStatus, Section
from kb.rendering import RenderedArticle, render_article


def published_revisions() -> QuerySet[Revision]:
    """The live revision of every public condition, and nothing else."""
    return Revision.objects.filter(
        status=RevisionStatus.APPROVED,
        live_for__isnull=False,
        live_for__withdrawn_at__isnull=True,
    ).select_related("condition")


def with_latest_review(queryset: QuerySet[Revision]) -> QuerySet[Revision]:
    """Annotate each revision with the dates of its latest review (one query, no N+1)."""
    latest = Review.objects.filter(revision=OuterRef("pk")).order_by(
        "-reviewed_on", "-created_at", "-id"
    )
    return queryset.annotate(
        last_reviewed=Subquery(latest.values("reviewed_on")[:1]),
        next_review_due=Subquery(latest.values("next_review_due")[:1]),
        latest_review_id=Subquery(latest.values("pk")[:1]),
    )


class ArticleNotFound(Exception):
    """No condition has this slug (HTTP 404)."""


class ArticleGone(Exception):
    """The condition was withdrawn (HTTP 410)."""

    def __init__(self, condition: Condition) -> None:
        super().__init__(condition.slug)
        self.condition = condition


class ArticleMoved(Exception):
    """The slug is a former one (HTTP 301 to ``new_slug``)."""

    def __init__(self, new_slug: str) -> None:
        super().__init__(new_slug)
        self.new_slug = new_slug


@dataclass
class Article:
    """Everything a public article page needs, loaded in a fixed number of queries."""

    condition: Condition
    revision: Revision
    review: Review | None
    rendered: RenderedArticle
    related: list[Revision]
    preview: bool = False

    @property
    def last_updated(self):
        return self.revision.published_at


def _load_article(revision: Revision, *, preview: bool) -> Article:
    sections = list(revision.sections.all())
    if revision.is_approved:
        # Approved text keeps the references it was approved with (its Citation rows, made
        # at approval in order of first citation), matched to the markers by position, so no
        # later change to the library can break or change a published list (I2, I7).
        citations = list(revision.citations.select_related("reference").order_by("number"))
        keys = list(number_keys(s.body for s in sections))
        if len(keys) == len(citations):
            references = {key: c.reference for key, c in zip(keys, citations, strict=True)}
        else:  # approved before citations were recorded at approval
            references = {c.reference.key: c.reference for c in citations}
    else:
        references = resolve_keys(key for s in sections for key in cited_keys(s.body))
    review = (
        Review.objects.filter(revision=revision)
        .select_related("reviewer")
        .order_by("-reviewed_on", "-created_at", "-id")
        .first()
    )
    related = list(
        published_revisions()
        .filter(condition__related=revision.condition_id)
        .only("name", "summary", "condition__slug")
        .order_by("name")
    )
    return Article(
        condition=revision.condition,
        revision=revision,
        review=review,
        rendered=render_article(revision=revision, sections=sections, references=references),
        related=related,
        preview=preview,
    )


def get_published_article(*, slug: str) -> Article:
    """The live article at ``slug``; raises ArticleNotFound, ArticleGone or ArticleMoved."""
    revision = (
        published_revisions()
        .filter(condition__slug=slug)
        .prefetch_related(Prefetch("sections", queryset=Section.objects.order_by("position", "id")))
        .first()
    )
    if revision is None:
        condition = Condition.objects.filter(slug=slug).first()
        if condition is not None and condition.is_withdrawn:
            raise ArticleGone(condition)
        moved = ConditionSlug.objects.filter(slug=slug).select_related("condition").first()
        if moved is not None:
            raise ArticleMoved(moved.condition.slug)
        raise ArticleNotFound(slug)
    return _load_article(revision, preview=False)


def get_preview_article(*, revision: Revision) -> Article:
    """Any revision rendered exactly as the public page would show it (staff only)."""
    revision = (
        Revision.objects.select_related("condition")
        .prefetch_related(Prefetch("sections", queryset=Section.objects.order_by("position", "id")))
        .get(pk=revision.pk)
    )
    return _load_article(revision, preview=True)


def latest_revision(*, condition: Condition) -> Revision | None:
    """The newest revision of a condition, whatever its status (editorial use only)."""
    return condition.revisions.order_by("-number").first()


def open_revision(*, condition: Condition) -> Revision | None:
    """The draft, in-review or sent-back revision of a condition, if any (at most one)."""
    return condition.revisions.open().first()


@dataclass(frozen=True)
class AZEntry:
    """One line of the A–Z: a condition's name, or another name pointing to it."""

    label: str
    slug: str
    canonical: str = ""  # set when ``label`` is an also-known-as name

    @property
    def letter(self) -> str:
        first = self.label[:1].upper()
        return first if first.isalpha() and first.isascii() else "#"


def a_to_z() -> list[tuple[str, list[AZEntry]]]:
    """Published conditions and their other names, grouped by first letter (one query)."""
    entries: list[AZEntry] = []
    for name, aka, slug in published_revisions().values_list(
        "name", "also_known_as", "condition__slug"
    ):
        entries.append(AZEntry(label=name, slug=slug))
        for other in aka or []:
            if other.strip() and other.strip().lower() != name.lower():
                entries.append(AZEntry(label=other.strip(), slug=slug, canonical=name))
    entries.sort(key=lambda e: (e.letter, e.label.casefold()))
    groups: dict[str, list[AZEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.letter, []).append(entry)
    return list(groups.items())


def recently_reviewed(*, limit: int = 6) -> list[Revision]:
    """Live revisions with the most recent review first (for the home page)."""
    return list(
        with_latest_review(published_revisions())
        .only("name", "summary", "condition__slug")
        .order_by("-last_reviewed", "name")[:limit]
    )


def published_for_listing() -> QuerySet[Revision]:
    """Live revisions with their review dates, for sitemap and feed (one query)."""
    return with_latest_review(published_revisions()).order_by("-published_at")
