"""Reads. ``published_revisions`` is THE query path for every public surface (I1).

Pages, print view, search, A–Z, related links, sitemap, feed, JSON-LD and the partner API
all start from ``published_revisions()``: approved revisions that their condition points
at, of conditions that are not withdrawn. Nothing public queries ``Revision`` otherwise.

Scheduled publishing is resolved here, at query time: a revision approved with a future
go-live time (``Condition.scheduled_revision``, its ``published_at``) is invisible until
that instant and is what readers get from that instant on, with no job having to run
first. ``publish_scheduled`` (cron) later moves the pointers and sends the e-mails; until it
does, this query already answers correctly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import router
from django.db.models import (
    DateTimeField,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONArray, JSONObject
from django.utils import timezone

from kb.changelog import PublicHistory, public_history
from kb.citations import cited_keys, resolve_keys
from kb.compiled import PLACEHOLDER_INSTANT, CompiledQuery, as_datetime, columns, instance
from kb.dbfunctions import JSONList
from kb.models import (
    ChangeAction,
    Citation,
    Condition,
    ConditionCode,
    ConditionSlug,
    PublicChange,
    RenderedPage,
    Rendition,
    Review,
    Revision,
    Section,
)
from kb.rendering import RenderedArticle, render_article

User = get_user_model()


def published_revisions(*, at=None) -> QuerySet[Revision]:
    """The live revision of every public condition at ``at`` (default: now), nothing else.

    Live is the condition's published revision, unless a scheduled revision's go-live time
    has come, in which case it is the scheduled one. Withdrawn conditions show nothing.
    """
    return Revision.objects.live(at).select_related("condition")


def with_latest_review(queryset: QuerySet[Revision]) -> QuerySet[Revision]:
    """Annotate each revision with the dates of its latest review (one query, no N+1)."""
    latest = Review.objects.latest_for(OuterRef("pk"))
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
    history: PublicHistory
    preview: bool = False
    #: The stored part of the page (``kb.renditions.StoredPage``) when the revision has been
    #: live; None: the templates render it from ``rendered`` and ``history``.
    stored: object | None = None

    @property
    def body(self):
        """``kb/_article_body.html`` as stored, its retraction notices filled in live."""
        return self.stored.body if self.stored is not None else None

    @property
    def last_updated(self):
        """The public "last updated" date: a correction does not move it (``kb.changelog``)."""
        return self.history.last_updated or self.revision.published_at

    @property
    def sections(self) -> list[tuple]:
        """Each rendered section with the date its text last changed in a publication."""
        dates = self.history.section_updated
        return list(zip(self.rendered.sections, dates, strict=False))


def _load_article(revision: Revision, *, preview: bool) -> Article:
    if revision.is_approved:
        # Approved text is rendered once and stored with the revision (``kb.renditions``):
        # the references it was approved with (its citations' snapshots), with the
        # retraction flags read live (I9).
        from kb import renditions

        rendered, history, stored = renditions.read_page(revision=revision)
    else:
        stored = None
        sections = list(revision.sections.order_by("position", "id"))
        references = resolve_keys(key for s in sections for key in cited_keys(s.body))
        rendered = render_article(revision=revision, sections=sections, references=references)
        history = public_history(revision=revision, sections=sections)
    # Read with the live revision (``_live_revision``); any other revision reads it here.
    if hasattr(revision, "_latest_review"):
        review = revision._latest_review
    else:
        review = _latest_review(revision)
    related = _related_live(revision)
    return Article(
        condition=revision.condition,
        revision=revision,
        review=review,
        rendered=rendered,
        related=related,
        history=history,
        preview=preview,
        stored=stored,
    )


def _article_query(*, slug: str, at: dt.datetime) -> QuerySet:
    from kb import renditions

    return (
        published_revisions(at=at)
        .filter(condition__slug=slug)
        .annotate(
            latest_review=_latest_review_object(),
            retraction_flags=renditions.retraction_flags(OuterRef("pk")),
            related=_related_list(at=at),
        )
        .values_list(
            *_REVISION, *_CONDITION, *_RENDITION, "latest_review", "retraction_flags", "related"
        )
        .order_by("pk")[:1]
    )


def _related_list(*, at: dt.datetime) -> Subquery:
    """The live related conditions of the revision's condition as one JSON array of
    ``_RELATED`` values (NULL: none), read in the article's own query."""
    related = (
        published_revisions(at=at)
        .filter(condition__related=OuterRef("condition"))
        .order_by()
        .values("status")  # one group: every live revision is approved
        .annotate(rows=JSONList(JSONArray(*_RELATED)))
    )
    return Subquery(related.values("rows")[:1])


