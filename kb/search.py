"""Public search over published text only (I1).

``search_published`` starts from ``kb.selectors.published_revisions()``: the live revision
of each public condition. Text is reached only through that revision's search document
(``kb.models.SearchDocument``, written once when the revision was approved, kept only
while it is published or scheduled: ``kb.search_index``), so the text of a draft,
in-review, sent-back or superseded revision is never searched, counted or shown.

PostgreSQL (production, CI)
    Full-text search with the ``english`` configuration over the stored, GIN-indexed
    document (names and other names, summary, section headings and bodies). Every word of
    the query must match, as a prefix (``word:*`` in a raw tsquery built from letters and
    digits only, so nothing a reader types can reach tsquery syntax). The matches are
    always read from the GIN index (``kb_searchdocument_ranks``, migration 0023), and
    ranked by ``ts_rank`` over the small ``head`` vector, A = name and other names, B =
    summary: conditions found only in their sections follow, in name order. Ranking
    never reads the large out-of-line vectors, so a word found in nearly every article
    costs about what a rare one does.

SQLite (the embedded development default)
    Every query word must appear (case-insensitively) in the names, summary or section
    text of the document, found through an FTS5 trigram index of the documents (migration
    0018; plain ``LIKE`` where SQLite lacks it or a word is shorter than three letters);
    a word in a name counts 1, in the summary 0.1, which the live names answer without
    searching the index again.

On both databases snippets are a window of the summary or sections text around the first
matched word (on PostgreSQL also a word starting with one of the query's lexemes), cut in
Python from the page's rows only; only as many matches as the pages asked for are put in
order. A name or other name that is (nearly) the whole query ranks first ("fasiculation"
lists Fasciculations before Cramp-fasciculation syndrome); when nothing matches the text,
names and other names in which every word has a similar word are shown instead, with a
note saying so, and the closest live name or other name is offered as "Did you mean …".
All three come from the live names held in memory per publication state
(``kb.search_names``, rapidfuzz), not from a scan of the documents.

Either way one search costs one query for the matches (the matching ids on SQLite, the
ranked ids on PostgreSQL) plus one query for the page, however many conditions match (one
more when it falls back to similar names, and one query for the live names after each
public change), and snippets are escaped HTML in which only the ``<mark>`` elements around
matches are markup. The view caches pages of results in the current publication state
(``kb.caching``); ``bench/search_latency.py`` times searches without it.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb import search_names
from kb.models import Revision
from kb.selectors import published_revisions

MAX_QUERY_LENGTH = 200
MAX_TERMS = 24
MAX_PER_PAGE = 100
#: Shorter queries are not matched by similarity: "als" looks like too many names.
TRIGRAM_MIN_LENGTH = 4
#: Added to the score of a revision whose name or other name is (nearly) the whole query,
#: times its closeness: larger than any text score, so such names always come first.
NEAR_NAME_WEIGHT = 100.0
SEARCH_CONFIG = "english"
#: The columns of a hit, read for the rows of one page.
_FIELDS = ("condition__slug", "name", "also_known_as", "summary")
#: Joins a section's heading to its body in the searched and quoted text.
HEADING_JOINER = " — "

# Letters and digits (any script); everything else separates words.
_WORD_RE = re.compile(r"[^\W_]+")
_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Markdown noise removed before text is indexed or quoted: quote, heading and list markers
# at the start of a line, citation markers ([@key]), link targets, emphasis and code
# characters, brackets.
_PY_MARKDOWN_CLEANUP = [
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE), ""),
    (re.compile(r"^[ \t]*(?:#+|[-+*]|[0-9]+[.)])[ \t]+", re.MULTILINE), ""),
    (re.compile(r"\[@[^\]]*\]"), ""),
    (re.compile(r"\]\([^)]*\)"), "]"),
    (re.compile(r"[*_`\[\]]+"), ""),
]


@dataclass
class SearchHit:
    slug: str
    name: str
    also_known_as: list[str]
    summary: str
    snippet_html: SafeString
    rank: float


@dataclass
class SearchResults:
    query: str
    results: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    has_next: bool = False
    has_previous: bool = False
    message: str = ""
    per_page: int = 20
    #: The closest live name or other name when nothing matched the text ("Did you mean").
    suggestion: str = ""

    @property
    def start_index(self) -> int:
        """1-based position of the first hit on this page (for ``<ol start>``)."""
        return (self.page - 1) * self.per_page + 1 if self.results else 0


def search_published(*, query: str, page: int = 1, per_page: int = 20) -> SearchResults:
    """Search the published text of every public condition; one page of hits."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    text, notes = _normalise(query)
    results = SearchResults(query=text, per_page=per_page)
    if not text:
        results.message = "Enter a word or the name of a condition to search for."
        return results
    terms = _terms(text)
    if not terms:
        notes.append("Search for words or names made of letters or numbers, for example “cramp”.")
        results.message = " ".join(notes)
        return results
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        notes.append(f"Only the first {MAX_TERMS} different words were searched for.")

    names = search_names.live_names()
    # A name or other name that is (nearly) the whole query comes first on any database.
    near = search_names.near_names(phrase=" ".join(terms), index=names)
    if connection.vendor == "postgresql":
        total, similar_only, queryset, to_hit = _postgres_search(terms, near, names)
    else:
        total, similar_only, queryset, to_hit = _simple_search(terms, near, names)
    if similar_only or not total:
        results.suggestion = search_names.suggestion(phrase=text, index=names)

    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(_as_int(page), pages))
    results.total = total
    results.page = page
    results.pages = pages
    results.has_previous = page > 1
    results.has_next = page < pages
    if total:
        offset = (page - 1) * per_page
        results.results = [to_hit(row) for row in queryset[offset : offset + per_page]]
    if similar_only:
        notes.append(
            f"Nothing matched “{text}” exactly, so these are conditions with similar names."
        )
    results.message = " ".join(notes)
    return results


