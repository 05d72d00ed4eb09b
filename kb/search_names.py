"""The names and other names of live conditions, for typo tolerance on every database.

A reader who types "fasiculation" means "Fasciculations", and a name that *is* (nearly)
the query should come before names that merely contain it. Comparing the query with every
live name in the database would read every document on each search, so on both databases
the search asks this module, which holds every name and other name of the live revisions
in memory and compares them with rapidfuzz:

- ``near_names``: revisions whose whole name or other name is (nearly) the query: these
  rank first ("fasciculation" → Fasciculations before Cramp-fasciculation syndrome).
- ``similar_names``: revisions each of whose words of the query is (nearly) a word of a
  name or other name: the typo fallback when nothing matches the text.
- ``suggestion``: the closest live name or other name ("Did you mean …").

The list is read through ``published_revisions()`` (I1) with one query, and kept under
the database's publication state (``kb.caching.store.fresh``), so it is rebuilt after
every public change and never names a condition that is not live in that state (I10).
Callers still filter the revisions they show through ``published_revisions()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from kb.caching import store
from kb.selectors import published_revisions

#: Minimum rapidfuzz ratio (0–100) of the query to a whole name to rank that name first:
#: one or two letters wrong or missing ("fasiculation"/"Fasciculations" 92,
#: "crampz"/"Cramps" 83) pass; a name that only contains the query word does not
#: ("fasiculation"/"Cramp-fasciculation syndrome" 60).
NEAR_NAME = 80.0
#: Minimum ratio of a query word to a word of a name for a typo match
#: ("asthama"/"asthma" 92, "migrane"/"migraine" 93, "gone"/"one" 86 is why short words
#: must match exactly or as a prefix: see ``TYPO_MIN_WORD``).
TYPO_WORD = 80.0
#: Query words shorter than this match name words only by prefix, never by similarity.
TYPO_MIN_WORD = 5
#: Minimum ratio of the query to a name or other name to offer it as "Did you mean".
SUGGEST = 60.0
#: At most this many revisions come back from ``similar_names``.
MAX_SIMILAR = 200

_WORD_RE = re.compile(r"[^\W_]+")


def name_key(text: str) -> str:
    """A name as compared: lower-case words of letters and digits, single spaces."""
    return " ".join(word.casefold() for word in _WORD_RE.findall(text or ""))


@dataclass(frozen=True)
class NameIndex:
    #: Parallel tuples: one entry per name or other name of a live revision.
    revision_ids: tuple[int, ...]
    names: tuple[str, ...]
    keys: tuple[str, ...]
    #: Each distinct word of the keys → the revisions with a name containing it.
    words: dict[str, frozenset[int]]
    #: Each distinct word of the summaries (as compared) → the revisions whose summary
    #: has it: which matches have a word in their summary is answered here, not by
    #: searching the text index again.
    summary_words: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def vocabulary(self) -> list[str]:
        return list(self.words)

    @cached_property
    def live_ids(self) -> frozenset[int]:
        """Every live revision (each has a name)."""
        return frozenset(self.revision_ids)

    def in_names(self, term: str) -> set[int]:
        """The revisions with a name or other name containing ``term`` (a compared word)."""
        return _containing(term, self.words)

    def in_summaries(self, term: str) -> set[int]:
        """The revisions whose summary contains ``term`` (a compared word)."""
        return _containing(term, self.summary_words)

    @cached_property
    def position(self) -> dict[int, int]:
        """Revision id → its place in name order (then id): search orders ties by it
        without comparing names."""
        name_of = self.name_of
        ordered = sorted(name_of, key=lambda pk: (name_of[pk], pk))
        return {pk: place for place, pk in enumerate(ordered)}

    @cached_property
    def name_of(self) -> dict[int, str]:
        """Revision id → its name (the first label listed for it)."""
        names: dict[int, str] = {}
        for pk, name in zip(self.revision_ids, self.names, strict=True):
            names.setdefault(pk, name)
        return names


def _containing(term: str, words: dict[str, frozenset[int]]) -> set[int]:
    """The revisions listed under every word of which ``term`` is a part.

    ``term`` is letters and digits only, so it is part of the text exactly when it is part
    of one of its words (what the trigram index's "contains" answers too).
    """
    found: set[int] = set()
    for word in [word for word in words if term in word]:
        found |= words[word]
    return found


def live_names() -> NameIndex:
    """Every name and other name of the live revisions (one query per publication state)."""
    return store.fresh("search:names", _build, large=True)


def _build() -> NameIndex:
    revision_ids: list[int] = []
    names: list[str] = []
    keys: list[str] = []
    words: dict[str, set[int]] = {}
    summary_words: dict[str, set[int]] = {}
    rows = published_revisions().values_list("pk", "name", "also_known_as", "summary")
    for pk, name, others, summary in rows.iterator(chunk_size=2000):
        for word in name_key(summary).split():
            summary_words.setdefault(word, set()).add(pk)
        others = others if isinstance(others, list) else []
        for label in (name, *(str(other).strip() for other in others)):
            key = name_key(label)
            if not key:
                continue
            revision_ids.append(pk)
            names.append(label)
            keys.append(key)
            for word in key.split():
                words.setdefault(word, set()).add(pk)
    return NameIndex(
        revision_ids=tuple(revision_ids),
        names=tuple(names),
        keys=tuple(keys),
        words={word: frozenset(ids) for word, ids in words.items()},
        summary_words={word: frozenset(ids) for word, ids in summary_words.items()},
    )


def near_names(*, phrase: str, index: NameIndex | None = None) -> dict[int, float]:
    """Revision id → closeness (0–1) of its best name or other name to the whole query."""
    index = index or live_names()
    key = name_key(phrase)
    if not key:
        return {}
    found: dict[int, float] = {}
    matches = process.extract(
        key, index.keys, scorer=fuzz.ratio, processor=None, score_cutoff=NEAR_NAME, limit=50
    )
    for _key, score, position in matches:
        pk = index.revision_ids[position]
        found[pk] = max(found.get(pk, 0.0), score / 100)
    return found


def similar_names(*, terms: list[str], index: NameIndex | None = None) -> dict[int, float]:
    """Revision id → score (0–1) for names in which every query word has a close word.

    A word matches a name word that starts with it, or (for words of ``TYPO_MIN_WORD``
    letters or more) one that is at least ``TYPO_WORD`` similar. The score is the mean
    similarity of the best word for each query word.
    """
    index = index or live_names()
    vocabulary = index.vocabulary
    scores: dict[int, float] | None = None
    for term in terms:
        best: dict[int, float] = {}
        close = [(w, 100.0) for w in vocabulary if w.startswith(term)]
        if len(term) >= TYPO_MIN_WORD:
            close += [
                (w, score)
                for w, score, _ in process.extract(
                    term,
                    vocabulary,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=TYPO_WORD,
                    limit=None,
                )
            ]
        for word, score in close:
            for pk in index.words[word]:
                if score > best.get(pk, 0.0):
                    best[pk] = score
        if scores is None:
            scores = best
        else:
            scores = {pk: scores[pk] + score for pk, score in best.items() if pk in scores}
        if not scores:
            return {}
    ranked = sorted((scores or {}).items(), key=lambda item: -item[1])[:MAX_SIMILAR]
    return {pk: total / (100 * len(terms)) for pk, total in ranked}


def suggestion(*, phrase: str, index: NameIndex | None = None) -> str:
    """The live name or other name closest to the query, or "" if none is close enough."""
    index = index or live_names()
    key = name_key(phrase)
    if not key:
        return ""
    best = process.extractOne(
        key, index.keys, scorer=fuzz.ratio, processor=None, score_cutoff=SUGGEST
    )
    if best is None or best[0] == key:
        return ""
    return index.names[best[2]]