#: Keys of the latest review's object: its columns, then its reviewer's.
_REVIEW_KEYS = [(f"r_{f.attname}", f.attname) for f in Review._meta.concrete_fields]
_REVIEWER_KEYS = [(f"u_{f.attname}", f"reviewer__{f.name}") for f in User._meta.concrete_fields]


def _latest_review_object() -> Subquery:
    """The revision's latest review and its reviewer as one JSON object (NULL: none).

    Read in the article's own query rather than a second one: a page no cache holds pays
    one round trip less, and the review is still read live on every render.
    """
    fields = {key: F(path) for key, path in (*_REVIEW_KEYS, *_REVIEWER_KEYS)}
    latest = Review.objects.latest_for(OuterRef("pk")).annotate(object=JSONObject(**fields))
    return Subquery(latest.values("object")[:1])


def _from_object(model: type, data: dict, keys: list, *, using: str):
    """A ``model`` instance from the JSON object's ``keys``, values typed as the ORM types
    them (JSON writes dates and times as text, and SQLite booleans as numbers)."""
    values = []
    for model_field, (key, _) in zip(model._meta.concrete_fields, keys, strict=True):
        value = data[key]
        if value is not None:
            is_moment = isinstance(model_field, DateTimeField)
            value = as_datetime(value) if is_moment else model_field.to_python(value)
        values.append(value)
    return instance(model, using=using, values=values)


def _review_query(*, revision: int) -> QuerySet:
    return Review.objects.latest_for(revision).values_list(
        *columns(Review), *columns(User, through="reviewer")
    )[:1]


#: What a related condition's link needs: its live revision's id, name, summary and
#: condition, and the condition's slug.
_RELATED = ("id", "name", "summary", "condition_id", "condition__slug")


def _related_query(*, condition: int, at: dt.datetime) -> QuerySet:
    return (
        published_revisions(at=at)
        .filter(condition__related=condition)
        .order_by()
        .values_list(*_RELATED)
    )


_REVISION = columns(Revision)
_CONDITION = columns(Condition, through="condition")
#: Every column of the rendition but its references (with their snapshots, its largest):
#: a page or API answer with a stored page reads only their flags (``kb.renditions``).
_RENDITION_FIELDS = [f.attname for f in Rendition._meta.concrete_fields if f.name != "references"]
_RENDITION = [f"rendition__{name.removesuffix('_id')}" for name in _RENDITION_FIELDS]

# Compiled once per process: a page or API detail no cache holds costs these three
# queries and no ORM compilation (``kb.compiled``).
_article = CompiledQuery(_article_query, slug="\x00slug", at=PLACEHOLDER_INSTANT)
_review = CompiledQuery(_review_query, revision=-(2**31) + 7)
_related = CompiledQuery(_related_query, condition=-(2**31) + 7, at=PLACEHOLDER_INSTANT)


def _live_revision(*, slug: str) -> Revision | None:
    """The live revision at ``slug`` with its condition and rendition (one query)."""
    rows = _article.rows(slug=slug, at=timezone.now())
    if not rows:
        return None
    row, using = rows[0], router.db_for_read(Revision)
    rev_end, cond_end = len(_REVISION), len(_REVISION) + len(_CONDITION)
    revision = instance(Revision, using=using, values=row[:rev_end])
    revision.condition = instance(Condition, using=using, values=row[rev_end:cond_end])
    if row[cond_end] is not None:
        revision.rendition = instance(
            Rendition, using=using, names=_RENDITION_FIELDS, values=row[cond_end:-3]
        )
    revision._latest_review = _review_from_object(row[-3], using=using)
    # Read live with the revision: ``kb.renditions.read_page`` needs no query for them.
    revision._retraction_flags = dict(row[-2] or ())
    revision._related = _related_from(row[-1] or (), using=using)
    return revision


def _review_from_object(data: dict | None, *, using: str) -> Review | None:
    if data is None:
        return None
    review = _from_object(Review, data, _REVIEW_KEYS, using=using)
    review.reviewer = _from_object(User, data, _REVIEWER_KEYS, using=using)
    return review