# -- query text ----------------------------------------------------------------------------


def _normalise(query) -> tuple[str, list[str]]:
    text = _CONTROL_RE.sub(" ", str(query or ""))
    text = " ".join(text.split())
    notes: list[str] = []
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH].rstrip()
        notes.append(f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters.")
    return text, notes


def _terms(text: str) -> list[str]:
    """Distinct lower-case words of letters and digits, in the order typed."""
    seen: dict[str, None] = {}
    for word in _WORD_RE.findall(text):
        seen.setdefault(word.casefold(), None)
    return list(seen)


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def plain_text(markdown: str) -> str:
    """Markdown source as plain words (Python twin of the PostgreSQL cleanup)."""
    text = markdown or ""
    for pattern, replacement in _PY_MARKDOWN_CLEANUP:
        text = pattern.sub(replacement, text)
    return text


# -- PostgreSQL ----------------------------------------------------------------------------


def _near_boost(near: dict[int, float]):
    """SQL: the closeness bonus of each near-exact name's revision, else 0."""
    if not near:
        return Value(0.0, output_field=FloatField())
    return Case(
        *[When(pk=pk, then=Value(NEAR_NAME_WEIGHT * closeness)) for pk, closeness in near.items()],
        default=Value(0.0),
        output_field=FloatField(),
    )


#: PostgreSQL function (migration 0023): the matching documents of published or scheduled
#: revisions and their rank, read from the GIN index whatever share of documents match.
RANKS_FUNCTION = "kb_searchdocument_ranks"


def _ranked_matches(raw: str) -> tuple[dict[int, float], list[str]]:
    """(revision id → ``ts_rank`` of its names and summary, for documents matching ``raw``;
    the query's lexemes), in one query. The lexemes ("numb" for "numbness") mark the words
    of the snippets that PostgreSQL matched through their stem."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT revision_id, rank, NULL FROM {RANKS_FUNCTION}(to_tsquery(%s::regconfig, %s))"  # noqa: S608
            " UNION ALL SELECT NULL, NULL, to_tsquery(%s::regconfig, %s)::text",
            [SEARCH_CONFIG, raw, SEARCH_CONFIG, raw],
        )
        ranks: dict[int, float] = {}
        lexemes: list[str] = []
        for pk, rank, query in cursor.fetchall():
            if pk is None:
                lexemes = [m.replace("''", "'") for m in _LEXEME_RE.findall(query or "")]
            else:
                ranks[pk] = rank or 0.0
        return ranks, lexemes


#: A lexeme in the text form of a tsquery: 'numb':* (quotes inside doubled).
_LEXEME_RE = re.compile(r"'((?:[^']|'')+)'")


def _postgres_search(terms: list[str], near: dict[int, float], names):
    """(total, similar names only?, page, row → SearchHit).

    One query lists the matching documents with their rank over the names and summary
    (``head``: A, B); the live ones among them (the live names of this publication state)
    are ordered here, a name that is (nearly) the whole query first, conditions found only
    in their sections after, in name order; one query reads the page through
    ``published_revisions()``. Only if nothing matches in full text are similar names
    shown instead (a typo fallback, not noise under good answers: "isaacs syndrome"
    should not list every syndrome), as on SQLite.

    Snippets are cut here from the page's documents, around the first word that starts
    with a typed word or one of the query's lexemes: ``ts_headline`` over twenty documents
    of several kilobytes each cost more than the whole rest of a search.
    """
    # Safe by construction: every term is letters/digits only (see _terms).
    raw = " & ".join(f"{term}:*" for term in terms)
    ranks, lexemes = _ranked_matches(raw)
    live = names.live_ids
    scores = {pk: rank for pk, rank in ranks.items() if pk in live}
    for pk, closeness in near.items():
        if pk in scores:
            scores[pk] += NEAR_NAME_WEIGHT * closeness
    if not scores and len(" ".join(terms)) >= TRIGRAM_MIN_LENGTH:
        similar = search_names.similar_names(terms=terms, index=names)
        if similar:
            page = _SimilarPage(similar, near, names, _FIELDS)
            # Snippets quote the summary: the typed words are not in the text.
            return len(page), True, page, lambda row: _hit(row, _window_snippet(row["summary"]))
    page = _RankedPage(scores, names, _FIELDS, body=F("search_document__body"))
    pattern = _word_pattern([*terms, *lexemes])

    def to_hit(row) -> SearchHit:
        return _hit(row, _window_snippet(row["summary"], row["body"] or "", pattern))

    return len(page), False, page, to_hit


# -- SQLite and other databases ------------------------------------------------------------

#: SQLite's FTS5 table of the search documents, trigram-tokenized (migration 0019).
FTS_TABLE = "kb_searchfts"
#: The trigram index finds runs of three characters or more; shorter words are looked for
#: in the text of the documents it found.
TRIGRAM_LENGTH = 3
#: Database name → whether it has the trigram index (checked once per process).
_trigram_index: dict[str, bool] = {}


def _has_trigram_index() -> bool:
    """Whether this SQLite database has the trigram index (migration 0019; SQLite ≥ 3.34)."""
    name = str(connection.settings_dict["NAME"])
    if name not in _trigram_index:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
            )
            _trigram_index[name] = cursor.fetchone() is not None
    return _trigram_index[name]


def _simple_search(terms: list[str], near: dict[int, float], names):
    """(total, similar names only?, page, row → SearchHit), like PostgreSQL's.

    Every word must appear in the text; when none does, names and other names in which
    every word has a similar word (``kb.search_names.similar_names``) are shown instead.
    """
    if _has_trigram_index() and all(len(term) >= TRIGRAM_LENGTH for term in terms):
        page = _RankedPage(
            _fts_scores(terms, near, names),
            names,
            _FIELDS,
            body=F("search_document__body"),
        )
        total = len(page)
    else:
        page, total = _like_search(terms, near)
    if not total and len(" ".join(terms)) >= TRIGRAM_MIN_LENGTH:
        similar = search_names.similar_names(terms=terms, index=names)
        if similar:
            page = _SimilarPage(similar, near, names, _FIELDS)
            # Snippets quote the summary: the typed words are not in the text.
            return len(page), True, page, lambda row: _hit(row, _window_snippet(row["summary"]))
    pattern = _word_pattern(terms)

    def to_hit(row) -> SearchHit:
        return _hit(row, _window_snippet(row["summary"], row["body"] or "", pattern))

    return total, False, page, to_hit


def _fts_scores(terms: list[str], near: dict[int, float], names):
    """Live revision id → score, for the documents containing every word (one query).

    The trigram index answers which documents contain every word; which of them have a
    word in their names (1 per word) or summary (0.1) the live names answer
    (``kb.search_names``), instead of two more searches of the index per word, each
    reading the same long lists of positions.
    """
    # Safe by construction: every term is letters/digits only (see _terms), quoted as an
    # FTS5 string; the match expression is a parameter.
    match = " AND ".join(f'"{t}"' for t in terms)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608
        found = {pk for (pk,) in cursor.fetchall()} & names.live_ids
    scores = dict.fromkeys(found, 0.0)
    for term in terms:
        in_name = names.in_names(term) & found
        for pk in in_name:
            scores[pk] += 1.0
        for pk in (names.in_summaries(term) & found) - in_name:
            scores[pk] += 0.1
    for pk, closeness in near.items():
        if pk in scores:
            scores[pk] += NEAR_NAME_WEIGHT * closeness
    return scores


def _like_search(terms: list[str], near: dict[int, float]):
    """(page queryset, total) where words are too short for the trigram index (or SQLite
    lacks it): the words the index can find through it, the others with ``LIKE``."""
    queryset: QuerySet[Revision] = published_revisions()
    indexed = [term for term in terms if len(term) >= TRIGRAM_LENGTH]
    if indexed and _has_trigram_index():
        # Safe by construction: every term is letters/digits only (see _terms), quoted
        # as an FTS5 string.
        queryset = queryset.filter(pk__in=_fts_ids(" AND ".join(f'"{t}"' for t in indexed)))
        unindexed = [term for term in terms if term not in indexed]
    else:
        unindexed = terms
    for term in unindexed:
        queryset = queryset.filter(
            Q(search_document__names__icontains=term)
            | Q(summary__icontains=term)
            | Q(search_document__body__icontains=term)
        )
    total = queryset.count()
    in_name, in_summary = _name_and_summary_matches()
    name_score = Value(0.0, output_field=FloatField())
    for term in terms:
        name_score = name_score + Case(
            When(in_name(term), then=Value(1.0)),
            When(in_summary(term), then=Value(0.1)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    queryset = (
        queryset.annotate(score=name_score + _near_boost(near), body=F("search_document__body"))
        .order_by("-score", "name", "pk")
        .values(*_FIELDS, "body", "score")
    )
    return queryset, total


def _fts_ids(match: str) -> RawSQL:
    """SQL: the revision ids whose document matches an FTS5 query (a parameter)."""
    return RawSQL(  # noqa: S611 (constant SQL, the match is a parameter)
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
        [match],
    )


def _name_and_summary_matches():
    """term → Q "the name/other names contain it", term → Q "the summary contains it".

    With the trigram index both are index lookups (the ids are listed once per query)
    instead of a ``LIKE`` over every matching row.
    """

    def in_name(term: str) -> Q:
        if len(term) >= TRIGRAM_LENGTH and _has_trigram_index():
            return Q(pk__in=_fts_ids(f'names : "{term}"'))
        return Q(search_document__names__icontains=term)

    def in_summary(term: str) -> Q:
        if len(term) >= TRIGRAM_LENGTH and _has_trigram_index():
            return Q(pk__in=_fts_ids(f'summary : "{term}"'))
        return Q(summary__icontains=term)

    return in_name, in_summary


def _word_pattern(terms: list[str]) -> re.Pattern:
    """Whole words containing a query word, so "fasciculation" marks "fasciculations".

    Anchored at the start of a word (and lazy within it) so that text without a match
    is scanned in linear time.
    """
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b\w*?(?:{alternatives})\w*", re.IGNORECASE)


class _RankedPage:
    """Scored revisions in score order (then name, id), read a page at a time.

    Only as many as the pages asked for are ordered: the best scores are found first (in
    C, without a key per revision), then the revisions scoring at least the lowest of them
    are sorted, and those tied with it in name order through the live names' precomputed
    positions, so a word found in nearly every document costs a pass over the scores, not
    a sort of all of them. A page is read through ``published_revisions()`` (one query),
    so it shows nothing that is not live. ``annotations`` (the text snippets are cut
    from) are read for the page's rows only.
    """

    def __init__(self, scores: dict[int, float], names, fields, **annotations):
        self.scores = scores
        self.position = names.position
        self.order: list[int] = []
        self.fields = list(fields)
        self.annotations = annotations

    def __len__(self) -> int:
        return len(self.scores)

    def _first(self, count: int) -> list[int]:
        """The first ``count`` revisions in order (fewer if fewer matched)."""
        scores, position = self.scores, self.position
        if count <= len(self.order) or len(self.order) == len(scores):
            return self.order[:count]
        best = heapq.nlargest(count, scores.values())
        if not best:
            return []
        lowest = best[-1]
        # Every scored revision is live, so it has a place in name order.
        above = [pk for pk, score in scores.items() if score > lowest]
        above.sort(key=lambda pk: (-scores[pk], position[pk]))
        tied = [pk for pk, score in scores.items() if score == lowest]
        tied = heapq.nsmallest(count - len(above), tied, key=position.__getitem__)
        self.order = above + tied
        return self.order[:count]

    def __getitem__(self, page: slice) -> list[dict]:
        wanted = self._first(page.stop)[page]
        rows = (
            published_revisions()
            .filter(pk__in=wanted)
            .annotate(**self.annotations)
            .values("pk", *self.fields, *self.annotations)
        )
        by_pk = {row["pk"]: {**row, "score": self.scores[row["pk"]]} for row in rows}
        return [by_pk[pk] for pk in wanted if pk in by_pk]


class _SimilarPage(_RankedPage):
    """The live revisions among similar names; which are live is the database's answer."""

    def __init__(self, similar: dict[int, float], near: dict[int, float], names, fields):
        live = published_revisions().filter(pk__in=list(similar)).values_list("pk", flat=True)
        scores = {pk: similar[pk] + NEAR_NAME_WEIGHT * near.get(pk, 0.0) for pk in live}
        super().__init__(scores, names, fields)


def _window_snippet(
    summary: str, body: str = "", pattern: re.Pattern | None = None, before=70, after=160
):
    """A window of the summary or the sections around the first match, matches marked.

    ``body`` is a document's sections text, already plain words (``kb.search_index``).
    """
    for text in (summary, body) if pattern else ():
        text = " ".join((text or "").split())
        found = pattern.search(text)
        if not found:
            continue
        begin = max(0, found.start() - before)
        if begin:
            space = text.find(" ", begin, found.start())
            begin = space + 1 if space != -1 else begin
        end = min(len(text), found.end() + after)
        if end < len(text):
            space = text.rfind(" ", found.end(), end)
            end = space if space != -1 else end
        window = text[begin:end]
        out = ["… " if begin else ""]
        last = 0
        for match in pattern.finditer(window):
            out.append(escape(window[last : match.start()]))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
        out.append(escape(window[last:]))
        out.append(" …" if end < len(text) else "")
        return mark_safe("".join(out))  # noqa: S308 (every piece escaped, only <mark> added)
    return mark_safe(escape(summary))  # noqa: S308 (escaped just now)


def _hit(row: dict, snippet: SafeString) -> SearchHit:
    aka = row["also_known_as"]
    return SearchHit(
        slug=row["condition__slug"],
        name=row["name"],
        also_known_as=[str(n) for n in aka if str(n).strip()] if isinstance(aka, list) else [],
        summary=row["summary"],
        snippet_html=snippet,
        rank=float(row["score"] or 0.0),
    )
