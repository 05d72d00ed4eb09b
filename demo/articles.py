"""Reading the demo's article files: one Markdown file per revision of a condition.

Why plain files: the demo text is content, not code. Kept as Markdown, it reads and diffs
like the articles editors write in the desk, and it is loaded through the same functions
they use, so the demo can never hold what the workflow would refuse.

A file is a header, a blank line, then the sections::

    Name: Amyotrophic lateral sclerosis
    Slug: amyotrophic-lateral-sclerosis
    Status: published
    Written by: author
    Reviewed by: reviewer
    Summary: A serious condition in which the nerve cells that control the muscles
      slowly stop working, causing weakness and muscle wasting.
    Also known as: motor neurone disease; ALS; MND
    Related: fasciculations, cramp-fasciculation-syndrome
    Code: ICD-10 G12.21 Amyotrophic lateral sclerosis

    ## What is amyotrophic lateral sclerosis? {overview}

    Amyotrophic lateral sclerosis (ALS) is …

    ## Causes

    …

The header is "Key: value" lines up to the first blank line, as in an e-mail or a Python
package's METADATA file, so the standard library is enough to read it; a line that starts
with a space continues the value above it. Keys, in any order:

- ``Name``, ``Slug``, ``Summary`` and ``Written by`` (a demo username): required.
- ``Status``: ``draft``, ``in review`` or ``published`` (default ``draft``).
- ``Reviewed by``: the medical reviewer who approves a ``published`` revision.
- ``Revision``: its number (default 1). Revision N+1 starts from published revision N.
- ``Also known as``: other names, separated by ``;``. ``Change note``: a line of text.
- ``Next review in``: "N days" after approval, when the reviewer sets a date of their own.
- ``Related`` (slugs separated by ``,``) and ``Code`` (one per line: system, code, then the
  code system's name for it) describe the condition, not one revision: give them in its
  first revision's file.

Each ``## Heading`` starts a section. Its kind follows in braces (``## How it is diagnosed
{diagnosis}``) unless the heading is the kind's own name (``## Causes``, ``## Outlook``). The
body is Markdown as typed in the desk (one paragraph per line), citing with ``[@key]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.models import CodeSystem, SectionKind

STATUSES = ("draft", "in review", "published")

_KEYS = {
    "name",
    "slug",
    "summary",
    "written by",
    "status",
    "reviewed by",
    "revision",
    "also known as",
    "change note",
    "next review in",
    "related",
    "code",
}
_REPEATABLE = {"code"}
_HEADING_RE = re.compile(r"^## +(?P<heading>.+?)(?: +\{(?P<kind>[a-z_]+)\})? *$")
_DAYS_RE = re.compile(r"^(?P<days>\d+) days?$")
_KIND_BY_LABEL = {kind.label.lower(): kind.value for kind in SectionKind}


class ArticleError(ValueError):
    """A demo file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str
    body: str

    def as_fields(self) -> dict:
        """The keyword arguments ``kb.services`` takes for one section."""
        return {"kind": self.kind, "heading": self.heading, "body": self.body}


@dataclass(frozen=True)
class Article:
    """One revision of one condition, as its file gives it."""

    source: str
    slug: str
    revision: int
    status: str
    name: str
    summary: str
    written_by: str
    reviewed_by: str
    also_known_as: tuple[str, ...]
    change_note: str
    next_review_in_days: int | None
    related: tuple[str, ...]
    codes: tuple[Code, ...]
    sections: tuple[Section, ...]


def parse_article(*, text: str, source: str = "article") -> Article:
    """Read one article file; raise ``ArticleError`` saying what is wrong, and where."""
    lines = text.replace("\r\n", "\n").split("\n")
    header, body_start = _read_header(lines, source=source)
    article = Article(
        source=source,
        slug=_required(header, "slug", source),
        revision=_revision_number(header.get("revision", ["1"])[0], source=source),
        status=_status(header.get("status", ["draft"])[0], source=source),
        name=_required(header, "name", source),
        summary=_required(header, "summary", source),
        written_by=_required(header, "written by", source),
        reviewed_by=header.get("reviewed by", [""])[0],
        also_known_as=_split(header.get("also known as", [""])[0], ";"),
        change_note=header.get("change note", [""])[0],
        next_review_in_days=_days(header.get("next review in", [""])[0], source=source),
        related=_split(header.get("related", [""])[0], ","),
        codes=tuple(_code(value, source=source) for value in header.get("code", [])),
        sections=_read_sections(lines, start=body_start, source=source),
    )
    if article.status == "published" and not article.reviewed_by:
        raise ArticleError(f"{source}: a published revision needs 'Reviewed by'.")
    if article.status != "published" and article.reviewed_by:
        raise ArticleError(f"{source}: only a published revision has 'Reviewed by'.")
    return article


