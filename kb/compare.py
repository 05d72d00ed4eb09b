"""Comparing two revisions of a condition, for the editorial desk.

A medical reviewer approves a *change*, so they need to see exactly what changed since the
text readers have now: the name, other names and summary, which sections were added,
removed, moved or rewritten (with the rewritten words marked), and which references are
newly cited or no longer cited.

The comparison itself (``compare_revisions`` and the functions it uses) is pure: it works
on ``RevisionSnapshot`` values and touches no database, so it is cheap to test and its
cost does not depend on how the snapshots were loaded. ``load_snapshots`` is the one read,
in a fixed number of queries whatever the number of sections.

Section matching rule
---------------------
A new draft copies its sections from the revision it is based on, but the copies are new
rows, so sections are matched by what they are, not by database id. Pairs are made in
three passes, each only among the sections the earlier passes left unpaired:

1. same kind and same heading (compared ignoring case and repeated spaces), in reading
   order when an article repeats a heading;
2. same kind, for the standard kinds (overview, causes, symptoms …), in reading order:
   an article has at most one of each in practice, so a renamed heading ("Symptoms" to
   "Signs and symptoms") is still the same section;
3. custom sections ("Other") whose bodies are still mostly the same text (a word-level
   similarity of at least ``CUSTOM_SECTION_SIMILARITY``): a renamed custom section is
   the same section, two unrelated custom sections are not.

A section whose kind changed is shown as removed and added. A paired section is *changed*
when its kind, heading or body text differs; texts are compared as ``kb.text`` normalises
them, so a revision stored with CRLF line endings or trailing spaces (as browsers and
editors send them) equals its twin with LF. It is *moved* when it left the reading order
of the other paired sections (sections not in the longest run kept in the same relative
order); inserting or removing a section above does not make everything below "moved".
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from kb.citations import MARKER_RE, cited_keys, keys_in_marker
from kb.rendering import render_body
from kb.text import normalise_markdown

#: Minimum share of unchanged words for two custom sections with different headings to be
#: taken as the same section (pass 3 of the matching rule).
CUSTOM_SECTION_SIMILARITY = 0.5

#: Words, runs of white space, and single punctuation marks: a changed word is marked
#: without the comma after it, and a changed citation key without its brackets.
_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


# --- word-level text differences -------------------------------------------------------


class Op(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class DiffSegment:
    op: Op
    text: str


@dataclass(frozen=True)
class TextDiff:
    """The words of ``old`` and ``new`` as runs kept, deleted and inserted.

    ``old_html`` and ``new_html`` are the two sides of a side-by-side view. Every piece
    of text is escaped before it is wrapped in ``<del>`` or ``<ins>``, so an author's
    ``<script>`` shows as text and never runs in the desk.
    """

    segments: tuple[DiffSegment, ...]

    @property
    def changed(self) -> bool:
        return any(segment.op != Op.EQUAL for segment in self.segments)

    @property
    def deleted(self) -> tuple[str, ...]:
        """The deleted runs, trimmed (for summaries and tests)."""
        return self._runs(Op.DELETE)

    @property
    def inserted(self) -> tuple[str, ...]:
        """The inserted runs, trimmed (for summaries and tests)."""
        return self._runs(Op.INSERT)

    def _runs(self, op: Op) -> tuple[str, ...]:
        return tuple(s.text.strip() for s in self.segments if s.op == op and s.text.strip())

    @property
    def old_html(self) -> SafeString:
        return self._html(Op.DELETE, "del")

    @property
    def new_html(self) -> SafeString:
        return self._html(Op.INSERT, "ins")

    def _html(self, shown: Op, tag: str) -> SafeString:
        parts = []
        for segment in self.segments:
            if segment.op == Op.EQUAL:
                parts.append(escape(segment.text))
            elif segment.op == shown:
                # White space at the edges stays outside the mark: only words are marked.
                core = segment.text.strip()
                lead = segment.text[: len(segment.text) - len(segment.text.lstrip())]
                trail = segment.text[len(lead) + len(core) :]
                if core:
                    parts.append(format_html("{}<{}>{}</{}>{}", lead, tag, core, tag, trail))
                else:
                    parts.append(format_html("<{}>{}</{}>", tag, segment.text, tag))
        return format_html_join("", "{}", ((part,) for part in parts))


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def diff_words(*, old: str, new: str) -> TextDiff:
    """Word-level difference of two texts; only the words that changed are marked.

    White space is treated as junk by the matcher, so the single spaces between words
    never anchor a match on their own and a rewritten phrase is marked as one run instead
    of a comb of one-word changes.
    """
    if old == new:  # most sections of a revision are unchanged: no matching to do
        return TextDiff(segments=(DiffSegment(Op.EQUAL, old),) if old else ())
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(str.isspace, a, b, autojunk=False)
    segments: list[DiffSegment] = []

    def add(op: Op, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = DiffSegment(op, segments[-1].text + text)
        else:
            segments.append(DiffSegment(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(Op.EQUAL, a[i1:i2])
        else:
            add(Op.DELETE, a[i1:i2])
            add(Op.INSERT, b[j1:j2])
    return TextDiff(segments=tuple(segments))


def _similarity(old: str, new: str) -> float:
    words_old = [t for t in _tokens(old) if not t.isspace()]
    words_new = [t for t in _tokens(new) if not t.isspace()]
    if not words_old and not words_new:
        return 1.0
    return difflib.SequenceMatcher(None, words_old, words_new, autojunk=False).ratio()


# --- rendered text differences --------------------------------------------------------------

#: An HTML tag, a character entity, white space, a word, or one other character: tags and
#: entities are never split, so a mark never lands inside one.
_HTML_TOKEN_RE = re.compile(r"<[^>]*>|&#?\w+;|\s+|\w+|[^\w\s<&]|[<&]")


def _is_tag(token: str) -> bool:
    return token.startswith("<") and token.endswith(">") and len(token) > 1


@dataclass(frozen=True)
class HtmlDiff:
    """Two renderings of a text compared word by word, tags kept whole.

    Each side keeps all of its own tags, so ``old_html`` and ``new_html`` are as well
    formed as the renderings they come from; only runs of words are wrapped in
    ``<del>``/``<ins>``, never a tag. ``inline_html`` is the new rendering with the
    deleted words put back, struck through, where they were. The renderings are sanitised
    HTML (``kb.rendering``), so nothing an author typed runs in the desk.
    """

    old_tokens: tuple[str, ...]
    new_tokens: tuple[str, ...]
    opcodes: tuple[tuple[str, int, int, int, int], ...]

    @property
    def changed(self) -> bool:
        return any(tag != "equal" for tag, *_ in self.opcodes)

    @property
    def old_html(self) -> SafeString:
        return self._side(self.old_tokens, ("delete", "replace"), "del", old=True)

    @property
    def new_html(self) -> SafeString:
        return self._side(self.new_tokens, ("insert", "replace"), "ins", old=False)

    def _side(self, tokens, marked, mark: str, *, old: bool) -> SafeString:
        parts: list[str] = []
        for tag, i1, i2, j1, j2 in self.opcodes:
            run = tokens[i1:i2] if old else tokens[j1:j2]
            if tag == "equal":
                parts.extend(run)
            elif tag in marked:
                parts.append(_marked(run, mark, keep_tags=True))
        return SafeString("".join(parts))

    @property
    def inline_html(self) -> SafeString:
        parts: list[str] = []
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal":
                parts.extend(self.new_tokens[j1:j2])
                continue
            if tag in ("delete", "replace"):
                parts.append(_marked(self.old_tokens[i1:i2], "del", keep_tags=False))
            if tag in ("insert", "replace"):
                parts.append(_marked(self.new_tokens[j1:j2], "ins", keep_tags=True))
        return SafeString("".join(parts))


def _marked(tokens: Sequence[str], mark: str, *, keep_tags: bool) -> str:
    """Runs of words wrapped in ``<mark>``; tags kept as they are (or dropped)."""
    out: list[str] = []
    words: list[str] = []

    def flush() -> None:
        text = "".join(words)
        if text.strip():
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(lead) + len(core) :]
            out.append(f"{lead}<{mark}>{core}</{mark}>{trail}")
        elif text:
            out.append(text)
        words.clear()

    for token in tokens:
        if _is_tag(token):
            flush()
            if keep_tags:
                out.append(token)
            elif out and not out[-1].endswith(" "):
                out.append(" ")  # a block boundary dropped: keep the words apart
        else:
            words.append(token)
    flush()
    return "".join(out)


def diff_html(*, old: str, new: str) -> HtmlDiff:
    """Word-level difference of two safe HTML renderings (see ``HtmlDiff``)."""
    a = tuple(_HTML_TOKEN_RE.findall(old or ""))
    if old == new:
        return HtmlDiff(a, a, (("equal", 0, len(a), 0, len(a)),) if a else ())
    b = tuple(_HTML_TOKEN_RE.findall(new or ""))
    matcher = difflib.SequenceMatcher(str.isspace, a, b, autojunk=False)
    return HtmlDiff(a, b, tuple(matcher.get_opcodes()))


def rendered_body(*, body: str, snapshot: RevisionSnapshot) -> str:
    """A section body as readers see it, with each citation as its number and authors.

    The reference list is not beside the text here, so "[2]" alone says nothing: the
    marker reads "[2 Jansen et al.]" instead (numbers as in that revision). Pure: it
    reads only the snapshot.
    """
    numbers = {key: n for n, key in enumerate(snapshot.citation_keys, start=1)}

    def cite(match: re.Match) -> str:
        keys = keys_in_marker(match.group(1))
        if keys is None:
            return match.group(0)
        labels = []
        for key in keys:
            who = snapshot.reference_authors.get(key) or key
            number = numbers.get(key)
            labels.append(f"{number} {who}" if number else f"{who}?")
        return "\\[" + "; ".join(labels) + "\\]"

    text = MARKER_RE.sub(cite, normalise_markdown(text=body or ""))
    return render_body(text, numbers={}, known=set())


# --- what is compared -------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSnapshot:
    kind: str
    kind_label: str
    heading: str
    body: str

    @property
    def identity(self) -> tuple[str, str]:
        return (self.kind, " ".join(self.heading.split()).casefold())


@dataclass(frozen=True)
class RevisionSnapshot:
    """What a reader or reviewer sees of one revision, detached from the database."""

    number: int
    status_label: str
    name: str
    summary: str
    also_known_as: tuple[str, ...] = ()
    change_note: str = ""
    sections: tuple[SectionSnapshot, ...] = ()
    #: Cited reference keys in order of first citation.
    citation_keys: tuple[str, ...] = ()
    #: Titles of the cited references known to the library, by key.
    reference_titles: Mapping[str, str] = field(default_factory=dict)
    #: Short author labels of the cited references ("Jansen et al."), by key.
    reference_authors: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"Revision {self.number} ({self.status_label})"


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    diff: TextDiff

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class NamesChange:
    """Other names ("also known as"): a list, compared as a set of names."""

    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(name for name in self.new if name not in self.old)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(name for name in self.old if name not in self.new)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class SectionChange:
    change: Change
    old: SectionSnapshot | None = None
    new: SectionSnapshot | None = None
    #: 1-based place in each revision's reading order.
    old_position: int | None = None
    new_position: int | None = None
    moved: bool = False
    heading: TextDiff | None = None
    #: The two normalised Markdown bodies of a paired section (``body`` diffs them).
    body_texts: tuple[str, str] | None = field(default=None, repr=False)
    #: The body as readers see it (Markdown rendered, citations as numbers and authors),
    #: word by word; set by ``compare_revisions``.
    rendered: HtmlDiff | None = None

    @cached_property
    def body(self) -> TextDiff | None:
        """The Markdown source, word by word (worked out only when asked: the page shows
        ``rendered``)."""
        if self.body_texts is None:
            return None
        return diff_words(old=self.body_texts[0], new=self.body_texts[1])

    @property
    def kind_changed(self) -> bool:
        return bool(self.old and self.new and self.old.kind != self.new.kind)

    @property
    def label(self) -> str:
        """The visible label of the change: never left to colour alone."""
        move = f"moved from position {self.old_position} to {self.new_position}"
        if self.change == Change.ADDED:
            return "Added"
        if self.change == Change.REMOVED:
            return "Removed"
        if self.change == Change.MOVED:
            return move[0].upper() + move[1:]
        if self.change == Change.CHANGED:
            return f"Changed and {move}" if self.moved else "Changed"
        return "Unchanged"


@dataclass(frozen=True)
class CitationChange:
    key: str
    title: str
    change: Change

    @property
    def label(self) -> str:
        return {Change.ADDED: "Added", Change.REMOVED: "Removed"}.get(self.change, "Unchanged")


@dataclass(frozen=True)
class RevisionComparison:
    old: RevisionSnapshot
    new: RevisionSnapshot
    name: FieldChange
    summary: FieldChange
    also_known_as: NamesChange
    sections: tuple[SectionChange, ...]
    citations: tuple[CitationChange, ...]

    @property
    def text_fields(self) -> tuple[FieldChange, ...]:
        return (self.name, self.summary)

    @property
    def metadata_changed(self) -> bool:
        return self.name.changed or self.summary.changed or self.also_known_as.changed

    @property
    def section_counts(self) -> dict[str, int]:
        """How many sections were added, removed, moved, changed and left unchanged."""
        counts = {change.value: 0 for change in Change}
        for section in self.sections:
            counts[section.change.value] += 1
        return counts

    @property
    def citations_added(self) -> tuple[CitationChange, ...]:
        return tuple(c for c in self.citations if c.change == Change.ADDED)

    @property
    def citations_removed(self) -> tuple[CitationChange, ...]:
        return tuple(c for c in self.citations if c.change == Change.REMOVED)

    @property
    def changed_sections(self) -> tuple[SectionChange, ...]:
        """Sections added, removed, moved or changed, in reading order: shown first."""
        return tuple(s for s in self.sections if s.change != Change.UNCHANGED)

    @property
    def unchanged_sections(self) -> tuple[SectionChange, ...]:
        return tuple(s for s in self.sections if s.change == Change.UNCHANGED)

    @property
    def summary_text(self) -> str:
        """What changed, in one line: "2 sections changed, 1 added; 3 citations added,
        1 removed; summary changed"."""
        counts = self.section_counts
        section_parts = [
            f"{counts[change]} {word}"
            for change, word in (
                (Change.CHANGED.value, "changed"),
                (Change.ADDED.value, "added"),
                (Change.REMOVED.value, "removed"),
                (Change.MOVED.value, "moved"),
            )
            if counts[change]
        ]
        parts = []
        if section_parts:
            first = (
                counts[Change.CHANGED.value]
                or counts[Change.ADDED.value]
                or counts[Change.REMOVED.value]
                or counts[Change.MOVED.value]
            )
            noun = "section" if first == 1 else "sections"
            head, *rest = section_parts
            number, word = head.split(" ", 1)
            parts.append(", ".join([f"{number} {noun} {word}", *rest]))
        added, removed = len(self.citations_added), len(self.citations_removed)
        if added or removed:
            cite = [f"{added} added"] if added else []
            cite += [f"{removed} removed"] if removed else []
            total = added or removed
            number, word = cite[0].split(" ", 1)
            noun = "citation" if total == 1 else "citations"
            parts.append(", ".join([f"{number} {noun} {word}", *cite[1:]]))
        for label, changed in (
            ("name", self.name.changed),
            ("other names", self.also_known_as.changed),
            ("summary", self.summary.changed),
        ):
            if changed:
                parts.append(f"{label} changed")
        return "; ".join(parts) if parts else "No differences"

    @property
    def has_changes(self) -> bool:
        return (
            self.metadata_changed
            or any(s.change != Change.UNCHANGED for s in self.sections)
            or bool(self.citations_added or self.citations_removed)
        )