def _latest_review(revision: Revision) -> Review | None:
    rows = _review.rows(revision=revision.pk)
    if not rows:
        return None
    using, split = revision._state.db, len(columns(Review))
    review = instance(Review, using=using, values=rows[0][:split])
    review.reviewer = instance(User, using=using, values=rows[0][split:])
    return review


def _related_live(revision: Revision) -> list[Revision]:
    if hasattr(revision, "_related"):  # read with the live revision (``_live_revision``)
        return revision._related
    rows = _related.rows(condition=revision.condition_id, at=timezone.now())
    return _related_from(rows, using=revision._state.db)


def _related_from(rows, *, using: str) -> list[Revision]:
    """Related conditions' live revisions by name, sorted here rather than by the
    database: the same order whichever query read them and whatever the collation."""
    related = []
    for pk, name, summary, condition_id, slug in rows:
        rel = instance(Revision, using=using, names=("id", "name", "summary", "condition_id"),
                       values=(pk, name, summary, condition_id))  # fmt: skip
        rel.condition = instance(Condition, using=using, names=("id", "slug"),
                                 values=(condition_id, slug))  # fmt: skip
        related.append(rel)
    related.sort(key=lambda rel: (rel.name, rel.pk))
    return related


def get_published_article(*, slug: str) -> Article:
    """The live article at ``slug``; raises ArticleNotFound, ArticleGone or ArticleMoved."""
    revision = _live_revision(slug=slug)
    if revision is None:
        condition = Condition.objects.filter(slug=slug).first()
        if condition is not None and condition.is_merged:
            raise ArticleMoved(_successor_slug(condition))
        if condition is not None and condition.is_withdrawn:
            raise ArticleGone(condition)
        moved = ConditionSlug.objects.filter(slug=slug).select_related("condition").first()
        if moved is not None:
            target = moved.condition
            raise ArticleMoved(_successor_slug(target) if target.is_merged else target.slug)
        raise ArticleNotFound(slug)
    return _load_article(revision, preview=False)


#: Merges chained deeper than this are followed one redirect at a time.
MAX_MERGE_HOPS = 10


def _successor_slug(condition: Condition) -> str:
    """Where a merged condition's addresses lead: its successor, or the successor's own
    successor if that was merged in turn (one redirect, not a chain of them)."""
    seen = {condition.pk}
    current = condition
    for _ in range(MAX_MERGE_HOPS):
        successor = Condition.objects.only("pk", "slug", "withdrawn_at", "merged_into").get(
            pk=current.merged_into_id
        )
        if not successor.is_merged or successor.merged_into_id in seen:
            return successor.slug
        seen.add(successor.pk)
        current = successor
    return current.slug


@dataclass(frozen=True)
class PageKey:
    """What a published article page depends on, read in one query.

    The revision never changes (I2), so the rendered page is a pure function of these
    values: its latest review, the newest retraction flag change of a reference it cites
    (the one library change that reaches a live page: the rest is the snapshot approved
    with it) and which related conditions are live, under which slugs (a rename is a
    ``moved`` partner-feed entry, as it makes no revision). They name the cached page and make its
    ETag, so a warm page costs this one query and is right the instant anything it shows changes —
    across processes, whatever the cache backend. The ETag also names the rendering code
    (``kb.renditions.RENDERER``): after a deployment that renders or dates pages
    differently, a reader's stored copy is not confirmed as current.
    """

    revision_id: int
    review_id: int
    stamp: dt.datetime
    #: The live related revisions (a digest of their ids: each names a condition and the
    #: text its link shows) and the newest rename among them.
    related: str
    #: What the byline shows of the latest review's reviewer (name, credentials), as a
    #: digest: a reviewer's profile edited since must not show the old one.
    byline: str = ""
    #: The condition's latest partner-feed entry (a publication, re-review, retraction
    #: notice or rename): numbered in commit order, so it moves whatever the clocks say.
    changes: int = 0
    #: The condition's clinical codes (``get_condition_codes``), read with the key: not in
    #: ``etag``, as they sit on the condition; pages that show them add their own tag.
    codes: list = field(default_factory=list, compare=False)
    #: ``(template, key)`` of each page kept rendered for the revision
    #: (``kb.caching.kept``), read with the key so a page not kept costs no extra query.
    kept: tuple = field(default=(), compare=False)

    @property
    def etag(self) -> str:
        from kb.renditions import RENDERER

        stamp = int(self.stamp.timestamp() * 1_000_000)  # microseconds: two changes a second
        return (
            f'"a{self.revision_id}-r{self.review_id}-{stamp}-{self.related}-b{self.byline}'
            f'-c{self.changes}-{RENDERER[:8]}"'
        )

    @property
    def last_modified(self) -> int:
        return int(self.stamp.timestamp())


