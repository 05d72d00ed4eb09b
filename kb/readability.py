"""How easy a section is to read: plain-language scores and what to simplify.

Public pages are written for a reading age of about 12, so the desk shows each section's
SMOG grade and Flesch reading ease (computed with ``textstat``) against the targets in
settings (``KB_READABILITY_MAX_SMOG``, default 10; ``KB_READABILITY_MIN_FLESCH``, default
60), and lists the sentences longer than ``KB_READABILITY_LONG_SENTENCE_WORDS`` words and
the words on the "use a simpler word" list (``kb.plain_words``, or ``KB_SIMPLER_WORDS``).

Scores are taken on what a reader reads, not on the Markdown: markup, link targets,
citation markers and box syntax are removed first, and every block (paragraph, list item,
table cell, heading, box title) counts as a sentence, so a bulleted list is not scored as
one endless sentence. SMOG needs at least three sentences to mean anything; a shorter
section gets no SMOG grade rather than a misleading one.

The scores are advice, never a gate: ``score`` is pure, and the service layer stores its
result with each section when a draft is saved (``kb.services.record_readability``) so
reviewers see what the author saw.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import textstat
from django.conf import settings
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from kb.citations import MARKER_RE

#: Sentences shown per section; the count says how many there are in all.
MAX_LONG_SENTENCES_SHOWN = 5
_SNIPPET_CHARS = 90
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


@dataclass(frozen=True)
class Targets:
    max_smog: float
    min_flesch: float
    long_sentence_words: int


@dataclass(frozen=True)
class Readability:
    """One section's scores. ``smog``/``flesch`` are None when the text is too short."""

    words: int
    sentences: int
    smog: float | None
    flesch: float | None
    long_sentences: list[str] = field(default_factory=list)
    long_sentence_count: int = 0
    simpler_words: list[tuple[str, str]] = field(default_factory=list)
    targets: Targets | None = None

    @property
    def smog_ok(self) -> bool | None:
        if self.smog is None or self.targets is None:
            return None
        return self.smog <= self.targets.max_smog

    @property
    def flesch_ok(self) -> bool | None:
        if self.flesch is None or self.targets is None:
            return None
        return self.flesch >= self.targets.min_flesch

    @property
    def needs_work(self) -> bool:
        """True when a score misses its target or something is flagged."""
        return (
            self.smog_ok is False
            or self.flesch_ok is False
            or bool(self.long_sentence_count)
            or bool(self.simpler_words)
        )

    def as_json(self) -> dict:
        data = asdict(self)
        data["simpler_words"] = [list(pair) for pair in self.simpler_words]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Readability | None:
        """The stored scores, or None for a section saved before scores were kept."""
        if not data or "words" not in data:
            return None
        targets = data.get("targets")
        return cls(
            words=data["words"],
            sentences=data["sentences"],
            smog=data.get("smog"),
            flesch=data.get("flesch"),
            long_sentences=list(data.get("long_sentences", [])),
            long_sentence_count=data.get("long_sentence_count", 0),
            simpler_words=[tuple(pair) for pair in data.get("simpler_words", [])],
            targets=Targets(**targets) if targets else None,
        )


def targets() -> Targets:
    """The targets in force (settings, read on each call so tests and deploys can set them)."""
    return Targets(
        max_smog=float(getattr(settings, "KB_READABILITY_MAX_SMOG", 10)),
        min_flesch=float(getattr(settings, "KB_READABILITY_MIN_FLESCH", 60)),
        long_sentence_words=int(getattr(settings, "KB_READABILITY_LONG_SENTENCE_WORDS", 25)),
    )


def simpler_words() -> dict[str, str]:
    from kb.plain_words import SIMPLER_WORDS

    configured = getattr(settings, "KB_SIMPLER_WORDS", None)
    return {k.lower(): v for k, v in (SIMPLER_WORDS if configured is None else configured).items()}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The site's Markdown (tables, any ``:::`` box), used only to find the words."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    container_plugin(md, "box", validate=lambda params, *args: True)
    return md


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _as_sentence(block: str) -> str:
    block = " ".join(block.split())
    if not block:
        return ""
    return block if block[-1] in ".!?" else block.rstrip(":;,") + "."


def plain_text(body: str) -> str:
    """What a reader reads in ``body``: one block per line, each ending a sentence."""
    text = MARKER_RE.sub("", body or "")
    blocks: list[str] = []
    for token in _parser().parse(text):
        if token.type == "inline":
            blocks.append(_as_sentence(_inline_text(token)))
        elif token.type == "container_box_open":
            title = token.info.strip().partition(" ")[2]
            blocks.append(_as_sentence(title))
        elif token.type in ("fence", "code_block"):
            blocks.append(_as_sentence(token.content))
    return "\n".join(block for block in blocks if block)


def _sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in _SENTENCE_END_RE.split(line) if s.strip()]


def _snippet(sentence: str) -> str:
    return sentence if len(sentence) <= _SNIPPET_CHARS else sentence[: _SNIPPET_CHARS - 1] + "…"


def _simpler(text: str, words: dict[str, str]) -> list[tuple[str, str]]:
    if not words:
        return []
    keys = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.IGNORECASE)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for match in pattern.finditer(text):
        key = " ".join(match.group(1).lower().split())
        if key not in seen:
            seen.add(key)
            found.append((match.group(1), words[key]))
    return found


def score(*, body: str) -> Readability:
    """The readability of one section body (Markdown) against the targets in settings."""
    goal = targets()
    text = plain_text(body)
    sentences = _sentences(text)
    words = len(_WORD_RE.findall(text))
    long = [s for s in sentences if len(_WORD_RE.findall(s)) > goal.long_sentence_words]
    smog = flesch = None
    if words:
        flesch = round(float(textstat.flesch_reading_ease(text)), 1)
    if len(sentences) >= 3:
        # textstat ignores sentences of one or two words and answers 0 below three.
        smog = round(float(textstat.smog_index(text)), 1) or None
    return Readability(
        words=words,
        sentences=len(sentences),
        smog=smog,
        flesch=flesch,
        long_sentences=[_snippet(s) for s in long[:MAX_LONG_SENTENCES_SHOWN]],
        long_sentence_count=len(long),
        simpler_words=_simpler(text, simpler_words()),
        targets=goal,
    )