# --- the comparison ---------------------------------------------------------------------


def match_sections(
    *, old: Sequence[SectionSnapshot], new: Sequence[SectionSnapshot]
) -> list[tuple[int, int]]:
    """Pairs ``(old index, new index)`` of the same section, by the module's matching rule."""
    pairs: dict[int, int] = {}  # new index -> old index
    free_old = set(range(len(old)))

    # 1. same kind and heading, in reading order.
    by_identity: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for i, section in enumerate(old):
        by_identity[section.identity].append(i)
    for j, section in enumerate(new):
        queue = by_identity.get(section.identity)
        if queue:
            i = queue.popleft()
            pairs[j] = i
            free_old.discard(i)

    # 2. same standard kind, in reading order (renamed headings).
    by_kind: dict[str, deque[int]] = defaultdict(deque)
    for i in sorted(free_old):
        if old[i].kind != "custom":
            by_kind[old[i].kind].append(i)
    for j, section in enumerate(new):
        if j in pairs or section.kind == "custom":
            continue
        queue = by_kind.get(section.kind)
        if queue:
            i = queue.popleft()
            pairs[j] = i
            free_old.discard(i)

    # 3. custom sections whose text is still mostly the same, most similar first.
    candidates = []
    for j, section in enumerate(new):
        if j in pairs or section.kind != "custom":
            continue
        for i in free_old:
            if old[i].kind == "custom":
                score = _similarity(old[i].body, section.body)
                if score >= CUSTOM_SECTION_SIMILARITY:
                    candidates.append((-score, i, j))
    for _, i, j in sorted(candidates):
        if j not in pairs and i in free_old:
            pairs[j] = i
            free_old.discard(i)

    return sorted(((i, j) for j, i in pairs.items()), key=lambda pair: pair[0])