def read_articles(*, folder: Path) -> list[Article]:
    """Every ``*.md`` file in ``folder``, by slug then revision number.

    Also checks what no single file can: revisions of a condition are numbered 1, 2, … with
    no gaps, each one after the first starts from a published one (a condition has at most
    one open revision), and related conditions name each other (the link is symmetrical).
    """
    articles = sorted(
        (
            parse_article(text=path.read_text(encoding="utf-8"), source=path.name)
            for path in sorted(folder.glob("*.md"))
        ),
        key=lambda article: (article.slug, article.revision),
    )
    by_slug: dict[str, list[Article]] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
    for slug, revisions in by_slug.items():
        numbers = [article.revision for article in revisions]
        if numbers != list(range(1, len(revisions) + 1)):
            raise ArticleError(f"{slug}: revisions are numbered {numbers}, not 1, 2, ….")
        for earlier, later in zip(revisions, revisions[1:], strict=False):
            if earlier.status != "published":
                raise ArticleError(
                    f"{later.source}: revision {later.revision} needs revision "
                    f"{earlier.revision} published first."
                )
            if later.related or later.codes:
                raise ArticleError(
                    f"{later.source}: give 'Related' and 'Code' in the first revision's file."
                )
    related = {slug: set(revisions[0].related) for slug, revisions in by_slug.items()}
    for slug, others in related.items():
        for other in sorted(others & related.keys()):
            if slug not in related[other]:
                raise ArticleError(
                    f"{slug} lists {other} as related but not the other way round: links "
                    "between conditions go both ways, so give them in both files."
                )
    return articles


def _read_header(lines: list[str], *, source: str) -> tuple[dict[str, list[str]], int]:
    header: dict[str, list[str]] = {}
    last = ""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return header, number
        if line[0] in " \t":
            if not last:
                raise ArticleError(f"{source}, line {number}: a continuation with no key above.")
            header[last][-1] = f"{header[last][-1]} {line.strip()}"
            continue
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in _KEYS:
            raise ArticleError(f"{source}, line {number}: expected 'Key: value', got {line!r}.")
        if key in header and key not in _REPEATABLE:
            raise ArticleError(f"{source}, line {number}: '{key}' is given twice.")
        header.setdefault(key, []).append(value.strip())
        last = key
    raise ArticleError(f"{source}: no blank line after the header, so no sections.")


def _read_sections(lines: list[str], *, start: int, source: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            sections.append(Section(current[0], current[1], "\n".join(body).strip()))

    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("## "):
            close()
            current, body = _heading(line, number=number, source=source), []
        elif current is None:
            if line.strip():
                raise ArticleError(f"{source}, line {number}: text before the first '## '.")
        else:
            body.append(line)
    close()
    if not sections:
        raise ArticleError(f"{source}: no '## ' sections.")
    for section in sections:
        if not section.body:
            raise ArticleError(f"{source}: the section '{section.heading}' is empty.")
    return tuple(sections)


def _heading(line: str, *, number: int, source: str) -> tuple[str, str]:
    match = _HEADING_RE.match(line)
    if not match:
        raise ArticleError(f"{source}, line {number}: a heading needs text after '## '.")
    heading, kind = match["heading"], match["kind"]
    if kind is None:
        kind = _KIND_BY_LABEL.get(heading.lower())
        if kind is None:
            raise ArticleError(
                f"{source}, line {number}: say the kind of '{heading}' in braces, one of "
                f"{', '.join(SectionKind.values)}."
            )
    elif kind not in SectionKind.values:
        raise ArticleError(f"{source}, line {number}: unknown section kind {kind!r}.")
    return kind, heading


def _required(header: dict[str, list[str]], key: str, source: str) -> str:
    value = header.get(key, [""])[0]
    if not value:
        raise ArticleError(f"{source}: '{key.capitalize()}' is required.")
    return value


def _split(value: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _revision_number(value: str, *, source: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArticleError(f"{source}: 'Revision' is a number from 1, not {value!r}.")
    return int(value)


def _status(value: str, *, source: str) -> str:
    status = " ".join(value.lower().split())
    if status not in STATUSES:
        raise ArticleError(f"{source}: 'Status' is one of {', '.join(STATUSES)}, not {value!r}.")
    return status


def _days(value: str, *, source: str) -> int | None:
    if not value:
        return None
    match = _DAYS_RE.match(value)
    if not match or int(match["days"]) < 1:
        raise ArticleError(f"{source}: 'Next review in' is a number of days, e.g. '365 days'.")
    return int(match["days"])


def _code(value: str, *, source: str) -> Code:
    system, code, display = ([*value.split(None, 2), "", ""])[:3]
    if system not in CodeSystem.values or not code:
        raise ArticleError(
            f"{source}: 'Code' is a system ({', '.join(CodeSystem.values)}), a code and its "
            f"name, not {value!r}."
        )
    return Code(system=system, code=code, display=display)