def _page_key_query(*, slug: str, at: dt.datetime) -> QuerySet:
    latest = Review.objects.latest_for(OuterRef("pk"))
    refs = (
        Citation.objects.filter(revision=OuterRef("pk"))
        .order_by()
        .values("revision")
        .annotate(newest=Max("reference__retraction_changed_at"))
        .values("newest")
    )
    related = (
        published_revisions(at=at)
        .filter(condition__related=OuterRef("condition"))
        .order_by()
        .values("status")
        .annotate(pks=JSONList("pk"))
    )
    # A related condition renamed makes no revision: its "moved" entry names its new slug.
    related_moved = (
        PublicChange.objects.filter(
            condition__related=OuterRef("condition"), action=ChangeAction.MOVED
        )
        .order_by()
        .values("action")
        .annotate(newest=Max("sequence"))
    )
    changes = PublicChange.objects.filter(condition=OuterRef("condition")).order_by("-sequence")
    kept = (
        RenderedPage.objects.filter(revision=OuterRef("pk"))
        .order_by()
        .values("revision")
        .annotate(rows=JSONList(JSONArray("template", "key")))
        .values("rows")[:1]
    )
    codes = (
        ConditionCode.objects.filter(condition=OuterRef("condition"))
        .order_by()
        .values("condition")
        .annotate(rows=JSONList(JSONArray(*_CODE_COLUMNS)))
        .values("rows")[:1]
    )
    return (
        published_revisions(at=at)
        .filter(condition__slug=slug)
        .annotate(
            changes=Coalesce(Subquery(changes.values("sequence")[:1]), 0),
            codes=Subquery(codes),
            review_pk=Coalesce(Subquery(latest.values("pk")[:1]), 0),
            review_at=Subquery(latest.values("created_at")[:1]),
            refs_at=Subquery(refs),
            related_pks=Subquery(related.values("pks")),
            byline=Subquery(latest.values(byline=JSONArray(*_BYLINE_COLUMNS))[:1]),
            related_moved=Coalesce(Subquery(related_moved.values("newest")), 0),
            kept=Subquery(kept),
        )
        .values_list(
            "pk",
            "published_at",
            "review_pk",
            "review_at",
            "refs_at",
            "related_pks",
            "byline",
            "related_moved",
            "changes",
            "codes",
            "kept",
        )  # fmt: skip
        .order_by("pk")[:1]
    )


#: What a review's byline shows of its reviewer (``accounts.User.byline_name``, credentials).
_BYLINE_COLUMNS = (
    "reviewer__display_name",
    "reviewer__first_name",
    "reviewer__last_name",
    "reviewer__username",
    "reviewer__credentials",
)


def _digest(value) -> str:
    """A short stable name for a small JSON-able value (part of an ETag)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


#: Compiled once per process: the page key is read on every validators miss.
_page_key = CompiledQuery(_page_key_query, slug="\x00slug", at=PLACEHOLDER_INSTANT)


def get_page_key(*, slug: str) -> PageKey | None:
    """The key of the live article at ``slug`` (one query); None when nothing is live there."""
    rows = _page_key.rows(slug=slug, at=timezone.now())
    if not rows:
        return None
    (pk, published_at, review_pk, review_at, refs_at, related_pks, byline, related_moved,
     changes, codes, kept) = rows[0]  # fmt: skip
    stamps = (as_datetime(t) for t in (published_at, review_at, refs_at))
    stamp = max(t for t in stamps if t is not None)
    using = router.db_for_read(ConditionCode)
    return PageKey(revision_id=pk, review_id=review_pk, stamp=stamp,
                   related=f"{_digest(sorted(related_pks or ()))}.{related_moved}",
                   byline=_digest(byline), changes=changes,
                   codes=_in_code_order(codes or (), using=using),
                   kept=tuple((template, key) for template, key in kept or ()))  # fmt: skip


def get_condition_codes(*, slug: str) -> list[ConditionCode]:
    """The clinical codes of the condition at ``slug`` (one query), in a stable order.

    Codes sit on the condition, not on the revision, so the page key's ETag does not name
    them: a page that shows them (its JSON-LD) adds them to its ETag (``kb.views.articles``).
    ``PageKey.codes`` are the same list, read with the key.
    """
    return _in_code_order(_codes.rows(slug=slug), using=router.db_for_read(ConditionCode))


#: The columns of a clinical code as ``instance`` takes them.
_CODE_COLUMNS = columns(ConditionCode)


def _in_code_order(rows, *, using: str) -> list[ConditionCode]:
    """Codes by system, then code, sorted here rather than by the database: the same order
    whichever query read them and whatever the database's collation."""
    codes = [instance(ConditionCode, using=using, values=row) for row in rows]
    return sorted(codes, key=lambda code: (code.system, code.code))