def _kept_in_order(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of pairs whose new order follows the old order (a longest
    increasing subsequence of new indices); every other pair was moved."""
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    previous: list[int | None] = [None] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        previous[k] = tails[lo - 1] if lo else None
        if lo == len(tails):
            tails.append(k)
        else:
            tails[lo] = k
    kept: set[tuple[int, int]] = set()
    k = tails[-1] if tails else None
    while k is not None:
        kept.add(pairs[k])
        k = previous[k]
    return kept


def compare_sections(
    *, old: Sequence[SectionSnapshot], new: Sequence[SectionSnapshot]
) -> tuple[SectionChange, ...]:
    """Every section of either revision, in the new reading order, with what happened to it.

    Removed sections are listed right after the section that preceded them in the old
    revision, so each sits where a reader of the old text would look for it.
    """
    pairs = match_sections(old=old, new=new)
    kept = _kept_in_order(pairs)
    old_for_new = {j: i for i, j in pairs}
    new_for_old = dict(pairs)

    rows_for_new: dict[int, SectionChange] = {}
    for j, section in enumerate(new):
        i = old_for_new.get(j)
        if i is None:
            rows_for_new[j] = SectionChange(Change.ADDED, new=section, new_position=j + 1)
            continue
        before = old[i]
        moved = (i, j) not in kept
        old_body = normalise_markdown(text=before.body)
        new_body = normalise_markdown(text=section.body)
        text_changed = (before.kind, before.heading, old_body) != (
            section.kind,
            section.heading,
            new_body,
        )
        if text_changed:
            change = Change.CHANGED
        elif moved:
            change = Change.MOVED
        else:
            change = Change.UNCHANGED
        rows_for_new[j] = SectionChange(
            change,
            old=before,
            new=section,
            old_position=i + 1,
            new_position=j + 1,
            moved=moved,
            heading=diff_words(old=before.heading, new=section.heading),
            body_texts=(old_body, new_body),
        )

    # Removed sections follow the nearest earlier old section that is still there.
    removed_after: dict[int | None, list[SectionChange]] = defaultdict(list)
    anchor: int | None = None  # new index of the last paired old section seen
    for i, section in enumerate(old):
        if i in new_for_old:
            anchor = new_for_old[i]
            continue
        removed_after[anchor].append(SectionChange(Change.REMOVED, old=section, old_position=i + 1))

    rows: list[SectionChange] = list(removed_after.get(None, []))
    for j in range(len(new)):
        rows.append(rows_for_new[j])
        rows.extend(removed_after.get(j, []))
    return tuple(rows)


def compare_citations(
    *, old: RevisionSnapshot, new: RevisionSnapshot
) -> tuple[CitationChange, ...]:
    """References cited by either revision, by key: new ones in citation order, then
    those no longer cited."""
    titles = {**old.reference_titles, **new.reference_titles}
    old_keys = set(old.citation_keys)
    new_keys = set(new.citation_keys)
    rows = [
        CitationChange(
            key, titles.get(key, ""), Change.UNCHANGED if key in old_keys else Change.ADDED
        )
        for key in dict.fromkeys(new.citation_keys)
    ]
    rows.extend(
        CitationChange(key, titles.get(key, ""), Change.REMOVED)
        for key in dict.fromkeys(old.citation_keys)
        if key not in new_keys
    )
    return tuple(rows)


def compare_revisions(*, old: RevisionSnapshot, new: RevisionSnapshot) -> RevisionComparison:
    """Everything that differs between two revisions, ``old`` on the left."""
    old_summary = normalise_markdown(text=old.summary)
    new_summary = normalise_markdown(text=new.summary)
    rendered: dict[tuple, str] = {}  # an unchanged body is rendered once for both sides

    def render(body: str, snapshot: RevisionSnapshot) -> str:
        keys = tuple(cited_keys(body))
        numbers = {key: n for n, key in enumerate(snapshot.citation_keys, start=1)}
        seen = tuple((k, numbers.get(k), snapshot.reference_authors.get(k)) for k in keys)
        memo = (body, seen)
        if memo not in rendered:
            rendered[memo] = rendered_body(body=body, snapshot=snapshot)
        return rendered[memo]

    sections = tuple(
        replace(
            row,
            rendered=diff_html(
                old=render(row.old.body, old) if row.old else "",
                new=render(row.new.body, new) if row.new else "",
            ),
        )
        for row in compare_sections(old=old.sections, new=new.sections)
    )
    return RevisionComparison(
        old=old,
        new=new,
        name=FieldChange("Name", old.name, new.name, diff_words(old=old.name, new=new.name)),
        summary=FieldChange(
            "Summary", old_summary, new_summary, diff_words(old=old_summary, new=new_summary)
        ),
        also_known_as=NamesChange(old=old.also_known_as, new=new.also_known_as),
        sections=sections,
        citations=compare_citations(old=old, new=new),
    )


# --- loading (the one read) -------------------------------------------------------------


def status_label(*, revision) -> str:
    """A revision's status as the desk says it: "draft", "approved, live" …"""
    from kb.models import RevisionStatus

    label = revision.get_status_display().lower()
    if revision.status != RevisionStatus.APPROVED:
        return label
    condition = revision.condition
    if condition.published_revision_id == revision.pk:
        return f"{label}, withdrawn" if condition.withdrawn_at else f"{label}, live"
    if condition.scheduled_revision_id == revision.pk:
        return f"{label}, scheduled"
    return label


def author_label(authors: Sequence[Mapping]) -> str:
    """ "Jansen", "Jansen and Lee" or "Jansen et al.": how a citation names its authors.

    A truncated CSL-JSON list ends in ``{"literal": "et al."}`` (PubMed and the demo
    library write it so): that marks more authors, not a second one named "et al.".
    """
    names = [a.get("family") or a.get("literal") or "" for a in authors or ()]
    names = [n for n in names if n]
    truncated = any(_is_et_al(n) for n in names)
    names = [n for n in names if not _is_et_al(n)]
    if not names:
        return ""
    if len(names) == 1 and not truncated:
        return names[0]
    if len(names) == 2 and not truncated:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def _is_et_al(name: str) -> bool:
    return name.strip().rstrip(".").casefold() == "et al"


def load_snapshots(*, revisions: Iterable) -> dict[int, RevisionSnapshot]:
    """Snapshots of the given revisions (with their conditions loaded), by revision id.

    Three queries at most, whatever the number of revisions and sections: the sections,
    the citations recorded at approval, and the library titles of keys cited in drafts.
    Approved revisions cite exactly the references recorded when they were approved (I2);
    revisions still being written cite what their text cites now.
    """
    from kb.citations import number_keys, resolve_keys
    from kb.models import Citation, Section

    revisions = list(revisions)
    ids = [r.pk for r in revisions]
    sections: dict[int, list[SectionSnapshot]] = defaultdict(list)
    bodies: dict[int, list[str]] = defaultdict(list)
    for section in Section.objects.filter(revision_id__in=ids).order_by(
        "revision_id", "position", "id"
    ):
        sections[section.revision_id].append(
            SectionSnapshot(
                kind=section.kind,
                kind_label=section.get_kind_display(),
                heading=section.heading,
                body=section.body,
            )
        )
        bodies[section.revision_id].append(section.body)

    approved_ids = [r.pk for r in revisions if r.is_approved]
    recorded: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if approved_ids:
        for citation in (
            Citation.objects.filter(revision_id__in=approved_ids)
            .select_related("reference")
            .order_by("revision_id", "number")
        ):
            # The title as approved (I9), not as the library has it now.
            frozen = citation.snapshot or {}
            title = frozen.get("title") or citation.reference.title
            authors = frozen.get("authors") if citation.snapshot else citation.reference.authors
            recorded[citation.revision_id].append(
                (citation.reference.key, title, author_label(authors or []))
            )

    draft_keys = {
        r.pk: list(number_keys(bodies[r.pk])) for r in revisions if r.pk not in approved_ids
    }
    library = resolve_keys(key for keys in draft_keys.values() for key in keys)

    snapshots = {}
    for revision in revisions:
        if revision.pk in draft_keys:
            keys = tuple(draft_keys[revision.pk])
            titles = {key: library[key].title for key in keys if key in library}
            authors = {key: author_label(library[key].authors) for key in keys if key in library}
        else:
            keys = tuple(key for key, _, _ in recorded[revision.pk])
            titles = {key: title for key, title, _ in recorded[revision.pk]}
            authors = {key: who for key, _, who in recorded[revision.pk]}
        snapshots[revision.pk] = RevisionSnapshot(
            number=revision.number,
            status_label=status_label(revision=revision),
            name=revision.name,
            summary=revision.summary,
            also_known_as=tuple(revision.also_known_as or ()),
            change_note=revision.change_note,
            sections=tuple(sections[revision.pk]),
            citation_keys=keys,
            reference_titles=titles,
            reference_authors=authors,
        )
    return snapshots