def _codes_query(*, slug: str) -> QuerySet:
    return ConditionCode.objects.filter(condition__slug=slug).values_list(*_CODE_COLUMNS)


#: Read on every validators miss of a page or API detail, so compiled once.
_codes = CompiledQuery(_codes_query, slug="\x00slug")


def get_preview_article(*, revision: Revision) -> Article:
    """Any revision rendered exactly as the public page would show it (staff only)."""
    revision = Revision.objects.select_related("condition").get(pk=revision.pk)
    return _load_article(revision, preview=True)


def get_unsaved_preview_article(
    *, revision: Revision, changes: dict, sections: list[Section]
) -> Article:
    """``revision`` as the public page would show it with text not yet saved (staff only).

    The desk's live preview renders what the author is typing: ``changes`` (name, summary,
    other names) are set on an in-memory copy and ``sections`` are unsaved objects, so the
    same renderer and template as the public page run and nothing is written.
    """
    draft = Revision.objects.select_related("condition").get(pk=revision.pk)
    for name, value in changes.items():
        setattr(draft, name, value)
    references = resolve_keys(key for s in sections for key in cited_keys(s.body))
    return Article(
        condition=draft.condition,
        revision=draft,
        review=_latest_review(draft),
        rendered=render_article(revision=draft, sections=sections, references=references),
        related=_related_live(draft),
        history=public_history(revision=draft, sections=sections),
        preview=True,
    )


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


# --- the review conversation on a revision -----------------------------------------------


@dataclass(frozen=True)
class CommentThread:
    """A comment that starts a thread, its replies (oldest first) and its resolution."""

    comment: object
    replies: list
    resolution: object | None

    @property
    def is_resolved(self) -> bool:
        return self.resolution is not None


@dataclass(frozen=True)
class ConversationItem:
    """One item of a revision's conversation: a workflow event in words, or a thread."""

    at: dt.datetime
    event: object | None = None
    thread: CommentThread | None = None


def comment_threads(*, revision: Revision) -> list[CommentThread]:
    """The revision's comment threads, oldest first (two queries' worth: one)."""
    from kb.models import SectionComment

    rows = list(
        SectionComment.objects.filter(revision=revision)
        .select_related("author", "section")
        .order_by("created_at", "id")
    )
    replies: dict[int, list] = {}
    resolutions: dict[int, object] = {}
    for row in rows:
        if row.parent_id is None:
            continue
        if row.is_resolution:
            resolutions[row.parent_id] = row
        else:
            replies.setdefault(row.parent_id, []).append(row)
    return [
        CommentThread(row, replies.get(row.pk, []), resolutions.get(row.pk))
        for row in rows
        if row.parent_id is None
    ]


def unresolved_threads(*, revision: Revision) -> list[CommentThread]:
    """Threads nobody has marked as dealt with: listed when sending back and approving."""
    return [t for t in comment_threads(revision=revision) if not t.is_resolved]


def conversation(*, revision: Revision) -> list[ConversationItem]:
    """Everything said about the revision, oldest first: the notes of its workflow events
    (submission, send-back, approval, taking back) in words, and its comment threads."""
    from kb.history import revision_history

    items = [ConversationItem(at=e.at, event=e) for e in revision_history(revision=revision)]
    items += [
        ConversationItem(at=t.comment.created_at, thread=t)
        for t in comment_threads(revision=revision)
    ]
    return sorted(items, key=lambda item: item.at)
